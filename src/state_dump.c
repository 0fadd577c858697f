/* state_dump.c - keepalived's keepalived.stats and keepalived.json from a
 * snapshot (pure; see state_dump.h), and the buffer and JSON helpers the
 * other formatters share.
 *
 * Layouts: inventory section 8.2 (stats, exact) and 8.3 (JSON: keys and
 * order as keepalived 2.2.7 writes them, compact, '/' escaped as "\/").
 */
#include "config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_dump.h"

/* ---- buffer ---------------------------------------------------------------- */

void
sd_buf_free(struct sd_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

static bool
sd_reserve(struct sd_buf *b, size_t more)
{
	if (b->failed)
		return false;
	size_t need = b->len + more + 1;
	if (b->max && need > b->max + 1) {
		b->failed = true;
		return false;
	}
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 1024;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p) {
		b->failed = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
sd_printf(struct sd_buf *b, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0 || !sd_reserve(b, (size_t)n))
		return;
	if ((size_t)n < sizeof(small)) {
		memcpy(b->p + b->len, small, (size_t)n + 1);
	} else {
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
sd_puts(struct sd_buf *b, const char *s)
{
	size_t n = strlen(s);
	if (!sd_reserve(b, n))
		return;
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

void
sd_json_str(struct sd_buf *b, const char *s)
{
	sd_puts(b, "\"");
	for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
		switch (*c) {
		case '"': sd_puts(b, "\\\""); break;
		case '\\': sd_puts(b, "\\\\"); break;
		case '/': sd_puts(b, "\\/"); break;
		case '\b': sd_puts(b, "\\b"); break;
		case '\f': sd_puts(b, "\\f"); break;
		case '\n': sd_puts(b, "\\n"); break;
		case '\r': sd_puts(b, "\\r"); break;
		case '\t': sd_puts(b, "\\t"); break;
		default:
			if (*c < 0x20)
				sd_printf(b, "\\u%04x", *c);
			else
				sd_printf(b, "%c", *c);
		}
	}
	sd_puts(b, "\"");
}

/* ---- counters ----------------------------------------------------------------- */

/*
 * Vigil's drop reasons under keepalived's counter names.  Reasons keepalived
 * does not count (IP protocol, VRRP version, checksum, VRID) appear only in
 * Vigil's status and metrics.  Unlike 2.2.7, an advert interval mismatch is
 * counted (its counter is always 0 there: inventory 8.2).
 */
struct sd_ka_stats
sd_ka_stats(const struct sd_counters *c)
{
	const uint64_t *d = c->drops;
	uint64_t authtype = d[VRRP_PKT_AUTH_TYPE];
	uint64_t invalid = c->invalid_authtype < authtype ? c->invalid_authtype : authtype;
	return (struct sd_ka_stats){
		.advert_rcvd = c->adverts_rcvd,
		.advert_sent = c->adverts_sent,
		.become_master = c->become_master,
		.release_master = c->release_master,
		.packet_len_err = d[VRRP_PKT_TOO_SHORT] + d[VRRP_PKT_IP_HEADER] +
				  d[VRRP_PKT_LENGTH],
		.advert_interval_err = d[VRRP_PKT_INTERVAL],
		.ip_ttl_err = d[VRRP_PKT_TTL],
		.invalid_type_rcvd = d[VRRP_PKT_TYPE],
		.addr_list_err = d[VRRP_PKT_ADDR_COUNT] + d[VRRP_PKT_ADDR_LIST],
		.invalid_authtype = invalid,
		.authtype_mismatch = authtype - invalid,
		.auth_failure = d[VRRP_PKT_AUTH],
		.pri_zero_rcvd = c->pri_zero_rcvd,
		.pri_zero_sent = c->pri_zero_sent,
	};
}

const char *
sd_drop_slug(enum vrrp_pkt_drop why)
{
	switch (why) {
	case VRRP_PKT_OK: return "ok";
	case VRRP_PKT_TOO_SHORT: return "too_short";
	case VRRP_PKT_IP_HEADER: return "ip_header";
	case VRRP_PKT_PROTO: return "protocol";
	case VRRP_PKT_TTL: return "ttl";
	case VRRP_PKT_VERSION: return "version";
	case VRRP_PKT_TYPE: return "type";
	case VRRP_PKT_LENGTH: return "length";
	case VRRP_PKT_CHECKSUM: return "checksum";
	case VRRP_PKT_VRID: return "vrid";
	case VRRP_PKT_ADDR_COUNT: return "address_count";
	case VRRP_PKT_ADDR_LIST: return "address_list";
	case VRRP_PKT_AUTH_TYPE: return "auth_type";
	case VRRP_PKT_AUTH: return "auth";
	case VRRP_PKT_INTERVAL: return "interval";
	case VRRP_PKT_DROP_MAX: break;
	}
	return "unknown";
}

int
sd_state_number(enum vrrp_state s)
{
	switch (s) {
	case VRRP_STATE_INIT: return 0;
	case VRRP_STATE_BACKUP: return 1;
	case VRRP_STATE_MASTER: return 2;
	case VRRP_STATE_FAULT: return 3;
	case VRRP_STATE_STOP: return 98;
	}
	return 0;
}

/* ---- keepalived.stats ---------------------------------------------------------- */

static void
stats_instance(struct sd_buf *b, const struct sd_instance *v)
{
	struct sd_ka_stats k = sd_ka_stats(&v->c);
	sd_printf(b, "VRRP Instance: %s\n", v->cf->name);
	sd_printf(b, "  Advertisements:\n    Received: %llu\n    Sent: %llu\n",
		  (unsigned long long)k.advert_rcvd, (unsigned long long)k.advert_sent);
	sd_printf(b, "  Became master: %llu\n  Released master: %llu\n",
		  (unsigned long long)k.become_master, (unsigned long long)k.release_master);
	sd_printf(b, "  Packet Errors:\n    Length: %llu\n    TTL: %llu\n"
		  "    Invalid Type: %llu\n    Advertisement Interval: %llu\n"
		  "    Address List: %llu\n",
		  (unsigned long long)k.packet_len_err, (unsigned long long)k.ip_ttl_err,
		  (unsigned long long)k.invalid_type_rcvd,
		  (unsigned long long)k.advert_interval_err,
		  (unsigned long long)k.addr_list_err);
	sd_printf(b, "  Authentication Errors:\n    Invalid Type: %llu\n"
		  "    Type Mismatch: %llu\n    Failure: %llu\n",
		  (unsigned long long)k.invalid_authtype,
		  (unsigned long long)k.authtype_mismatch,
		  (unsigned long long)k.auth_failure);
	sd_printf(b, "  Priority Zero:\n    Received: %llu\n    Sent: %llu\n",
		  (unsigned long long)k.pri_zero_rcvd, (unsigned long long)k.pri_zero_sent);
}

void
sd_format_stats(const struct sd_snapshot *s, struct sd_buf *b)
{
	for (size_t i = 0; i < s->nvi; i++)
		stats_instance(b, &s->vi[i]);
}

/* ---- addresses and commands as keepalived renders them ------------------------ */

static const char *
scope_name(int scope)
{
	switch (scope) {
	case 0: return "global";
	case 200: return "site";
	case 253: return "link";
	case 254: return "host";
	case 255: return "nowhere";
	}
	return NULL;
}

/* brd + / brd -: the prefix's broadcast or network address */
static struct cf_inaddr
brd_addr(const struct cf_ipaddress *a)
{
	struct cf_inaddr r = a->brd;
	if (a->brd_mode != CF_BRD_SET && a->brd_mode != CF_BRD_CLEAR)
		return r;
	r = a->addr;
	uint32_t host = a->prefix >= 32 ? 0 : 0xffffffffu >> a->prefix;
	uint32_t v;
	memcpy(&v, r.a, 4);
	v = ntohl(v);
	v = a->brd_mode == CF_BRD_SET ? v | host : v & ~host;
	v = htonl(v);
	memcpy(r.a, &v, 4);
	return r;
}

void
sd_format_vip(struct sd_buf *b, const struct cf_ipaddress *a, const char *ifname)
{
	char buf[64];
	unsigned full = a->addr.family == AF_INET6 ? 128 : 32;
	sd_puts(b, cf_inaddr_str(&a->addr, buf, sizeof(buf)));
	if (a->prefix != full)
		sd_printf(b, "/%u", a->prefix);
	if (a->brd_mode != CF_BRD_NONE) {
		struct cf_inaddr brd = brd_addr(a);
		sd_printf(b, " brd %s", cf_inaddr_str(&brd, buf, sizeof(buf)));
	}
	sd_printf(b, " dev %s", a->dev[0] ? a->dev : ifname);
	int scope = a->scope == CF_UNSET ? 0 : a->scope;
	const char *sn = scope_name(scope);
	if (sn)
		sd_printf(b, " scope %s", sn);
	else
		sd_printf(b, " scope %d", scope);
	if (a->label[0])
		sd_printf(b, " label %s", a->label);
	if (a->peer.family)
		sd_printf(b, " peer %s/%u", cf_inaddr_str(&a->peer, buf, sizeof(buf)),
			  a->peer_prefix);
	if (a->home)
		sd_puts(b, " home");
	if (a->nodad)
		sd_puts(b, " -nodad");
	if (a->mngtmpaddr)
		sd_puts(b, " mngtmpaddr");
	if (a->noprefixroute)
		sd_puts(b, " noprefixroute");
	if (a->autojoin)
		sd_puts(b, " autojoin");
	if (a->no_track)
		sd_puts(b, " no_track");
	if (a->addr.family != AF_INET6)
		return;
	/* unset: /128 gets preferred_lft 0 (shown "deprecated"), others forever */
	int64_t lft = a->preferred_lft;
	if (lft == CF_UNSET)
		lft = a->prefix == 128 ? 0 : -2;
	if (lft == 0)
		sd_puts(b, " deprecated");
	else if (lft == -2)
		sd_puts(b, " preferred_lft forever");
	else
		sd_printf(b, " preferred_lft %lld", (long long)lft);
}

static void
json_cmd(struct sd_buf *b, const struct cf_script *s)
{
	char *cmd = cf_script_cmdline(s);
	sd_json_str(b, cmd ? cmd : "");
	free(cmd);
}

/* ---- keepalived.json --------------------------------------------------------------- */

static void
json_int(struct sd_buf *b, const char *key, long long v)
{
	sd_printf(b, ",\"%s\":%lld", key, v);
}

static void
json_bool(struct sd_buf *b, const char *key, bool v)
{
	sd_printf(b, ",\"%s\":%s", key, v ? "true" : "false");
}

static void
json_float(struct sd_buf *b, const char *key, double v)
{
	sd_printf(b, ",\"%s\":%g", key, v);
}

static void
json_key_str(struct sd_buf *b, const char *key, const char *v)
{
	sd_printf(b, ",\"%s\":", key);
	sd_json_str(b, v);
}

static void
json_notify(struct sd_buf *b, const struct cf_notify *n)
{
	const struct { const char *key; const struct cf_script *s; } scripts[] = {
		{ "script_backup", n->backup }, { "script_master", n->master },
		{ "script_fault", n->fault }, { "script_stop", n->stop },
		{ "script_deleted", n->deleted }, { "script", n->notify },
		{ "script_master_rx_lower_pri", n->master_rx_lower_pri },
	};
	for (size_t i = 0; i < sizeof(scripts) / sizeof(scripts[0]); i++) {
		if (!scripts[i].s || !scripts[i].s->cmd)
			continue;
		sd_printf(b, ",\"%s\":", scripts[i].key);
		json_cmd(b, scripts[i].s);
	}
}

static void
json_vips(struct sd_buf *b, const char *key, const struct sd_instance *v,
	  const struct cf_ipaddress_list *l, bool set)
{
	bool first = true;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].addr.family != v->cf->family)
			continue;
		sd_printf(b, first ? ",\"%s\":[" : ",", key);
		first = false;
		struct sd_buf tmp = { 0 };
		sd_format_vip(&tmp, &l->v[i], v->cf->ifname);
		if (set)
			sd_puts(&tmp, " set");
		sd_json_str(b, tmp.p ? tmp.p : "");
		sd_buf_free(&tmp);
	}
	if (!first)
		sd_puts(b, "]");
}

