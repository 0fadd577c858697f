/* nl_route.c - virtual/static routes and rules through rtnetlink (libmnl).
 *
 * The words of a route or rule line (`ip route` / `ip rule` syntax) are
 * read into a spec, then the spec is encoded.  What goes on the wire was
 * checked against keepalived 2.2.7 (strace of its RTM_NEWROUTE/DELROUTE
 * and RTM_NEWRULE/DELRULE requests in a namespace):
 *  - routes: rtm_protocol 18, on add and delete alike; "protocol" counts
 *    only with no_track (keepalived resets it: "Route cannot be tracked
 *    if protocol is not RTPROT_KEEPALIVED(18), resetting protocol");
 *    scope as written, else universe (no `ip route` "link" default for
 *    routes without a gateway); rtm_table for tables below
 *    256, else RT_TABLE_UNSPEC plus RTA_TABLE; RTA_DST always, even for
 *    "default"; flags CREATE ("prepend", the default), CREATE|EXCL for
 *    "add" and for every type but unicast, CREATE|APPEND for "append".
 *    Deletes carry the same attributes, scope NOWHERE unless one was
 *    written, type UNSPEC unless it is not unicast.
 *  - rules: CREATE|EXCL on add; the same message on delete; preference
 *    16384 when none is written; interfaces by name; FRA_PROTOCOL 18, or
 *    with no_track what "protocol" says, and none if it says nothing.
 *    (keepalived 2.2.7 takes only numbers there: "Invalid protocol
 *    static"; Vigil also takes the names.)
 * Where keepalived 2.2.7 is wrong Vigil does not follow it:
 *  - "or ADDR" sent RTA_OIF beside an RTA_MULTIPATH whose nexthops have no
 *    device, which the kernel refuses (EINVAL): Vigil puts the device in
 *    every nexthop and sends no RTA_OIF.
 *  - "local"/"nat" routes went out with scope universe (EINVAL) and table
 *    main: Vigil defaults them to scope host, broadcast/multicast/anycast
 *    to scope link, and local/broadcast/anycast/nat to table local, as
 *    ip route does.
 *  - "rtt 100ms" went out as 1600 (twice iproute2's 800).
 *  - "dport" on a rule was dropped; "inet6 fwmark N" was refused.
 * It refused "via inet6 ADDR" on an IPv4 route ("Cannot mix IPv4 and IPv6
 * addresses for route"); Vigil sends RTA_VIA, which kernels since 5.2
 * take.
 * Not encoded (the builder returns 0): "as", "encap", "vrf", names from
 * /etc/iproute2 files (tables, realms, dsfields other than numbers).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "nl_route.h"

#define NL_REPLY_TIMEOUT_MS	1000
#define RT_MAX_HOPS		16
#define RT_NO_SCOPE		(-1)
#define RT_PREF_UNSET		(-1)
#define RT_PREF_MEDIUM		0x0	/* ICMPV6_ROUTER_PREF_*, linux/icmpv6.h */
#define RT_PREF_HIGH		0x1
#define RT_PREF_LOW		0x3

/* ---- words and values ------------------------------------------------ */

struct words {
	char *const *w;
	unsigned n, i;
};

static const char *
next_word(struct words *ws)
{
	return ws->i < ws->n ? ws->w[ws->i++] : NULL;
}

static const char *
peek_word(const struct words *ws)
{
	return ws->i < ws->n ? ws->w[ws->i] : NULL;
}

struct name_val {
	const char *name;
	uint32_t val;
};

static bool
parse_ulong(const char *s, int base, unsigned long max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool
parse_u32(const char *s, uint32_t *out)
{
	return parse_ulong(s, 0, UINT32_MAX, out);
}

/* A name from TABLE, or a number up to MAX. */
static bool
parse_named(const struct name_val *table, const char *s, uint32_t max,
	    uint32_t *out)
{
	if (!s)
		return false;
	for (; table->name; table++) {
		if (!strcmp(table->name, s)) {
			*out = table->val;
			return true;
		}
	}
	return parse_ulong(s, 0, max, out);
}

/* tos/dsfield: hexadecimal with or without 0x, as iproute2 reads it. */
static bool
parse_dsfield(const char *s, uint8_t *out)
{
	uint32_t v;

	if (!parse_ulong(s, 16, UINT8_MAX, &v))
		return false;
	*out = (uint8_t)v;
	return true;
}

/* "N" or "N-M" (N-N when alone). */
static bool
parse_range(const char *s, uint32_t max, uint32_t *lo, uint32_t *hi)
{
	char tmp[32];
	char *dash;

	if (!s || strlen(s) >= sizeof(tmp))
		return false;
	strcpy(tmp, s);
	dash = strchr(tmp, '-');
	if (dash)
		*dash++ = '\0';
	if (!parse_ulong(tmp, 0, max, lo))
		return false;
	if (!dash) {
		*hi = *lo;
		return true;
	}
	return parse_ulong(dash, 0, max, hi) && *hi >= *lo;
}

/* realms [FROM/]TO: TO in the low 16 bits, FROM in the high ones. */
static bool
parse_realms(const char *s, uint32_t *out)
{
	uint32_t from = 0, to;
	char tmp[32];
	char *slash;

	if (!s || strlen(s) >= sizeof(tmp))
		return false;
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash) {
		*slash++ = '\0';
		if (!parse_ulong(tmp, 0, UINT16_MAX, &from))
			return false;
	}
	if (!parse_ulong(slash ? slash : tmp, 0, UINT16_MAX, &to))
		return false;
	*out = from << 16 | to;
	return true;
}

static bool
parse_addr(const char *s, struct cf_inaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (!s)
		return false;
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	return inet_pton(a->family, s, a->a) == 1;
}

/*
 * ADDR[/LEN], or default/any/all (family AF_UNSPEC, length 0: the family
 * comes from elsewhere), or default6.  Host bits must be clear, as the
 * kernel wants for routes (EINVAL otherwise) and rules.
 */
