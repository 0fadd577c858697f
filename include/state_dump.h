/* state_dump.h - what the VRRP process shows of itself, from one read-only
 * snapshot: keepalived's dump files (keepalived.data, keepalived.stats,
 * keepalived.json; inventory section 8) and Vigil's live status (JSON and
 * Prometheus text, doc/engine.md).
 *
 * Pure: the formatters read a snapshot and append to a growable buffer; no
 * clock, no file, no engine.  src/state_snap.c fills the snapshot from the
 * running engine; tests fill it by hand.
 */
#ifndef VIGIL_STATE_DUMP_H
#define VIGIL_STATE_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "track.h"
#include "vrrp_fsm.h"
#include "vrrp_pkt.h"

/* ---- output buffer ------------------------------------------------------- */

struct sd_buf {
	char *p;		/* NUL-terminated once anything was written */
	size_t len, cap;
	size_t max;		/* 0 = unbounded; else appends beyond fail */
	bool failed;		/* out of memory or over max: output is cut */
};

void sd_buf_free(struct sd_buf *b);
void sd_printf(struct sd_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sd_puts(struct sd_buf *b, const char *s);
/* S as a JSON string: quoted, with '"', '\\', '/' and controls escaped
 * ('/' as "\/", as keepalived's writer does) */
void sd_json_str(struct sd_buf *b, const char *s);

/* ---- the snapshot ---------------------------------------------------------- */

/* An instance's counters as Vigil keeps them. */
struct sd_counters {
	uint64_t adverts_rcvd;		/* accepted adverts (the engine's rx) */
	uint64_t adverts_sent;		/* sent adverts (tx) */
	uint64_t become_master, release_master;
	uint64_t transitions;		/* every state change */
	uint64_t pri_zero_rcvd, pri_zero_sent;
	uint64_t drops[VRRP_PKT_DROP_MAX];	/* dropped adverts, by reason */
	uint64_t invalid_authtype;	/* of drops[VRRP_PKT_AUTH_TYPE]: an
					 * auth type no VRRPv2 defines */
};

/* The same counters under keepalived's names (stats file, JSON "stats"). */
struct sd_ka_stats {
	uint64_t advert_rcvd, advert_sent, become_master, release_master;
	uint64_t packet_len_err, advert_interval_err, ip_ttl_err;
	uint64_t invalid_type_rcvd, addr_list_err;
	uint64_t invalid_authtype, authtype_mismatch, auth_failure;
	uint64_t pri_zero_rcvd, pri_zero_sent;
};

struct sd_ka_stats sd_ka_stats(const struct sd_counters *c);

/* A reason's short name for JSON keys and metric labels ("ttl", ...). */
const char *sd_drop_slug(enum vrrp_pkt_drop why);

/* A tracked vrrp_script as one instance sees it. */
struct sd_track {
	const char *name;
	const struct cf_script *cmd;	/* NULL if the script is gone */
	int weight;
	bool reverse;
	enum track_status status;
};

struct sd_instance {
	const struct cf_vrrp_instance *cf;
	const char *sync_group;		/* NULL when not a member */
	enum vrrp_state state;
	uint8_t base_priority, effective_priority;
	uint8_t master_priority;	/* BACKUP: the master's */
	struct cf_inaddr master;	/* BACKUP: last accepted advert's sender */
	struct cf_inaddr src;		/* our advert source */
	bool unicast;
	bool stepped_down;		/* operator step-down in force */
	uint32_t advert_us, master_adver_us;
	uint64_t master_down_us;	/* Master_Down_Interval now */
	int64_t last_transition_us;	/* wall clock, 0 = never */
	int64_t read_timeout_us;	/* wall clock of the next deadline, 0 = none */
	int faults;			/* interface and tracker faults */
	int scripts_init;		/* tracked scripts without a result */
	struct cf_garp garp;		/* resolved against global_defs */
	int down_timer_adverts;
	bool lower_prio_no_advert, higher_prio_send_advert;
	bool accept, strict, skip_check_adv_addr, smtp_alert;
	int fd;				/* its VRRP socket, -1 if none */
	const struct sd_track *tracks;	/* instance's then group's scripts */
	size_t ntracks;
	struct sd_counters c;
};

struct sd_script {
	const struct cf_vrrp_script *cf;
	enum track_status status;
	int result;			/* rise/fall counter */
	bool running;
};

struct sd_sock {
	int fd;
	const char *ifname;
	int family;
	bool unicast;
};

struct sd_group {
	const struct cf_sync_group *cf;
	enum vrrp_state state;
};

struct sd_vs {
	const char *name;		/* keepalived's "[192.0.2.6]:tcp:80" */
	bool healthy;
};

struct sd_snapshot {
	const struct cf_model *m;
	long pid;
	const char *router_id;		/* resolved (host name by default) */
	const struct sd_instance *vi;
	size_t nvi;
	const struct sd_script *scripts;
	size_t nscripts;
	const struct sd_sock *socks;
	size_t nsocks;
	const struct sd_group *groups;
	size_t ngroups;
	const struct sd_vs *vs;		/* the proxy's virtual servers */
	size_t nvs;
};

/* ---- keepalived's files (state_dump.c) ------------------------------------ */

/* keepalived.stats, exactly as keepalived 2.2.7 writes it. */
void sd_format_stats(const struct sd_snapshot *s, struct sd_buf *b);
/* keepalived.json: compact, keepalived's keys in its order, '\n' at the end. */
void sd_format_json(const struct sd_snapshot *s, struct sd_buf *b);
/* keepalived.data: the sections Vigil has (times in local time). */
void sd_format_data(const struct sd_snapshot *s, struct sd_buf *b);

/* keepalived's rendering of a VIP ("192.0.2.100/24 dev eth0 scope global"). */
void sd_format_vip(struct sd_buf *b, const struct cf_ipaddress *a, const char *ifname);

/* ---- Vigil's live status (status_fmt.c) ------------------------------------ */

/* GET /status: one JSON object, '\n' at the end. */
void sd_format_status(const struct sd_snapshot *s, struct sd_buf *b);
/* GET /metrics: Prometheus text format 0.0.4. */
void sd_format_metrics(const struct sd_snapshot *s, struct sd_buf *b);

/* keepalived's state numbers (JSON "state", metric vigil_vrrp_state). */
int sd_state_number(enum vrrp_state s);

/* A status request, from its first line. */
enum sd_req_kind {
	SD_REQ_BAD,		/* unparsable: 400 */
	SD_REQ_STATUS,
	SD_REQ_METRICS,
	SD_REQ_STEPDOWN,
	SD_REQ_STEPUP,
	SD_REQ_NOT_FOUND,	/* unknown path: 404 */
	SD_REQ_METHOD,		/* known path, wrong method: 405 */
};

#define SD_NAME_MAX 64

struct sd_request {
	enum sd_req_kind kind;
	bool http;		/* "METHOD PATH HTTP/1.x", else a plain line */
	char instance[SD_NAME_MAX];	/* stepdown / stepup */
};

/* LINE (LEN bytes, no line end): "GET /status HTTP/1.1", "POST
 * /stepdown/VI_1 HTTP/1.0", or a plain "status", "metrics",
 * "stepdown VI_1", "stepup VI_1". */
void sd_parse_request(const char *line, size_t len, struct sd_request *r);

/* Frame BODY as the reply to R: an HTTP/1.0 head (CODE, CONTENT_TYPE,
 * Content-Length, Connection: close) for HTTP requests, the body alone
 * for plain lines. */
void sd_frame_reply(struct sd_buf *out, const struct sd_request *r, int code,
		    const char *content_type, const struct sd_buf *body);

#endif