static void
route_words(struct sd_buf *b, const struct cf_route *r)
{
	for (unsigned i = 0; i < r->nwords; i++)
		sd_printf(b, "%s%s", i ? " " : "", r->words[i]);
}

static void
json_routes(struct sd_buf *b, const char *key, const struct cf_route_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		sd_printf(b, i ? "," : ",\"%s\":[", key);
		struct sd_buf tmp = { 0 };
		route_words(&tmp, &l->v[i]);
		sd_json_str(b, tmp.p ? tmp.p : "");
		sd_buf_free(&tmp);
	}
	if (l->n)
		sd_puts(b, "]");
}

static void
json_tracks(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_track_list *ifs = &v->cf->track_if;
	for (size_t i = 0; i < ifs->n; i++) {
		sd_printf(b, i ? "," : ",\"track_ifp\":[");
		sd_json_str(b, ifs->v[i].name);
	}
	if (ifs->n)
		sd_puts(b, "]");
	/* the scripts' command strings, not their names (verified) */
	bool first = true;
	for (size_t i = 0; i < v->ntracks; i++) {
		if (!v->tracks[i].cmd)
			continue;
		sd_puts(b, first ? ",\"track_script\":[" : ",");
		first = false;
		json_cmd(b, v->tracks[i].cmd);
	}
	if (!first)
		sd_puts(b, "]");
}