static bool
parse_prefix(const char *s, struct cf_inaddr *a, uint8_t *len)
{
	char tmp[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint32_t plen;
	size_t alen;

	memset(a, 0, sizeof(*a));
	*len = 0;
	if (!s || strlen(s) >= sizeof(tmp))
		return false;
	if (!strcmp(s, "default") || !strcmp(s, "any") || !strcmp(s, "all"))
		return true;
	if (!strcmp(s, "default6")) {
		a->family = AF_INET6;
		return true;
	}
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash)
		*slash++ = '\0';
	if (!parse_addr(tmp, a))
		return false;
	alen = cf_family_len(a->family);
	if (!slash)
		plen = (uint32_t)alen * 8;
	else if (!parse_ulong(slash, 10, alen * 8, &plen))
		return false;
	*len = (uint8_t)plen;
	for (size_t bit = plen; bit < alen * 8; bit++)
		if (a->a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* The family the words settle on: FAM if already known, else A's. */
static bool
merge_family(int *fam, const struct cf_inaddr *a)
{
	if (a->family == AF_UNSPEC)
		return true;
	if (*fam == AF_UNSPEC)
		*fam = a->family;
	return *fam == a->family;
}

static const struct name_val rt_tables[] = {
	{ "unspec", RT_TABLE_UNSPEC }, { "default", RT_TABLE_DEFAULT },
	{ "main", RT_TABLE_MAIN }, { "local", RT_TABLE_LOCAL }, { NULL, 0 },
};

static const struct name_val rt_protos[] = {
	{ "unspec", RTPROT_UNSPEC }, { "redirect", RTPROT_REDIRECT },
	{ "kernel", RTPROT_KERNEL }, { "boot", RTPROT_BOOT },
	{ "static", RTPROT_STATIC }, { "gated", 8 }, { "ra", 9 }, { "mrt", 10 },
	{ "zebra", 11 }, { "bird", 12 }, { "dnrouted", 13 }, { "xorp", 14 },
	{ "ntk", 15 }, { "dhcp", 16 }, { "keepalived", NL_RTPROT_KEEPALIVED },
	{ "babel", 42 }, { "bgp", 186 }, { "isis", 187 }, { "ospf", 188 },
	{ "rip", 189 }, { "eigrp", 192 }, { NULL, 0 },
};

static const struct name_val rt_scopes[] = {
	{ "global", RT_SCOPE_UNIVERSE }, { "universe", RT_SCOPE_UNIVERSE },
	{ "site", RT_SCOPE_SITE }, { "link", RT_SCOPE_LINK },
	{ "host", RT_SCOPE_HOST }, { "nowhere", RT_SCOPE_NOWHERE }, { NULL, 0 },
};

static const struct name_val rt_types[] = {
	{ "unicast", RTN_UNICAST }, { "local", RTN_LOCAL },
	{ "broadcast", RTN_BROADCAST }, { "anycast", RTN_ANYCAST },
	{ "multicast", RTN_MULTICAST }, { "blackhole", RTN_BLACKHOLE },
	{ "unreachable", RTN_UNREACHABLE }, { "prohibit", RTN_PROHIBIT },
	{ "throw", RTN_THROW }, { "nat", RTN_NAT }, { NULL, 0 },
};

static bool
lookup_name(const struct name_val *table, const char *s, uint32_t *out)
{
	for (; table->name; table++) {
		if (!strcmp(table->name, s)) {
			*out = table->val;
			return true;
		}
	}
	return false;
}

/* ---- routes: the words ----------------------------------------------- */

struct rt_hop {
	struct cf_inaddr gw;		/* AF_UNSPEC: none */
	int ifindex;			/* 0: none */
	uint32_t weight;		/* 1..256; 0: unset (1) */
	uint8_t flags;			/* RTNH_F_ONLINK */
	bool has_realms;
	uint32_t realms;
};

struct rt_spec {
	int family;			/* inet/inet6 as written, then resolved */
	uint8_t type;
	bool type_set;
	struct cf_inaddr dst, src, prefsrc;
	uint8_t dst_len, src_len;
	bool has_dst;
	struct rt_hop hop;		/* the route's own via/dev/onlink/realms */
	struct rt_hop hops[RT_MAX_HOPS];
	unsigned nhops;
	bool or_form;			/* "or ADDR": hops are alternative gateways */
	uint32_t table;
	bool table_set;
	bool has_metric;
	uint32_t metric;
	int scope;			/* RT_NO_SCOPE: the default */
	uint8_t protocol;
	bool no_track;
	uint8_t tos;
	bool action_set;
	uint16_t action;		/* NLM_F_EXCL ("add"), NLM_F_APPEND, 0 */
	uint32_t mx[RTAX_MAX + 1];
	uint32_t mx_set, mx_lock;	/* bit per RTAX_* */
	char congctl[16];
	bool has_expires;
	uint32_t expires;
	int pref;			/* RT_PREF_UNSET or RTA_PREF value */
	int ttl_prop;			/* -1 unset, 0/1 */
};

struct rt_parse {
	struct words ws;
	struct rt_spec *s;
	struct rt_hop *cur;		/* the nexthop being read, or NULL */
};

static struct rt_hop *
rt_hop_of(struct rt_parse *p)
{
	return p->cur ? p->cur : &p->s->hop;
}

/* "inet" / "inet6": sets the family, which must not contradict it */
static bool
set_family(int *family, const char *kw)
{
	int fam = strcmp(kw, "inet6") ? AF_INET : AF_INET6;

	if (*family != AF_UNSPEC && *family != fam)
		return false;
	*family = fam;
	return true;
}

static bool
rt_family(struct rt_parse *p, const char *kw)
{
	return set_family(&p->s->family, kw);
}

static bool
rt_prefsrc(struct rt_parse *p, const char *kw)
{
	return parse_addr(next_word(&p->ws), &p->s->prefsrc);
}

/* via|gw [inet|inet6] ADDR: a family word says which family ADDR is. */
static bool
rt_via(struct rt_parse *p, const char *kw)
{
	struct rt_hop *h = rt_hop_of(p);
	const char *w = next_word(&p->ws);
	int fam = AF_UNSPEC;

	if (w && (!strcmp(w, "inet") || !strcmp(w, "inet6"))) {
		fam = strcmp(w, "inet") ? AF_INET6 : AF_INET;
		w = next_word(&p->ws);
	}
	if (h->gw.family != AF_UNSPEC || !parse_addr(w, &h->gw))
		return false;
	return fam == AF_UNSPEC || fam == h->gw.family;
}

static bool
rt_from(struct rt_parse *p, const char *kw)
{
	return parse_prefix(next_word(&p->ws), &p->s->src, &p->s->src_len);
}

static bool
rt_to(struct rt_parse *p, const char *kw)
{
	if (p->s->has_dst)
		return false;
	p->s->has_dst = true;
	return parse_prefix(next_word(&p->ws), &p->s->dst, &p->s->dst_len);
}

static bool
rt_tos(struct rt_parse *p, const char *kw)
{
	return parse_dsfield(next_word(&p->ws), &p->s->tos);
}

static bool
rt_table(struct rt_parse *p, const char *kw)
{
	p->s->table_set = true;
	return parse_named(rt_tables, next_word(&p->ws), UINT32_MAX, &p->s->table);
}

static bool
rt_protocol(struct rt_parse *p, const char *kw)
{
	uint32_t v;

	if (!parse_named(rt_protos, next_word(&p->ws), UINT8_MAX, &v))
		return false;
	p->s->protocol = (uint8_t)v;
	return true;
}

static bool
rt_scope(struct rt_parse *p, const char *kw)
{
	uint32_t v;

	if (!parse_named(rt_scopes, next_word(&p->ws), UINT8_MAX, &v))
		return false;
	p->s->scope = (int)v;
	return true;
}

static bool
rt_metric(struct rt_parse *p, const char *kw)
{
	p->s->has_metric = true;
	return parse_u32(next_word(&p->ws), &p->s->metric);
}

static bool
rt_dev(struct rt_parse *p, const char *kw)
{
	const char *name = next_word(&p->ws);
	struct rt_hop *h = rt_hop_of(p);

	if (!name || strlen(name) >= IF_NAMESIZE)
		return false;
	h->ifindex = (int)if_nametoindex(name);
	return h->ifindex > 0;
}

static bool
rt_onlink(struct rt_parse *p, const char *kw)
{
	rt_hop_of(p)->flags |= RTNH_F_ONLINK;
	return true;
}

static bool
rt_realms(struct rt_parse *p, const char *kw)
{
	struct rt_hop *h = rt_hop_of(p);

	h->has_realms = true;
	return parse_realms(next_word(&p->ws), &h->realms);
}

static bool
rt_weight(struct rt_parse *p, const char *kw)
{
	if (!p->cur || !parse_ulong(next_word(&p->ws), 0, 256, &p->cur->weight))
		return false;
	return p->cur->weight >= 1;
}

static bool
rt_nexthop(struct rt_parse *p, const char *kw)
{
	if (p->s->or_form || p->s->nhops >= RT_MAX_HOPS)
		return false;
	p->cur = &p->s->hops[p->s->nhops++];
	return true;
}

/* or ADDR: keepalived's older way to write a second gateway. */
static bool
rt_or(struct rt_parse *p, const char *kw)
{
	struct rt_hop *h;

	if (p->cur || (p->s->nhops && !p->s->or_form) ||
	    p->s->nhops >= RT_MAX_HOPS)
		return false;
	p->s->or_form = true;
	h = &p->s->hops[p->s->nhops++];
	return parse_addr(next_word(&p->ws), &h->gw);
}

static bool
rt_action(struct rt_parse *p, const char *kw)
{
	p->s->action_set = true;
	if (!strcmp(kw, "add"))
		p->s->action = NLM_F_EXCL;
	else if (!strcmp(kw, "append"))
		p->s->action = NLM_F_APPEND;
	else
		p->s->action = 0;	/* prepend */
	return true;
}

static bool
rt_pref(struct rt_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);

	if (!w)
		return false;
	if (!strcmp(w, "low"))
		p->s->pref = RT_PREF_LOW;
	else if (!strcmp(w, "medium"))
		p->s->pref = RT_PREF_MEDIUM;
	else if (!strcmp(w, "high"))
		p->s->pref = RT_PREF_HIGH;
	else
		return false;
	return true;
}

static bool
rt_ttl_propagate(struct rt_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);

	if (!w)
		return false;
	if (!strcmp(w, "enabled"))
		p->s->ttl_prop = 1;
	else if (!strcmp(w, "disabled"))
		p->s->ttl_prop = 0;
	else
		return false;
	return true;
}

