/* status_fmt.c - Vigil's live status from a snapshot (pure; see
 * state_dump.h): the JSON of GET /status, the Prometheus text of
 * GET /metrics, and the status protocol's request line and reply framing.
 * The socket side is status_srv.c; doc/engine.md documents the protocol.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "state_dump.h"

/* ---- GET /status -------------------------------------------------------------- */

static const char *
track_word(enum track_status st)
{
	return st == TRACK_GOOD ? "GOOD" : st == TRACK_BAD ? "BAD" : "INIT";
}

static void
json_addr_or_null(struct sd_buf *b, const char *key, const struct cf_inaddr *a)
{
	char buf[64];
	sd_printf(b, ",\"%s\":", key);
	if (a && a->family)
		sd_json_str(b, cf_inaddr_str(a, buf, sizeof(buf)));
	else
		sd_puts(b, "null");
}

static void
status_counters(struct sd_buf *b, const struct sd_counters *c)
{
	sd_printf(b, ",\"counters\":{\"adverts_received\":%llu,\"adverts_sent\":%llu,"
		  "\"became_master\":%llu,\"released_master\":%llu,\"transitions\":%llu,"
		  "\"priority_zero_received\":%llu,\"priority_zero_sent\":%llu,\"malformed\":{",
		  (unsigned long long)c->adverts_rcvd, (unsigned long long)c->adverts_sent,
		  (unsigned long long)c->become_master, (unsigned long long)c->release_master,
		  (unsigned long long)c->transitions, (unsigned long long)c->pri_zero_rcvd,
		  (unsigned long long)c->pri_zero_sent);
	for (int r = VRRP_PKT_OK + 1; r < VRRP_PKT_DROP_MAX; r++)
		sd_printf(b, "%s\"%s\":%llu", r == VRRP_PKT_OK + 1 ? "" : ",",
			  sd_drop_slug((enum vrrp_pkt_drop)r), (unsigned long long)c->drops[r]);
	sd_puts(b, "}}");
}

static void
status_tracks(struct sd_buf *b, const struct sd_instance *v)
{
	sd_puts(b, ",\"track_scripts\":[");
	for (size_t i = 0; i < v->ntracks; i++) {
		sd_puts(b, i ? ",{\"name\":" : "{\"name\":");
		sd_json_str(b, v->tracks[i].name);
		sd_printf(b, ",\"status\":\"%s\",\"weight\":%d}",
			  track_word(v->tracks[i].status), v->tracks[i].weight);
	}
	sd_puts(b, "]");
}

/* Who is master as far as this node knows: itself, the sender of the
 * adverts it accepts, or nobody (FAULT, INIT, no advert yet). */
static const struct cf_inaddr *
known_master(const struct sd_instance *v)
{
	if (v->state == VRRP_STATE_MASTER)
		return &v->src;
	if (v->state == VRRP_STATE_BACKUP && v->master.family)
		return &v->master;
	return NULL;
}

static void
status_instance(struct sd_buf *b, const struct sd_instance *v)
{
	sd_puts(b, "{\"name\":");
	sd_json_str(b, v->cf->name);
	sd_printf(b, ",\"state\":\"%s\",\"vrid\":%d,\"version\":%d,\"interface\":",
		  vrrp_state_name(v->state), v->cf->vrid, v->cf->version);
	sd_json_str(b, v->cf->ifname);
	sd_printf(b, ",\"priority\":{\"effective\":%u,\"base\":%u}",
		  v->effective_priority, v->base_priority);
	json_addr_or_null(b, "master", known_master(v));
	sd_printf(b, ",\"master_priority\":%u",
		  v->state == VRRP_STATE_MASTER ? v->effective_priority
		  : v->state == VRRP_STATE_BACKUP && v->master.family ? v->master_priority : 0);
	sd_printf(b, ",\"advert_interval_ms\":%u,\"master_advert_interval_ms\":%u",
		  v->advert_us / 1000, v->master_adver_us / 1000);
	sd_printf(b, ",\"stepped_down\":%s,\"last_transition\":%lld.%06lld",
		  v->stepped_down ? "true" : "false",
		  (long long)(v->last_transition_us / 1000000),
		  (long long)(v->last_transition_us % 1000000));
	if (v->sync_group) {
		sd_puts(b, ",\"sync_group\":");
		sd_json_str(b, v->sync_group);
	}
	status_counters(b, &v->c);
	status_tracks(b, v);
	sd_puts(b, "}");
}

