/* alert.h - SMTP alerts for VRRP state changes, as keepalived sends them,
 * driven by the event loop: a mail in flight is a socket and a deadline,
 * never a wait. */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "model.h"
#include "smtp.h"

#define ALERT_MAX 16		/* mails in flight; more are dropped and logged */

struct alerts {
	bool enabled;		/* smtp_server and notification_email set */
	struct sockaddr_storage srv;
	socklen_t srvlen;
	const struct cf_global *g;
	char router_id[256], helo[256], from[512];
	struct smtp_client *inflight[ALERT_MAX];
	int epfd;
	uint64_t tag_base;	/* epoll tag of slot 0 */
};

/* Resolve smtp_server once, at startup (never in the loop). */
void alerts_init(struct alerts *a, const struct cf_global *g, int epfd,
		 uint64_t tag_base);
void alerts_close(struct alerts *a);

/* Mail about NAME (an instance, or a group) entering STATE, if SMTP_ALERT
 * (the object's setting, CF_UNSET = inherit) says so. */
void alerts_vrrp(struct alerts *a, bool group, const char *name, const char *state,
		 int smtp_alert, uint64_t now);

uint64_t alerts_deadline(const struct alerts *a);
/* Slot's socket is ready, or deadlines passed (slot < 0: check all). */
void alerts_step(struct alerts *a, int slot, uint64_t now);

#endif