static bool
rt_expires(struct rt_parse *p, const char *kw)
{
	p->s->has_expires = true;
	return parse_u32(next_word(&p->ws), &p->s->expires);
}

static bool
rt_no_track(struct rt_parse *p, const char *kw)
{
	p->s->no_track = true;
	return true;
}

static bool
rt_skip_value(struct rt_parse *p, const char *kw)
{
	return next_word(&p->ws) != NULL;
}

/* ---- routes: metrics ------------------------------------------------- */

enum mx_kind { MX_PLAIN, MX_RTT, MX_RTTVAR, MX_RTO_MIN };

struct mx_kw {
	const char *name;
	uint16_t rtax;
	enum mx_kind kind;
};

static const struct mx_kw mx_kws[] = {
	{ "mtu", RTAX_MTU, MX_PLAIN }, { "window", RTAX_WINDOW, MX_PLAIN },
	{ "rtt", RTAX_RTT, MX_RTT }, { "rttvar", RTAX_RTTVAR, MX_RTTVAR },
	{ "ssthresh", RTAX_SSTHRESH, MX_PLAIN }, { "cwnd", RTAX_CWND, MX_PLAIN },
	{ "advmss", RTAX_ADVMSS, MX_PLAIN },
	{ "reordering", RTAX_REORDERING, MX_PLAIN },
	{ "hoplimit", RTAX_HOPLIMIT, MX_PLAIN },
	{ "initcwnd", RTAX_INITCWND, MX_PLAIN },
	{ "rto_min", RTAX_RTO_MIN, MX_RTO_MIN },
	{ "initrwnd", RTAX_INITRWND, MX_PLAIN },
	{ NULL, 0, MX_PLAIN },
};

/*
 * A time as iproute2's get_time_rtt reads it: a bare number is in the
 * kernel's own units (*raw); with s/sec/secs or ms/msec/msecs it is
 * milliseconds, which the caller scales.
 */
static bool
parse_rtt(const char *s, uint32_t *out, bool *raw)
{
	char *end;
	double t;

	if (!s || !*s || *s == '-')
		return false;
	t = strtod(s, &end);
	if (end == s || t < 0)
		return false;
	*raw = !*end;
	if (!strcmp(end, "s") || !strcmp(end, "sec") || !strcmp(end, "secs"))
		t *= 1000;
	else if (*end && strcmp(end, "ms") && strcmp(end, "msec") &&
		 strcmp(end, "msecs"))
		return false;
	if (t > UINT32_MAX / 8)
		return false;
	*out = (uint32_t)t;
	if (*out < t)
		(*out)++;
	return true;
}

