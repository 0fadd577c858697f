/* log.c - syslog and console logging (see log.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static struct log_opts opts = { .syslog = true, .facility = LOG_DAEMON };

void
log_init(const struct log_opts *o)
{
	opts = *o;
	if (opts.syslog)
		openlog("Keepalived_vrrp", LOG_PID, opts.facility);
}

void
log_close(void)
{
	if (opts.syslog)
		closelog();
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (opts.syslog)
		syslog(prio, "%s", msg);
	if (opts.console) {
		/* keepalived's console prefix: "Fri Nov 27 04:46:03 2026: " */
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%a %b %e %H:%M:%S %Y", &tm);
		fprintf(stderr, "%s: %s\n", ts, msg);
		fflush(stderr);
	}
}

void
log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

bool
log_detailed(void)
{
	return opts.detail > 0;
}

void
log_detail(const char *fmt, ...)
{
	if (!opts.detail)
		return;
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}
