/* caps.h - give up the capabilities the daemon no longer needs.
 *
 * keepalived keeps all of root's capabilities, and its scripts run with
 * them; Vigil keeps them too whenever a configured script (track, notify,
 * fifo, MISC_CHECK, startup/shutdown) runs as root, so those scripts work
 * as they always did.  When none does, the process keeps only what VRRP,
 * the proxy, the notify FIFO and scripts run as other users need
 * (caps_daemon_keep) and drops the rest from its permitted, effective,
 * inheritable and bounding sets: no module loading, mounting, raw I/O,
 * ptrace or BPF from a compromised daemon.  The uid stays 0.
 *
 * Threads that parse what the network sends (proxy workers) and the mail
 * thread drop every capability of their own (capabilities are per thread).
 */
#ifndef VIGIL_CAPS_H
#define VIGIL_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

/* Bit N = capability N, as in /proc/PID/status. */
uint64_t caps_daemon_keep(void);

/* True when some script the configuration will run has uid 0.  Resolves
 * user names (NSS), so it belongs to the daemon, not the parser. */
bool caps_root_scripts(const struct cf_model *m);

/* Keep only KEEP in every set of the process (bounding set first, while
 * CAP_SETPCAP is still there).  0, or -errno (not root, old kernel). */
int caps_limit_process(uint64_t keep);

/* The calling thread alone gives up every capability. 0 or -errno. */
int caps_drop_thread(void);

/* The capabilities the process may still use (its bounding set). */
uint64_t caps_bounding(void);

#endif
