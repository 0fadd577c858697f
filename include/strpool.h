/* strpool.h - an arena for strings that live as long as a parsed config. */
#ifndef VIGIL_STRPOOL_H
#define VIGIL_STRPOOL_H

#include <stddef.h>

struct strpool_chunk;

struct strpool {
	struct strpool_chunk *head;
};

void strpool_init(struct strpool *p);
void strpool_free(struct strpool *p);
void *strpool_alloc(struct strpool *p, size_t n);
char *strpool_dup(struct strpool *p, const char *s);
char *strpool_ndup(struct strpool *p, const char *s, size_t n);

#endif
