/* strpool.c - bump allocator for config strings: freed all at once. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

struct strpool_chunk {
	struct strpool_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

/* chunks grow: small configs (and fuzz inputs) stay cheap, big ones
 * don't pay a malloc per few kilobytes */
#define CHUNK_MIN 4096
#define CHUNK_MAX (1 << 20)

void
strpool_init(struct strpool *p)
{
	p->head = NULL;
}

void
strpool_free(struct strpool *p)
{
	struct strpool_chunk *c = p->head;
	while (c) {
		struct strpool_chunk *next = c->next;
		free(c);
		c = next;
	}
	p->head = NULL;
}

void *
strpool_alloc(struct strpool *p, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct strpool_chunk *c = p->head;
	if (!c || c->size - c->used < n) {
		size_t size = c ? c->size * 2 : CHUNK_MIN;
		if (size > CHUNK_MAX)
			size = CHUNK_MAX;
		if (size < n)
			size = n;
		c = malloc(sizeof(*c) + size);
		if (!c)
			abort();	/* config load cannot continue without memory */
		c->size = size;
		c->used = 0;
		c->next = p->head;
		p->head = c;
	}
	void *r = c->data + c->used;
	c->used += n;
	return r;
}

char *
strpool_ndup(struct strpool *p, const char *s, size_t n)
{
	char *r = strpool_alloc(p, n + 1);
	memcpy(r, s, n);
	r[n] = '\0';
	return r;
}

char *
strpool_dup(struct strpool *p, const char *s)
{
	return strpool_ndup(p, s, strlen(s));
}
