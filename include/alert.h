/* alert.h - SMTP alerts for VRRP state changes, as keepalived sends them,
 * driven by the event loop: a mail in flight is a socket and a deadline,
 * never a wait.
 *
 * Vigil adds a bounded retry (smtp_retries, smtp_retry_delay): a failed
 * attempt is logged in keepalived's words and the same message (same
 * bytes, Date included) goes again after a delay kept as a deadline of
 * the loop; after the last attempt, one "giving up" line.  With
 * smtp_starttls or smtp_auth_user the attempts go through libcurl in the
 * mail thread of mailer.h instead of the plain client of smtp.h. */
#ifndef VIGIL_ALERT_H
#define VIGIL_ALERT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "mailer.h"
#include "model.h"
#include "smtp.h"

#define ALERT_SLOTS	MAILER_JOBS	/* alerts in flight or waiting to retry */
#define ALERT_QUEUE	64		/* alerts waiting for a slot; more are
					 * dropped and logged */
/* epoll tags from tag_base: one per slot (its plain client's socket), then
 * the mail thread's eventfd */
#define ALERT_TAG_MAILER ALERT_SLOTS
#define ALERT_MAX	(ALERT_SLOTS + 1)

/* What an alert says. */
struct alert_text {
	char subject[512], body[256];
	time_t when;			/* the Date header, the same on every attempt */
};

/* One alert, over all its attempts. */
struct alert {
	bool used;
	struct alert_text t;
	unsigned attempts;		/* started so far */
	uint64_t retry_at;		/* waiting to retry: when; else 0 */
	struct smtp_client *client;	/* plain attempt in flight */
	bool job_out;			/* curl attempt in the mail thread */
	struct mail_job job;
	char *content;			/* the job's data: smtp_build_content() */
};

struct alerts {
	bool enabled;		/* smtp_server and notification_email set */
	bool use_curl;		/* STARTTLS or AUTH: attempts go to the mailer */
	struct sockaddr_storage srv;
	socklen_t srvlen;
	const struct cf_global *g;
	char router_id[256], helo[256], from[512];
	unsigned retries, retry_delay;	/* smtp_retries, smtp_retry_delay (0: backoff) */
	struct alert slot[ALERT_SLOTS];
	/* when every slot has an attempt in flight: a ring of what waits */
	struct alert_text *queue;	/* ALERT_QUEUE entries */
	unsigned qhead, qlen;
	struct mailer mailer;
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

/* The next client timeout or retry. */
uint64_t alerts_deadline(const struct alerts *a);
/* Slot's socket (or, for ALERT_TAG_MAILER, the mail thread) is ready, or
 * deadlines passed (slot < 0: check all). */
void alerts_step(struct alerts *a, int slot, uint64_t now);

#endif
