/* proxy.h - the built-in reverse proxy (virtual_server ... lb_kind PROXY).
 *
 * Worker threads (one per core by default) each run their own epoll loop
 * and accept from one listening socket per virtual server (EPOLLEXCLUSIVE),
 * bound with IP_FREEBIND so a backup node listens on the VIP before it
 * holds it.
 * A health thread (health.c) runs the real servers' checkers and sums up
 * each virtual server's health for VRRP (track_virtual_server).  The VRRP
 * thread never waits for either: it reads atomics when the event fd says
 * something changed.
 *
 * The structures below are shared between threads: fields marked
 * "atomic" are the only ones written after proxy_start(). */
#ifndef VIGIL_PROXY_H
#define VIGIL_PROXY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "model.h"

/* One real server (or a sorry_server). */
struct px_rs {
	const struct cf_real_server *cf;	/* NULL for a sorry_server */
	struct sockaddr_storage sa;
	socklen_t salen;
	char name[80];			/* keepalived's "[192.0.2.201]:tcp:80" */
	int weight;			/* from the config (0 = never chosen) */
	unsigned max_fails;		/* passive failures allowed (0 = off) */
	uint64_t fail_timeout_us;
	atomic_bool check_up;		/* the checkers' verdict; true when the
					 * real server has none (health.c) */
	atomic_uint fails;		/* passive failures in the window */
	atomic_uint_least64_t fail_window;	/* window start (monotonic us) */
	atomic_uint_least64_t down_until;	/* passively out until then */
	atomic_int conns;		/* connections in use (lc/wlc) */
};

/* One proxied virtual server. */
struct px_vs {
	const struct cf_virtual_server *cf;
	struct sockaddr_storage sa;	/* where to listen */
	socklen_t salen;
	char name[80];			/* "[192.0.2.6]:tcp:80" */
	struct px_rs *rs;
	size_t nrs;
	struct px_rs *sorry;		/* sorry_server, or NULL */
	atomic_int listening;		/* workers listening on it */
	atomic_bool healthy;		/* health.c's summary, for VRRP */
};

/* What the workers, the health thread and the VRRP thread share. */
struct px_shared {
	struct px_vs *vs;
	size_t nvs;
	int nworkers;
	atomic_uint_least64_t *beat;	/* per worker: last loop turn (us) */
	int event_fd;			/* eventfd: written when a vs's
					 * `healthy` changes (VRRP reads) */
	const struct cf_global *g;
};

/* A real server is available unless its checkers failed or it failed too
 * often lately (nginx's max_fails/fail_timeout).  NOW in monotonic us. */
bool px_rs_available(const struct px_rs *rs, uint64_t now);
/* A connection to RS failed (connect error or timeout) / succeeded. */
void px_rs_failed(struct px_rs *rs, uint64_t now);
void px_rs_succeeded(struct px_rs *rs);
/* The checkers' verdict on RS.  A verdict of up is newer
 * evidence than the passive failures before it, so they are forgotten:
 * otherwise a real server back from an outage would stay out (and a
 * tracked virtual server unhealthy) for fail_timeout after its checks pass. */
void px_rs_set_checked(struct px_rs *rs, bool up);

/* The shared structures for every virtual_server with lb_kind PROXY (and
 * real servers or a sorry_server), in px_rs.c: names, addresses, weights,
 * passive-failure settings, one beat per worker (proxy_workers, else one
 * per online CPU) and the event fd.  Every check_up starts true;
 * health_start() puts alpha checkers' real servers down before its thread
 * runs.  NULL without memory; nvs == 0 when nothing is proxied. */
struct px_shared *px_shared_build(const struct cf_model *m);
void px_shared_free(struct px_shared *sh);

struct proxy;

/* Start the workers and the health thread for every virtual_server with
 * lb_kind PROXY.  NULL (with nothing started) when there is none or on
 * error (logged).  PREV (or NULL) is the proxy a reload replaces: the new
 * one takes over its listening sockets for the same addresses, so nothing
 * waiting in their backlogs is lost; proxy_drain(PREV) follows. */
struct proxy *proxy_start(const struct cf_model *m, struct proxy *prev);
void proxy_stop(struct proxy *p);

/* Reload: stop accepting (the new proxy's workers took the listening
 * sockets over), finish the connections in flight, then leave.  proxy_drained()
 * says when every worker is done; proxy_stop() then joins at once. */
void proxy_drain(struct proxy *p);
bool proxy_drained(const struct proxy *p);

/* Readable when some virtual server's health changed: read it (8 bytes),
 * then ask proxy_vs_healthy(). */
int proxy_event_fd(const struct proxy *p);
/* Health of the proxied virtual server at ADDR:PORT (false if none). */
bool proxy_vs_healthy(const struct proxy *p, const struct cf_inaddr *addr, uint16_t port);

/* The VRRP thread reaps every child; MISC_CHECK's are the health
 * thread's: hand their status over.  True if PID was one of them. */
bool proxy_child_exited(struct proxy *p, pid_t pid, int status);

#endif