static bool
mx_value(const struct mx_kw *k, const char *s, uint32_t *out)
{
	bool raw;

	if (k->kind == MX_PLAIN)
		return parse_u32(s, out);
	if (!parse_rtt(s, out, &raw))
		return false;
	if (!raw && k->kind == MX_RTT)
		*out *= 8;
	else if (!raw && k->kind == MX_RTTVAR)
		*out *= 4;
	return true;
}

static void
mx_put(struct rt_spec *s, uint16_t rtax, uint32_t v, bool lock)
{
	s->mx[rtax] = v;
	s->mx_set |= 1U << rtax;
	if (lock)
		s->mx_lock |= 1U << rtax;
}

/* KW [lock] VALUE */
static bool
rt_mx(struct rt_parse *p, const char *kw)
{
	const struct mx_kw *k;
	const char *w = next_word(&p->ws);
	bool lock = false;
	uint32_t v;

	for (k = mx_kws; k->name && strcmp(k->name, kw); k++)
		;
	if (!k->name)
		return false;
	if (w && !strcmp(w, "lock")) {
		lock = true;
		w = next_word(&p->ws);
	}
	if (!mx_value(k, w, &v))
		return false;
	mx_put(p->s, k->rtax, v, lock);
	return true;
}

static bool
rt_features(struct rt_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);

	if (!w || strcmp(w, "ecn"))
		return false;
	mx_put(p->s, RTAX_FEATURES, p->s->mx[RTAX_FEATURES] | RTAX_FEATURE_ECN,
	       false);
	return true;
}

static bool
rt_quickack(struct rt_parse *p, const char *kw)
{
	uint32_t v;

	if (!parse_ulong(next_word(&p->ws), 0, 1, &v))
		return false;
	mx_put(p->s, RTAX_QUICKACK, v, false);
	return true;
}

/* fastopen_no_cookie [0|1]: Vigil's parser takes it without a value. */
static bool
rt_fastopen(struct rt_parse *p, const char *kw)
{
	const char *w = peek_word(&p->ws);
	uint32_t v = 1;

	if (w && (!strcmp(w, "0") || !strcmp(w, "1"))) {
		v = (uint32_t)(*w - '0');
		p->ws.i++;
	}
	mx_put(p->s, RTAX_FASTOPEN_NO_COOKIE, v, false);
	return true;
}

static bool
rt_congctl(struct rt_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);
	bool lock = false;

	if (w && !strcmp(w, "lock")) {
		lock = true;
		w = next_word(&p->ws);
	}
	if (!w || !*w || strlen(w) >= sizeof(p->s->congctl))
		return false;
	strcpy(p->s->congctl, w);
	mx_put(p->s, RTAX_CC_ALGO, 0, lock);
	return true;
}

/* ---- routes: the keyword table --------------------------------------- */

struct rt_kw {
	const char *name;
	bool (*fn)(struct rt_parse *p, const char *kw);
};

static const struct rt_kw rt_kws[] = {
	{ "inet", rt_family }, { "inet6", rt_family },
	{ "src", rt_prefsrc }, { "via", rt_via }, { "gw", rt_via },
	{ "from", rt_from }, { "to", rt_to },
	{ "tos", rt_tos }, { "dsfield", rt_tos },
	{ "table", rt_table }, { "protocol", rt_protocol }, { "scope", rt_scope },
	{ "metric", rt_metric }, { "priority", rt_metric },
	{ "preference", rt_metric },
	{ "dev", rt_dev }, { "oif", rt_dev }, { "onlink", rt_onlink },
	{ "realms", rt_realms }, { "weight", rt_weight },
	{ "nexthop", rt_nexthop }, { "or", rt_or },
	{ "add", rt_action }, { "prepend", rt_action }, { "append", rt_action },
	{ "pref", rt_pref }, { "ttl-propagate", rt_ttl_propagate },
	{ "expires", rt_expires },
	{ "mtu", rt_mx }, { "window", rt_mx }, { "rtt", rt_mx },
	{ "rttvar", rt_mx }, { "ssthresh", rt_mx }, { "cwnd", rt_mx },
	{ "advmss", rt_mx }, { "reordering", rt_mx }, { "hoplimit", rt_mx },
	{ "initcwnd", rt_mx }, { "rto_min", rt_mx }, { "initrwnd", rt_mx },
	{ "features", rt_features }, { "quickack", rt_quickack },
	{ "fastopen_no_cookie", rt_fastopen }, { "congctl", rt_congctl },
	{ "no_track", rt_no_track }, { "track_group", rt_skip_value },
	{ NULL, NULL },
};

static const struct rt_kw *
find_rt_kw(const char *w)
{
	for (const struct rt_kw *k = rt_kws; k->name; k++)
		if (!strcmp(k->name, w))
			return k;
	return NULL;
}

/* One word at the route's level: a keyword, the type (before the
 * destination) or the destination. */
static bool
rt_word(struct rt_parse *p, const char *w)
{
	const struct rt_kw *k = find_rt_kw(w);
	uint32_t type;

	if (k)
		return k->fn(p, w);
	if (!p->s->has_dst && !p->s->type_set &&
	    lookup_name(rt_types, w, &type)) {
		p->s->type = (uint8_t)type;
		p->s->type_set = true;
		return true;
	}
	if (p->s->has_dst)
		return false;
	p->s->has_dst = true;
	return parse_prefix(w, &p->s->dst, &p->s->dst_len);
}

static void
rt_spec_init(struct rt_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->type = RTN_UNICAST;
	s->table = RT_TABLE_MAIN;
	s->scope = RT_NO_SCOPE;
	s->protocol = NL_RTPROT_KEEPALIVED;
	s->pref = RT_PREF_UNSET;
	s->ttl_prop = -1;
}

/* The route's family: inet/inet6, else the destination's, the sources',
 * a gateway's, else IPv4.  Gateways may differ (RTA_VIA); nothing else. */
static bool
rt_resolve_family(struct rt_spec *s)
{
	int fam = s->family;

	if (!merge_family(&fam, &s->dst) || !merge_family(&fam, &s->src) ||
	    !merge_family(&fam, &s->prefsrc))
		return false;
	if (fam == AF_UNSPEC)
		fam = s->hop.gw.family;
	for (unsigned i = 0; fam == AF_UNSPEC && i < s->nhops; i++)
		fam = s->hops[i].gw.family;
	s->family = fam == AF_UNSPEC ? AF_INET : fam;
	return true;
}

