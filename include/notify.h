/* notify.h - notify scripts and notify FIFOs, as keepalived runs them.
 *
 * notify_master|backup|fault|stop get only their configured arguments;
 * notify gets four more: INSTANCE|GROUP, name, STATE, priority.  FIFO
 * lines are `INSTANCE "VI_1" MASTER 150`.  Scripts are started by the
 * spawner thread (spawner.h) and never waited for; the FIFO is
 * non-blocking (a full pipe loses lines). */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

#include <stdbool.h>
#include <sys/types.h>

#include "model.h"

struct notify_fifo {
	int fd;
	char *path;
	bool created;
	pid_t script_pid;	/* its *_fifo_script, while running */
};

struct spawner;

struct notifier {
	const struct cf_global *g;
	struct spawner *sp;	/* starts the scripts (NULL: this thread) */
	struct notify_fifo fifo, vrrp_fifo;
};

void notify_open(struct notifier *n, const struct cf_global *g, struct spawner *sp);
void notify_close(struct notifier *n);

/* A sync group's transition: GROUP name STATE 0. */
void notify_group(struct notifier *n, const struct cf_sync_group *g,
		  const char *state);

/* STATE is "MASTER", "BACKUP", "FAULT" or "STOP". */
void notify_instance(struct notifier *n, const struct cf_vrrp_instance *vi,
		     const char *state, int priority);

/* A FIFO-only event line: "MASTER_PRIORITY", "BACKUP_PRIORITY" (with
 * notify_priority_changes) or "MASTER_RX_LOWER_PRI". */
void notify_instance_event(struct notifier *n, const struct cf_vrrp_instance *vi,
			   const char *event, int priority);

/* A master heard a lower priority advert: its notify_master_rx_lower_pri
 * script (configured arguments only) and the FIFO event. */
void notify_master_rx_lower_pri(struct notifier *n, const struct cf_vrrp_instance *vi,
				int priority);

/* A reaped child that was a *_fifo_script: forget it (true if it was). */
bool notify_fifo_script_exited(struct notifier *n, pid_t pid);

#endif