void
sd_format_status(const struct sd_snapshot *s, struct sd_buf *b)
{
	sd_printf(b, "{\"pid\":%ld,\"router_id\":", s->pid);
	sd_json_str(b, s->router_id);
	sd_puts(b, ",\"instances\":[");
	for (size_t i = 0; i < s->nvi; i++) {
		if (i)
			sd_puts(b, ",");
		status_instance(b, &s->vi[i]);
	}
	sd_puts(b, "],\"virtual_servers\":[");
	for (size_t i = 0; i < s->nvs; i++) {
		sd_puts(b, i ? ",{\"name\":" : "{\"name\":");
		sd_json_str(b, s->vs[i].name);
		sd_printf(b, ",\"healthy\":%s}", s->vs[i].healthy ? "true" : "false");
	}
	sd_puts(b, "]}\n");
}

/* ---- GET /metrics -------------------------------------------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static void
label_value(struct sd_buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			sd_puts(b, "\\\\");
		else if (*s == '"')
			sd_puts(b, "\\\"");
		else if (*s == '\n')
			sd_puts(b, "\\n");
		else
			sd_printf(b, "%c", *s);
	}
}

static void
family(struct sd_buf *b, const char *name, const char *type, const char *help)
{
	sd_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample_start(struct sd_buf *b, const char *name, const struct sd_instance *v)
{
	sd_printf(b, "%s{instance=\"", name);
	label_value(b, v->cf->name);
	sd_puts(b, "\"");
}

/* One sample per instance of a per-instance counter or gauge. */
typedef uint64_t inst_value_fn(const struct sd_instance *v);

static void
per_instance(struct sd_buf *b, const struct sd_snapshot *s, const char *name,
	     const char *type, const char *help, inst_value_fn *value)
{
	family(b, name, type, help);
	for (size_t i = 0; i < s->nvi; i++) {
		sample_start(b, name, &s->vi[i]);
		sd_printf(b, "} %llu\n", (unsigned long long)value(&s->vi[i]));
	}
}

static uint64_t
v_state(const struct sd_instance *v)
{
	return (uint64_t)sd_state_number(v->state);
}

static uint64_t
v_rcvd(const struct sd_instance *v)
{
	return v->c.adverts_rcvd;
}

static uint64_t
v_sent(const struct sd_instance *v)
{
	return v->c.adverts_sent;
}

static uint64_t
v_trans(const struct sd_instance *v)
{
	return v->c.transitions;
}

static uint64_t
v_became(const struct sd_instance *v)
{
	return v->c.become_master;
}

static uint64_t
v_p0_rcvd(const struct sd_instance *v)
{
	return v->c.pri_zero_rcvd;
}

static uint64_t
v_p0_sent(const struct sd_instance *v)
{
	return v->c.pri_zero_sent;
}

static uint64_t
v_held(const struct sd_instance *v)
{
	return v->stepped_down;
}

static void
metrics_priority(struct sd_buf *b, const struct sd_snapshot *s)
{
	family(b, "vigil_vrrp_priority", "gauge",
	       "Priority: effective (advertised) and base (configured).");
	for (size_t i = 0; i < s->nvi; i++) {
		sample_start(b, "vigil_vrrp_priority", &s->vi[i]);
		sd_printf(b, ",kind=\"effective\"} %u\n", s->vi[i].effective_priority);
		sample_start(b, "vigil_vrrp_priority", &s->vi[i]);
		sd_printf(b, ",kind=\"base\"} %u\n", s->vi[i].base_priority);
	}
}