/* "X via G1 or G2 dev D": nexthops G1 and G2, each on D. */
static bool
rt_expand_or(struct rt_spec *s)
{
	if (!s->or_form)
		return true;
	if (s->hop.gw.family == AF_UNSPEC || s->nhops >= RT_MAX_HOPS)
		return false;
	memmove(&s->hops[1], &s->hops[0], s->nhops * sizeof(s->hops[0]));
	s->nhops++;
	s->hops[0] = s->hop;
	s->hops[0].has_realms = false;
	for (unsigned i = 1; i < s->nhops; i++) {
		s->hops[i].ifindex = s->hop.ifindex;
		s->hops[i].flags = s->hop.flags;
	}
	memset(&s->hop.gw, 0, sizeof(s->hop.gw));
	s->hop.ifindex = 0;
	s->hop.flags = 0;
	return true;
}

/* Types ip route puts in table local unless told (keepalived 2.2.7 used
 * main, where the kernel takes a local route but never uses it). */
static bool
rt_local_table(uint8_t type)
{
	return type == RTN_LOCAL || type == RTN_BROADCAST ||
	       type == RTN_ANYCAST || type == RTN_NAT;
}

static bool
rt_parse_words(const struct cf_route *r, struct rt_spec *s)
{
	struct rt_parse p = { .ws = { r->words, r->nwords, 0 }, .s = s };
	const char *w;

	rt_spec_init(s);
	if (!r->words || !r->nwords)
		return false;
	while ((w = next_word(&p.ws)))
		if (!rt_word(&p, w))
			return false;
	if (!s->table_set && rt_local_table(s->type))
		s->table = RT_TABLE_LOCAL;
	/* keepalived tracks its routes by protocol: "Route cannot be tracked
	 * if protocol is not RTPROT_KEEPALIVED(18), resetting protocol" */
	if (!s->no_track && !r->no_track)
		s->protocol = NL_RTPROT_KEEPALIVED;
	return s->has_dst && rt_resolve_family(s) && rt_expand_or(s);
}

/* ---- routes: encoding ------------------------------------------------ */

static bool
rt_needs_dev(uint8_t type)
{
	return type == RTN_UNICAST || type == RTN_LOCAL ||
	       type == RTN_BROADCAST || type == RTN_ANYCAST ||
	       type == RTN_MULTICAST || type == RTN_NAT;
}

/* The scope ip route would pick for TYPE: the kernel refuses less. */
static uint8_t
rt_default_scope(uint8_t type)
{
	if (type == RTN_LOCAL || type == RTN_NAT)
		return RT_SCOPE_HOST;
	if (type == RTN_BROADCAST || type == RTN_MULTICAST ||
	    type == RTN_ANYCAST)
		return RT_SCOPE_LINK;
	return RT_SCOPE_UNIVERSE;
}

static void
rt_fill_rtmsg(struct rtmsg *rtm, const struct rt_spec *s, bool add)
{
	rtm->rtm_family = (uint8_t)s->family;
	rtm->rtm_dst_len = s->dst_len;
	rtm->rtm_src_len = s->src_len;
	rtm->rtm_tos = s->tos;
	rtm->rtm_table = s->table < 256 ? (uint8_t)s->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = s->protocol;
	if (s->scope != RT_NO_SCOPE)
		rtm->rtm_scope = (uint8_t)s->scope;
	else
		rtm->rtm_scope = add ? rt_default_scope(s->type) : RT_SCOPE_NOWHERE;
	if (add || s->type != RTN_UNICAST)
		rtm->rtm_type = s->type;
	else
		rtm->rtm_type = RTN_UNSPEC;
	rtm->rtm_flags = s->hop.flags;
}

static bool
put_inaddr(struct nlmsghdr *nlh, size_t len, uint16_t type,
	   const struct cf_inaddr *a, int family)
{
	size_t alen = cf_family_len(family);
	static const uint8_t zero[16];

	/* "default": the family's all-zero address */
	return mnl_attr_put_check(nlh, len, type, alen,
				  a->family == AF_UNSPEC ? zero : a->a);
}

/* A gateway of the route's family is RTA_GATEWAY, another one RTA_VIA. */
static bool
put_gateway(struct nlmsghdr *nlh, size_t len, const struct cf_inaddr *gw,
	    int family)
{
	uint8_t via[sizeof(struct rtvia) + 16];
	struct rtvia *v = (struct rtvia *)via;
	size_t alen = cf_family_len(gw->family);

	if (gw->family == AF_UNSPEC)
		return true;
	if (gw->family == family)
		return mnl_attr_put_check(nlh, len, RTA_GATEWAY, alen, gw->a);
	v->rtvia_family = gw->family;
	memcpy(v->rtvia_addr, gw->a, alen);
	return mnl_attr_put_check(nlh, len, RTA_VIA, sizeof(*v) + alen, via);
}

static bool
put_metrics(struct nlmsghdr *nlh, size_t len, const struct rt_spec *s)
{
	struct nlattr *nest;
	bool ok = true;

	if (!s->mx_set)
		return true;
	nest = mnl_attr_nest_start_check(nlh, len, RTA_METRICS);
	if (!nest)
		return false;
	for (uint16_t t = RTAX_LOCK + 1; ok && t <= RTAX_MAX; t++) {
		if (!(s->mx_set & (1U << t)))
			continue;
		if (t == RTAX_CC_ALGO)
			ok = mnl_attr_put_strz_check(nlh, len, t, s->congctl);
		else
			ok = mnl_attr_put_u32_check(nlh, len, t, s->mx[t]);
	}
	if (ok && s->mx_lock)
		ok = mnl_attr_put_u32_check(nlh, len, RTAX_LOCK, s->mx_lock);
	if (!ok) {
		mnl_attr_nest_cancel(nlh, nest);
		return false;
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* One struct rtnexthop and its attributes. */
static bool
put_hop(struct nlmsghdr *nlh, size_t len, const struct rt_hop *h, int family)
{
	struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);

	if (nlh->nlmsg_len + RTNH_ALIGN(sizeof(*rtnh)) > len)
		return false;
	memset(rtnh, 0, sizeof(*rtnh));
	rtnh->rtnh_flags = h->flags;
	rtnh->rtnh_hops = (uint8_t)(h->weight ? h->weight - 1 : 0);
	rtnh->rtnh_ifindex = h->ifindex;
	nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
	if (!put_gateway(nlh, len, &h->gw, family))
		return false;
	if (h->has_realms &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_FLOW, h->realms))
		return false;
	rtnh->rtnh_len = (unsigned short)((uint8_t *)mnl_nlmsg_get_payload_tail(nlh) -
					  (uint8_t *)rtnh);
	return true;
}