static int
auth_number(enum cf_auth a)
{
	return a == CF_AUTH_PASS ? 1 : a == CF_AUTH_AH ? 2 : 0;
}

static void
json_data(struct sd_buf *b, const struct sd_instance *v)
{
	const struct cf_vrrp_instance *cf = v->cf;
	bool backup = v->state == VRRP_STATE_BACKUP;
	sd_puts(b, "\"data\":{\"iname\":");
	sd_json_str(b, cf->name);
	json_int(b, "dont_track_primary", cf->dont_track_primary);
	json_int(b, "skip_check_adv_addr", v->skip_check_adv_addr);
	json_int(b, "strict_mode", v->strict);
	json_key_str(b, "vmac_ifname", cf->use_vmac ? cf->vmac_ifname : "");
	if (cf->ifname[0])
		json_key_str(b, "ifp_ifname", cf->ifname);
	json_int(b, "master_priority", backup ? v->master_priority : 0);
	sd_printf(b, ",\"last_transition\":%lld.%06lld",
		  (long long)(v->last_transition_us / 1000000),
		  (long long)(v->last_transition_us % 1000000));
	json_float(b, "garp_delay", v->garp.master_delay);
	json_int(b, "garp_refresh", v->garp.master_refresh);
	json_int(b, "garp_rep", v->garp.master_repeat);
	json_int(b, "garp_refresh_rep", v->garp.master_refresh_repeat);
	json_int(b, "garp_lower_prio_delay", v->garp.lower_prio_delay);
	json_int(b, "garp_lower_prio_rep", v->garp.lower_prio_repeat);
	json_int(b, "lower_prio_no_advert", v->lower_prio_no_advert);
	json_int(b, "higher_prio_send_advert", v->higher_prio_send_advert);
	json_int(b, "vrid", cf->vrid);
	json_int(b, "base_priority", v->base_priority);
	json_int(b, "effective_priority", v->effective_priority);
	json_bool(b, "vipset", v->state == VRRP_STATE_MASTER);
	json_bool(b, "promote_secondaries", cf->promote_secondaries);
	json_float(b, "adver_int", v->advert_us / 1e6);
	json_float(b, "master_adver_int", v->master_adver_us / 1e6);
	json_int(b, "accept", v->accept);
	json_bool(b, "nopreempt", cf->nopreempt);
	json_int(b, "preempt_delay", cf->preempt_delay_us / 1000000);
	json_int(b, "state", sd_state_number(v->state));
	json_int(b, "wantstate", sd_state_number(v->state));
	json_int(b, "version", cf->version);
	json_bool(b, "smtp_alert", v->smtp_alert);
	json_bool(b, "notify_deleted", cf->notify.deleted_set || cf->notify.deleted);
	json_notify(b, &cf->notify);
	json_vips(b, "vips", v, &cf->vips, v->state == VRRP_STATE_MASTER);
	json_vips(b, "evips", v, &cf->evips, v->state == VRRP_STATE_MASTER);
	json_routes(b, "vroutes", &cf->vroutes);
	json_routes(b, "vrules", &cf->vrules);
	json_tracks(b, v);
	json_int(b, "auth_type", cf->version == 2 ? auth_number(cf->auth_type) : 0);
	if (cf->version == 2 && cf->auth_type == CF_AUTH_PASS)
		json_key_str(b, "auth_data", cf->auth_pass);
	sd_puts(b, "}");
}

