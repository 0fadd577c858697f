/* health.h - the proxy's health thread: keepalived's real-server checkers
 * (TCP_CHECK, HTTP_GET, MISC_CHECK) for every proxied virtual server, and
 * each virtual server's health summary for VRRP.
 *
 * One thread, one epoll loop and one timerfd: every connect, read and
 * script deadline is an event, so a slow real server never delays another
 * one's checks, and nothing ever sleeps or blocks.  All its state lives in
 * struct health; the only shared things it writes are the px_* atomics
 * (px_rs.check_up, px_vs.healthy) and the event fd.
 *
 * keepalived's semantics: each checker runs every delay_loop, first after
 * a random delay in [0, warmup]; a failure while up is retried `retry`
 * times delay_before_retry apart before the checker goes down; one success
 * brings it up.  A real server is up when all its checkers are: then
 * "Adding service X to VS Y" and its notify_up run; down: "Removing
 * service X from VS Y" and notify_down.  Checkers the proxy does not run
 * (SSL_GET, SMTP_CHECK, DNS_CHECK, PING_CHECK, UDP_CHECK, BFD_CHECK,
 * FILE_CHECK) are logged once and count as passing.
 */
#ifndef VIGIL_HEALTH_H
#define VIGIL_HEALTH_H

#include <stdbool.h>
#include <sys/types.h>

#include "proxy.h"

struct health;

/*
 * Start the health thread for SHARED (which must outlive it): set the
 * initial check_up (down for alpha checkers), then run every checker and,
 * once a second and on every real-server change, recompute each
 * px_vs.healthy (see check_vs_healthy()); write 1 to shared->event_fd when
 * some `healthy` changed.  The thread blocks every signal.  NULL on error
 * (logged).
 */
struct health *health_start(struct px_shared *shared);

/* Stop and join the thread, SIGKILL the MISC_CHECK scripts still running
 * (their zombies are the main thread's to reap), free everything.  NULL is
 * fine.  H is gone afterwards: no health_child_exited(H, ...) then. */
void health_stop(struct health *h);

/*
 * The main thread reaps every child (waitpid(-1)) and hands each status
 * here; thread-safe.  True if PID was one of our MISC_CHECK scripts (its
 * result is then judged in the health thread).  H may be NULL (false).
 */
bool health_child_exited(struct health *h, pid_t pid, int status);

#endif