static bool
put_multipath(struct nlmsghdr *nlh, size_t len, const struct rt_spec *s)
{
	struct nlattr *nest;

	if (!s->nhops)
		return true;
	nest = mnl_attr_nest_start_check(nlh, len, RTA_MULTIPATH);
	if (!nest)
		return false;
	for (unsigned i = 0; i < s->nhops; i++) {
		if (!put_hop(nlh, len, &s->hops[i], s->family)) {
			mnl_attr_nest_cancel(nlh, nest);
			return false;
		}
	}
	mnl_attr_nest_end(nlh, nest);
	return true;
}

/* RTA_TABLE, RTA_DST, RTA_SRC, RTA_PREFSRC, RTA_GATEWAY, RTA_OIF,
 * RTA_PRIORITY: keepalived's order. */
static bool
put_route_main(struct nlmsghdr *nlh, size_t len, const struct rt_spec *s,
	       int oif)
{
	if (s->table >= 256 &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_TABLE, s->table))
		return false;
	if (!put_inaddr(nlh, len, RTA_DST, &s->dst, s->family))
		return false;
	if (s->src.family != AF_UNSPEC &&
	    !put_inaddr(nlh, len, RTA_SRC, &s->src, s->family))
		return false;
	if (s->prefsrc.family != AF_UNSPEC &&
	    !put_inaddr(nlh, len, RTA_PREFSRC, &s->prefsrc, s->family))
		return false;
	if (!put_gateway(nlh, len, &s->hop.gw, s->family))
		return false;
	if (oif > 0 && !mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)oif))
		return false;
	if (s->has_metric &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, s->metric))
		return false;
	return true;
}

static bool
put_route_extra(struct nlmsghdr *nlh, size_t len, const struct rt_spec *s)
{
	if (s->hop.has_realms &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_FLOW, s->hop.realms))
		return false;
	if (!put_metrics(nlh, len, s) || !put_multipath(nlh, len, s))
		return false;
	if (s->pref != RT_PREF_UNSET &&
	    !mnl_attr_put_u8_check(nlh, len, RTA_PREF, (uint8_t)s->pref))
		return false;
	if (s->has_expires &&
	    !mnl_attr_put_u32_check(nlh, len, RTA_EXPIRES, s->expires))
		return false;
	if (s->ttl_prop >= 0 &&
	    !mnl_attr_put_u8_check(nlh, len, RTA_TTL_PROPAGATE,
				   (uint8_t)s->ttl_prop))
		return false;
	return true;
}

static uint16_t
rt_nlflags(const struct rt_spec *s, bool add)
{
	uint16_t f = NLM_F_REQUEST | NLM_F_ACK;

	if (!add)
		return f;
	f |= NLM_F_CREATE;
	if (s->action_set)
		return f | s->action;
	return s->type == RTN_UNICAST ? f : f | NLM_F_EXCL;
}

/* The device: dev/oif as written, else the default one when the route
 * would have none at all and its type needs one. */
static int
rt_oif(const struct rt_spec *s, int default_ifindex)
{
	if (s->hop.ifindex > 0)
		return s->hop.ifindex;
	if (s->hop.gw.family != AF_UNSPEC || s->nhops || !rt_needs_dev(s->type))
		return 0;
	return default_ifindex > 0 ? default_ifindex : 0;
}

size_t
nl_build_route(void *buf, size_t len, bool add, uint32_t seq,
	       const struct cf_route *r, int default_ifindex)
{
	struct rt_spec s;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (!r || len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)))
		return 0;
	if (!rt_parse_words(r, &s))
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	nlh->nlmsg_flags = rt_nlflags(&s, add);
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rt_fill_rtmsg(rtm, &s, add);
	if (!put_route_main(nlh, len, &s, rt_oif(&s, default_ifindex)) ||
	    !put_route_extra(nlh, len, &s))
		return 0;
	return nlh->nlmsg_len;
}

/* ---- rules: the words ------------------------------------------------ */

struct rl_spec {
	int family;
	struct cf_inaddr src, dst;
	uint8_t src_len, dst_len;
	bool table_set;
	uint32_t table;
	uint32_t prio;
	uint8_t tos;
	uint8_t action;			/* FR_ACT_UNSPEC until decided */
	uint32_t flags;			/* FIB_RULE_INVERT */
	bool has_fwmark, has_fwmask;
	uint32_t fwmark, fwmask;
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];
	bool has_protocol, no_track;
	uint8_t protocol;
	bool has_realms, has_sup_pl, has_sup_grp, has_goto, has_tun_id;
	uint32_t realms, sup_pl, sup_grp, goto_prio;
	uint64_t tun_id;
	bool has_uid;
	struct fib_rule_uid_range uid;
	bool l3mdev;
	bool has_ipproto;
	uint8_t ipproto;
	bool has_sport, has_dport;
	struct fib_rule_port_range sport, dport;
};

struct rl_parse {
	struct words ws;
	struct rl_spec *s;
};

static const struct name_val ip_protos[] = {
	{ "icmp", 1 }, { "igmp", 2 }, { "tcp", 6 }, { "udp", 17 },
	{ "ipv6", 41 }, { "gre", 47 }, { "esp", 50 }, { "ah", 51 },
	{ "ipv6-icmp", 58 }, { "icmpv6", 58 }, { "sctp", 132 },
	{ "udplite", 136 }, { NULL, 0 },
};

static bool
rl_family(struct rl_parse *p, const char *kw)
{
	return set_family(&p->s->family, kw);
}

static bool
rl_from(struct rl_parse *p, const char *kw)
{
	return parse_prefix(next_word(&p->ws), &p->s->src, &p->s->src_len);
}

static bool
rl_to(struct rl_parse *p, const char *kw)
{
	return parse_prefix(next_word(&p->ws), &p->s->dst, &p->s->dst_len);
}

static bool
rl_table(struct rl_parse *p, const char *kw)
{
	p->s->table_set = true;
	return parse_named(rt_tables, next_word(&p->ws), UINT32_MAX, &p->s->table);
}

static bool
rl_prio(struct rl_parse *p, const char *kw)
{
	return parse_u32(next_word(&p->ws), &p->s->prio);
}

