/* log.h - keepalived-style logging: syslog (ident "Keepalived_vrrp",
 * facility daemon unless -S) and, with -l, the console with a ctime-style
 * timestamp.  The message texts of key events are keepalived's own. */
#ifndef VIGIL_LOG_H
#define VIGIL_LOG_H

#include <stdbool.h>

struct log_opts {
	bool console;		/* -l */
	bool syslog;		/* not -G */
	int detail;		/* -D: debug lines too */
	int facility;		/* LOG_DAEMON, LOG_LOCALn */
};

void log_init(const struct log_opts *o);
void log_close(void);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* only with -D (keepalived's detailed lines) */
void log_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool log_detailed(void);	/* -D given */
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