static void
metrics_malformed(struct sd_buf *b, const struct sd_snapshot *s)
{
	family(b, "vigil_vrrp_malformed_total", "counter",
	       "Received adverts dropped by a receive rule, by reason.");
	for (size_t i = 0; i < s->nvi; i++) {
		for (int r = VRRP_PKT_OK + 1; r < VRRP_PKT_DROP_MAX; r++) {
			sample_start(b, "vigil_vrrp_malformed_total", &s->vi[i]);
			sd_printf(b, ",reason=\"%s\"} %llu\n", sd_drop_slug((enum vrrp_pkt_drop)r),
				  (unsigned long long)s->vi[i].c.drops[r]);
		}
	}
}

static void
metrics_tracks(struct sd_buf *b, const struct sd_snapshot *s)
{
	family(b, "vigil_vrrp_track_script_up", "gauge",
	       "Track script status: 1 GOOD, 0 BAD, -1 no result yet.");
	for (size_t i = 0; i < s->nvi; i++) {
		for (size_t t = 0; t < s->vi[i].ntracks; t++) {
			const struct sd_track *k = &s->vi[i].tracks[t];
			sample_start(b, "vigil_vrrp_track_script_up", &s->vi[i]);
			sd_puts(b, ",script=\"");
			label_value(b, k->name);
			sd_printf(b, "\"} %d\n", k->status == TRACK_GOOD ? 1
						 : k->status == TRACK_BAD ? 0 : -1);
		}
	}
}

static void
metrics_vs(struct sd_buf *b, const struct sd_snapshot *s)
{
	if (!s->nvs)
		return;
	family(b, "vigil_proxy_virtual_server_healthy", "gauge",
	       "Built-in proxy: 1 if the virtual server has a usable real server.");
	for (size_t i = 0; i < s->nvs; i++) {
		sd_puts(b, "vigil_proxy_virtual_server_healthy{virtual_server=\"");
		label_value(b, s->vs[i].name);
		sd_printf(b, "\"} %d\n", s->vs[i].healthy);
	}
}

void
sd_format_metrics(const struct sd_snapshot *s, struct sd_buf *b)
{
	per_instance(b, s, "vigil_vrrp_state", "gauge",
		     "VRRP state (keepalived's numbers): 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT, 98 STOP.",
		     v_state);
	metrics_priority(b, s);
	per_instance(b, s, "vigil_vrrp_adverts_received_total", "counter",
		     "Adverts received and accepted.", v_rcvd);
	per_instance(b, s, "vigil_vrrp_adverts_sent_total", "counter",
		     "Adverts sent.", v_sent);
	metrics_malformed(b, s);
	per_instance(b, s, "vigil_vrrp_transitions_total", "counter",
		     "State transitions.", v_trans);
	per_instance(b, s, "vigil_vrrp_became_master_total", "counter",
		     "Transitions to MASTER.", v_became);
	per_instance(b, s, "vigil_vrrp_priority_zero_received_total", "counter",
		     "Adverts with priority 0 received.", v_p0_rcvd);
	per_instance(b, s, "vigil_vrrp_priority_zero_sent_total", "counter",
		     "Adverts with priority 0 sent.", v_p0_sent);
	per_instance(b, s, "vigil_vrrp_stepped_down", "gauge",
		     "1 while an operator step-down holds the instance in BACKUP.", v_held);
	metrics_tracks(b, s);
	metrics_vs(b, s);
}

/* ---- requests and replies --------------------------------------------------------- */

/* The next space-separated word of [*p, end); advances *p. */
static size_t
next_word(const char **p, const char *end, const char **word)
{
	while (*p < end && **p == ' ')
		(*p)++;
	*word = *p;
	while (*p < end && **p != ' ')
		(*p)++;
	return (size_t)(*p - *word);
}

static bool
word_is(const char *w, size_t n, const char *lit)
{
	return n == strlen(lit) && !memcmp(w, lit, n);
}