static bool
rl_tos(struct rl_parse *p, const char *kw)
{
	return parse_dsfield(next_word(&p->ws), &p->s->tos);
}

/* fwmark MARK[/MASK] */
static bool
rl_fwmark(struct rl_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);
	char tmp[32];
	char *slash;

	if (!w || strlen(w) >= sizeof(tmp))
		return false;
	strcpy(tmp, w);
	slash = strchr(tmp, '/');
	if (slash) {
		*slash++ = '\0';
		p->s->has_fwmask = true;
		if (!parse_u32(slash, &p->s->fwmask))
			return false;
	}
	p->s->has_fwmark = true;
	return parse_u32(tmp, &p->s->fwmark);
}

static bool
rl_realms(struct rl_parse *p, const char *kw)
{
	p->s->has_realms = true;
	return parse_realms(next_word(&p->ws), &p->s->realms);
}

static bool
rl_sup_pl(struct rl_parse *p, const char *kw)
{
	p->s->has_sup_pl = true;
	return parse_u32(next_word(&p->ws), &p->s->sup_pl);
}

static bool
rl_sup_group(struct rl_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);

	p->s->has_sup_grp = true;
	if (w && !strcmp(w, "default")) {
		p->s->sup_grp = 0;
		return true;
	}
	return parse_u32(w, &p->s->sup_grp);
}

static bool
rl_ifname(struct rl_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);
	char *dst = strcmp(kw, "oif") ? p->s->iif : p->s->oif;

	if (!w || !*w || strlen(w) >= IF_NAMESIZE)
		return false;
	strcpy(dst, w);
	return true;
}

static bool
rl_tun_id(struct rl_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);
	char *end;

	if (!w || !*w || *w == '-')
		return false;
	errno = 0;
	p->s->tun_id = strtoull(w, &end, 0);
	p->s->has_tun_id = true;
	return !errno && !*end;
}

static bool
rl_uidrange(struct rl_parse *p, const char *kw)
{
	p->s->has_uid = true;
	return parse_range(next_word(&p->ws), UINT32_MAX, &p->s->uid.start,
			   &p->s->uid.end);
}

static bool
rl_l3mdev(struct rl_parse *p, const char *kw)
{
	p->s->l3mdev = true;
	return true;
}

static bool
rl_protocol(struct rl_parse *p, const char *kw)
{
	uint32_t v;

	if (!parse_named(rt_protos, next_word(&p->ws), UINT8_MAX, &v))
		return false;
	p->s->protocol = (uint8_t)v;
	p->s->has_protocol = true;
	return true;
}

static bool
rl_ipproto(struct rl_parse *p, const char *kw)
{
	uint32_t v;

	if (!parse_named(ip_protos, next_word(&p->ws), UINT8_MAX, &v))
		return false;
	p->s->has_ipproto = true;
	p->s->ipproto = (uint8_t)v;
	return true;
}

static bool
rl_port(struct rl_parse *p, const char *kw)
{
	bool dport = !strcmp(kw, "dport");
	struct fib_rule_port_range *pr = dport ? &p->s->dport : &p->s->sport;
	uint32_t lo, hi;

	if (!parse_range(next_word(&p->ws), UINT16_MAX, &lo, &hi))
		return false;
	pr->start = (uint16_t)lo;
	pr->end = (uint16_t)hi;
	if (dport)
		p->s->has_dport = true;
	else
		p->s->has_sport = true;
	return true;
}

static const struct name_val rl_types[] = {
	{ "unicast", FR_ACT_TO_TBL }, { "blackhole", FR_ACT_BLACKHOLE },
	{ "unreachable", FR_ACT_UNREACHABLE }, { "prohibit", FR_ACT_PROHIBIT },
	{ "nop", FR_ACT_NOP }, { NULL, 0 },
};

static bool
rl_type(struct rl_parse *p, const char *kw)
{
	const char *w = next_word(&p->ws);
	uint32_t v;

	if (!w || !lookup_name(rl_types, w, &v))
		return false;
	p->s->action = (uint8_t)v;
	return true;
}

static bool
rl_goto(struct rl_parse *p, const char *kw)
{
	p->s->has_goto = true;
	p->s->action = FR_ACT_GOTO;
	return parse_u32(next_word(&p->ws), &p->s->goto_prio);
}

static bool
rl_nop(struct rl_parse *p, const char *kw)
{
	p->s->action = FR_ACT_NOP;
	return true;
}

static bool
rl_not(struct rl_parse *p, const char *kw)
{
	p->s->flags |= FIB_RULE_INVERT;
	return true;
}

static bool
rl_ignore(struct rl_parse *p, const char *kw)
{
	return true;
}

static bool
rl_no_track(struct rl_parse *p, const char *kw)
{
	p->s->no_track = true;
	return true;
}

static bool
rl_skip_value(struct rl_parse *p, const char *kw)
{
	return next_word(&p->ws) != NULL;
}

struct rl_kw {
	const char *name;
	bool (*fn)(struct rl_parse *p, const char *kw);
};

static const struct rl_kw rl_kws[] = {
	{ "inet", rl_family }, { "inet6", rl_family },
	{ "from", rl_from }, { "to", rl_to },
	{ "table", rl_table }, { "lookup", rl_table },
	{ "preference", rl_prio }, { "order", rl_prio }, { "priority", rl_prio },
	{ "tos", rl_tos }, { "dsfield", rl_tos }, { "fwmark", rl_fwmark },
	{ "realms", rl_realms },
	{ "suppress_prefixlength", rl_sup_pl }, { "sup_pl", rl_sup_pl },
	{ "suppress_ifgroup", rl_sup_group }, { "sup_group", rl_sup_group },
	{ "dev", rl_ifname }, { "iif", rl_ifname }, { "oif", rl_ifname },
	{ "tunnel-id", rl_tun_id }, { "uidrange", rl_uidrange },
	{ "l3mdev", rl_l3mdev }, { "protocol", rl_protocol },
	{ "ipproto", rl_ipproto }, { "sport", rl_port }, { "dport", rl_port },
	{ "type", rl_type }, { "goto", rl_goto }, { "nop", rl_nop },
	{ "not", rl_not }, { "all", rl_ignore }, { "default", rl_ignore },
	{ "no_track", rl_no_track }, { "track_group", rl_skip_value },
	{ NULL, NULL },
};

