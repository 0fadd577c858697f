/* engine.h - the VRRP daemon: instances, sockets, timers and netlink
 * around the pure state machine, in one event loop (epoll, timerfd,
 * signalfd).  Nothing in the loop blocks: sockets are non-blocking and
 * every wait is a deadline. */
#ifndef VIGIL_ENGINE_H
#define VIGIL_ENGINE_H

#include <stdbool.h>

#include "conf.h"
#include "model.h"

struct engine_opts {
	bool keep_vips_on_stop;		/* -V / --dont-release-vrrp */
	const char *conf_file;		/* re-read on SIGHUP */
	struct cf_options parse;	/* how it was read */
};

/* Run until SIGTERM/SIGINT.  Returns the process exit code. */
int engine_run(const struct cf_model *m, const struct engine_opts *o);

#endif