static void
json_stats(struct sd_buf *b, const struct sd_instance *v)
{
	struct sd_ka_stats k = sd_ka_stats(&v->c);
	sd_printf(b, "\"stats\":{\"advert_rcvd\":%llu", (unsigned long long)k.advert_rcvd);
	json_int(b, "advert_sent", (long long)k.advert_sent);
	json_int(b, "become_master", (long long)k.become_master);
	json_int(b, "release_master", (long long)k.release_master);
	json_int(b, "packet_len_err", (long long)k.packet_len_err);
	json_int(b, "advert_interval_err", (long long)k.advert_interval_err);
	json_int(b, "ip_ttl_err", (long long)k.ip_ttl_err);
	json_int(b, "invalid_type_rcvd", (long long)k.invalid_type_rcvd);
	json_int(b, "addr_list_err", (long long)k.addr_list_err);
	json_int(b, "invalid_authtype", (long long)k.invalid_authtype);
	json_int(b, "authtype_mismatch", (long long)k.authtype_mismatch);
	json_int(b, "auth_failure", (long long)k.auth_failure);
	json_int(b, "pri_zero_rcvd", (long long)k.pri_zero_rcvd);
	json_int(b, "pri_zero_sent", (long long)k.pri_zero_sent);
	sd_puts(b, "}");
}

void
sd_format_json(const struct sd_snapshot *s, struct sd_buf *b)
{
	sd_puts(b, "[");
	for (size_t i = 0; i < s->nvi; i++) {
		sd_puts(b, i ? ",{" : "{");
		json_data(b, &s->vi[i]);
		sd_puts(b, ",");
		json_stats(b, &s->vi[i]);
		sd_puts(b, "}");
	}
	sd_puts(b, "]\n");
}
