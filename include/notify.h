/* notify.h - notify scripts and notify FIFOs, as keepalived runs them.
 *
 * notify_master|backup|fault|stop get only their configured arguments;
 * notify gets four more: INSTANCE|GROUP, name, STATE, priority.  FIFO
 * lines are `INSTANCE "VI_1" MASTER 150`.  Scripts are started and never
 * waited for; the FIFO is non-blocking (a full pipe loses lines). */
#ifndef VIGIL_NOTIFY_H
#define VIGIL_NOTIFY_H

#include <stdbool.h>

#include "model.h"

struct notify_fifo {
	int fd;
	char *path;
	bool created;
};

struct notifier {
	const struct cf_global *g;
	struct notify_fifo fifo, vrrp_fifo;
};

void notify_open(struct notifier *n, const struct cf_global *g);
void notify_close(struct notifier *n);

/* A sync group's transition: GROUP name STATE 0. */
void notify_group(struct notifier *n, const struct cf_sync_group *g,
		  const char *state);

/* STATE is "MASTER", "BACKUP", "FAULT" or "STOP". */
void notify_instance(struct notifier *n, const struct cf_vrrp_instance *vi,
		     const char *state, int priority);

#endif