/* An instance name from a request: printable, no '/', bounded. */
static bool
take_name(struct sd_request *r, const char *w, size_t n)
{
	if (!n || n >= sizeof(r->instance))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isgraph((unsigned char)w[i]) || w[i] == '/')
			return false;
	memcpy(r->instance, w, n);
	r->instance[n] = '\0';
	return true;
}

/* Does PATH (N bytes) start with PREFIX?  Then *REST is what follows. */
static bool
path_has_prefix(const char *path, size_t n, const char *prefix, const char **rest,
		size_t *rn)
{
	size_t len = strlen(prefix);
	if (n < len || memcmp(path, prefix, len))
		return false;
	*rest = path + len;
	*rn = n - len;
	return true;
}

/* "GET /status", "GET /metrics", "POST /stepdown/NAME", "POST /stepup/NAME" */
static void
parse_http(struct sd_request *r, const char *m, size_t mn, const char *path, size_t pn)
{
	bool get = word_is(m, mn, "GET"), post = word_is(m, mn, "POST");
	const char *q = memchr(path, '?', pn), *name;
	size_t nn;
	if (q)
		pn = (size_t)(q - path);
	r->kind = SD_REQ_NOT_FOUND;
	if (word_is(path, pn, "/status"))
		r->kind = get ? SD_REQ_STATUS : SD_REQ_METHOD;
	else if (word_is(path, pn, "/metrics"))
		r->kind = get ? SD_REQ_METRICS : SD_REQ_METHOD;
	else if (path_has_prefix(path, pn, "/stepdown/", &name, &nn) && take_name(r, name, nn))
		r->kind = post ? SD_REQ_STEPDOWN : SD_REQ_METHOD;
	else if (path_has_prefix(path, pn, "/stepup/", &name, &nn) && take_name(r, name, nn))
		r->kind = post ? SD_REQ_STEPUP : SD_REQ_METHOD;
}

/* "status", "metrics", "stepdown NAME", "stepup NAME" */
static void
parse_plain(struct sd_request *r, const char *w, size_t n, const char **p, const char *end)
{
	const char *arg, *extra;
	size_t an = next_word(p, end, &arg);
	size_t xn = next_word(p, end, &extra);
	bool down = word_is(w, n, "stepdown"), up = word_is(w, n, "stepup");
	if (xn)
		r->kind = SD_REQ_BAD;
	else if (!an && word_is(w, n, "status"))
		r->kind = SD_REQ_STATUS;
	else if (!an && word_is(w, n, "metrics"))
		r->kind = SD_REQ_METRICS;
	else if (down || up)
		r->kind = !take_name(r, arg, an) ? SD_REQ_BAD
			  : down ? SD_REQ_STEPDOWN : SD_REQ_STEPUP;
	else
		r->kind = SD_REQ_NOT_FOUND;
}

void
sd_parse_request(const char *line, size_t len, struct sd_request *r)
{
	memset(r, 0, sizeof(*r));
	r->kind = SD_REQ_BAD;
	const char *p = line, *end = line + len;
	while (end > p && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *w1, *w2, *w3;
	size_t n1 = next_word(&p, end, &w1);
	const char *after_first = p;
	size_t n2 = next_word(&p, end, &w2);
	size_t n3 = next_word(&p, end, &w3);
	if (n3 > 5 && !memcmp(w3, "HTTP/", 5)) {
		r->http = true;
		if (p == end && n2 && w2[0] == '/')
			parse_http(r, w1, n1, w2, n2);
		return;
	}
	if (!n1)
		return;
	p = after_first;
	parse_plain(r, w1, n1, &p, end);
}

static const char *
reason_phrase(int code)
{
	switch (code) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 500: return "Internal Server Error";
	}
	return "Error";
}

void
sd_frame_reply(struct sd_buf *out, const struct sd_request *r, int code,
	       const char *content_type, const struct sd_buf *body)
{
	size_t blen = body->p ? body->len : 0;
	if (r->http)
		sd_printf(out, "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
			  "Connection: close\r\n\r\n", code, reason_phrase(code),
			  content_type, blen);
	if (blen)
		sd_puts(out, body->p);
}