static bool
rl_word(struct rl_parse *p, const char *w)
{
	for (const struct rl_kw *k = rl_kws; k->name; k++)
		if (!strcmp(k->name, w))
			return k->fn(p, w);
	return false;
}

/*
 * The action: as written (type, goto, nop), else "to table" when there is
 * a table (or l3mdev).  keepalived 2.2.7 ignores a rule with no action
 * ("No action specified for rule - ignoring"), so it cannot be encoded.
 */
static bool
rl_finish(struct rl_spec *s)
{
	int fam = s->family;

	if (!merge_family(&fam, &s->src) || !merge_family(&fam, &s->dst))
		return false;
	s->family = fam == AF_UNSPEC ? AF_INET : fam;
	if (s->action == FR_ACT_UNSPEC && (s->table_set || s->l3mdev))
		s->action = FR_ACT_TO_TBL;
	if (s->action == FR_ACT_UNSPEC || (s->l3mdev && s->table_set))
		return false;
	return true;
}

static bool
rl_parse_words(const struct cf_route *r, struct rl_spec *s)
{
	struct rl_parse p = { .ws = { r->words, r->nwords, 0 }, .s = s };
	const char *w;

	memset(s, 0, sizeof(*s));
	s->prio = NL_RULE_DEFAULT_PREF;
	if (!r->words || !r->nwords)
		return false;
	while ((w = next_word(&p.ws)))
		if (!rl_word(&p, w))
			return false;
	/* as routes: 18 unless no_track, and then only what is written */
	if (!s->no_track && !r->no_track) {
		s->protocol = NL_RTPROT_KEEPALIVED;
		s->has_protocol = true;
	}
	return rl_finish(s);
}

/* ---- rules: encoding ------------------------------------------------- */

static void
rl_fill_hdr(struct fib_rule_hdr *frh, const struct rl_spec *s)
{
	frh->family = (uint8_t)s->family;
	frh->dst_len = s->dst_len;
	frh->src_len = s->src_len;
	frh->tos = s->tos;
	frh->action = s->action;
	frh->flags = s->flags;
	if (s->table_set && s->table < 256)
		frh->table = (uint8_t)s->table;
}

/* FRA_TABLE, FRA_SRC, FRA_DST, FRA_PRIORITY, the selectors by name and
 * mark: keepalived's order. */
static bool
put_rule_match(struct nlmsghdr *nlh, size_t len, const struct rl_spec *s)
{
	if (s->table_set && s->table >= 256 &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_TABLE, s->table))
		return false;
	if (s->src.family != AF_UNSPEC &&
	    !put_inaddr(nlh, len, FRA_SRC, &s->src, s->family))
		return false;
	if (s->dst.family != AF_UNSPEC &&
	    !put_inaddr(nlh, len, FRA_DST, &s->dst, s->family))
		return false;
	if (!mnl_attr_put_u32_check(nlh, len, FRA_PRIORITY, s->prio))
		return false;
	if (s->has_fwmark &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_FWMARK, s->fwmark))
		return false;
	if (s->has_fwmask &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_FWMASK, s->fwmask))
		return false;
	if (s->iif[0] && !mnl_attr_put_strz_check(nlh, len, FRA_IIFNAME, s->iif))
		return false;
	if (s->oif[0] && !mnl_attr_put_strz_check(nlh, len, FRA_OIFNAME, s->oif))
		return false;
	return true;
}

static bool
put_rule_more(struct nlmsghdr *nlh, size_t len, const struct rl_spec *s)
{
	if (s->has_realms &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_FLOW, s->realms))
		return false;
	if (s->has_sup_pl &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_SUPPRESS_PREFIXLEN, s->sup_pl))
		return false;
	if (s->has_sup_grp &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_SUPPRESS_IFGROUP, s->sup_grp))
		return false;
	if (s->has_tun_id &&
	    !mnl_attr_put_u64_check(nlh, len, FRA_TUN_ID, htobe64(s->tun_id)))
		return false;
	if (s->has_uid &&
	    !mnl_attr_put_check(nlh, len, FRA_UID_RANGE, sizeof(s->uid), &s->uid))
		return false;
	if (s->l3mdev && !mnl_attr_put_u8_check(nlh, len, FRA_L3MDEV, 1))
		return false;
	if (s->has_protocol &&
	    !mnl_attr_put_u8_check(nlh, len, FRA_PROTOCOL, s->protocol))
		return false;
	return true;
}

static bool
put_rule_l4(struct nlmsghdr *nlh, size_t len, const struct rl_spec *s)
{
	if (s->has_ipproto &&
	    !mnl_attr_put_u8_check(nlh, len, FRA_IP_PROTO, s->ipproto))
		return false;
	if (s->has_sport &&
	    !mnl_attr_put_check(nlh, len, FRA_SPORT_RANGE, sizeof(s->sport),
				&s->sport))
		return false;
	if (s->has_dport &&
	    !mnl_attr_put_check(nlh, len, FRA_DPORT_RANGE, sizeof(s->dport),
				&s->dport))
		return false;
	if (s->has_goto &&
	    !mnl_attr_put_u32_check(nlh, len, FRA_GOTO, s->goto_prio))
		return false;
	return true;
}

size_t
nl_build_rule(void *buf, size_t len, bool add, uint32_t seq,
	      const struct cf_route *r)
{
	struct rl_spec s;
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh;

	if (!r || len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*frh)))
		return 0;
	if (!rl_parse_words(r, &s))
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWRULE : RTM_DELRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	rl_fill_hdr(frh, &s);
	if (!put_rule_match(nlh, len, &s) || !put_rule_more(nlh, len, &s) ||
	    !put_rule_l4(nlh, len, &s))
		return 0;
	return nlh->nlmsg_len;
}

/* ---- I/O -------------------------------------------------------------- */

int
nl_route(struct nl_cmd *c, bool add, const struct cf_route *r,
	 int default_ifindex)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));
	size_t len;

	len = nl_build_route(buf, sizeof(buf), add, ++c->seq, r, default_ifindex);
	if (!len)
		return -EINVAL;
	return nl_talk(c, (struct nlmsghdr *)buf, NULL, NULL);
}

int
nl_rule(struct nl_cmd *c, bool add, const struct cf_route *r)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));
	size_t len;

	len = nl_build_rule(buf, sizeof(buf), add, ++c->seq, r);
	if (!len)
		return -EINVAL;
	return nl_talk(c, (struct nlmsghdr *)buf, NULL, NULL);
}
