/* sdnotify.h - systemd's readiness protocol, without libsystemd.
 *
 * Under a unit with Type=notify, systemd names a datagram socket in
 * $NOTIFY_SOCKET (a path, or an abstract name written with a leading '@');
 * the service sends "READY=1" there once it is up, "RELOADING=1" when it
 * starts a reload (then "READY=1" again) and "STOPPING=1" when it starts to
 * shut down.  Without $NOTIFY_SOCKET every call does nothing, so the daemon
 * runs the same under any other init system or by hand.
 */
#ifndef VIGIL_SDNOTIFY_H
#define VIGIL_SDNOTIFY_H

/* Send MSG (newline-separated VAR=value assignments) to $NOTIFY_SOCKET.
 * 1 sent, 0 no $NOTIFY_SOCKET (nothing to do), or -errno. */
int sd_notify_send(const char *msg);

/* The daemon's three moments; errors are ignored (systemd's own timeouts
 * report a unit that never said it was ready). */
void sd_ready(void);		/* "READY=1" */
void sd_reloading(void);	/* "RELOADING=1" + MONOTONIC_USEC; send
				 * sd_ready() when the reload is done */
void sd_stopping(void);		/* "STOPPING=1" */

#endif
