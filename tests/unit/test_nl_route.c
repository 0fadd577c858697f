/* test_nl_route.c - nl_build_route / nl_build_rule: the bytes of
 * RTM_NEWROUTE/RTM_DELROUTE and RTM_NEWRULE/RTM_DELRULE, read back with
 * libmnl's own attribute parser.  Interfaces are "lo", which every
 * namespace has. */
#include "config.h"

#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "nl_route.h"

#define SEQ	4242
#define MAXW	64

/* A route/rule line as the parser keeps it: its words. */
struct line {
	char text[512];
	char *w[MAXW];
	struct cf_route r;
};

static void
mkline(struct line *l, const char *text)
{
	char *save = NULL;
	char *t;
	unsigned n = 0;

	memset(l, 0, sizeof(*l));
	assert_true(strlen(text) < sizeof(l->text));
	strcpy(l->text, text);
	for (t = strtok_r(l->text, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		assert_true(n < MAXW);
		l->w[n++] = t;
	}
	l->r.words = l->w;
	l->r.nwords = n;
}

struct msg {
	uint8_t buf[1024] __attribute__((aligned(4)));
	size_t len;
	const struct nlmsghdr *nlh;
	const struct nlattr *tb[RTA_MAX + FRA_MAX + 2];
	int nattrs;
	int max;
};

static int
attr_cb(const struct nlattr *attr, void *data)
{
	struct msg *m = data;
	int type = mnl_attr_get_type(attr);

	assert_true(type > 0 && type <= m->max);
	assert_null(m->tb[type]);		/* each attribute at most once */
	m->tb[type] = attr;
	m->nattrs++;
	return MNL_CB_OK;
}

static int
lo(void)
{
	int i = (int)if_nametoindex("lo");

	assert_true(i > 0);
	return i;
}

static void
parse_back(struct msg *m, size_t hdrlen, int max)
{
	assert_true(m->len > 0);
	m->nlh = (const struct nlmsghdr *)m->buf;
	assert_int_equal(m->nlh->nlmsg_len, m->len);
	assert_int_equal(m->nlh->nlmsg_seq, SEQ);
	m->max = max;
	assert_int_equal(mnl_attr_parse(m->nlh, hdrlen, attr_cb, m), MNL_CB_OK);
}

static const struct rtmsg *
route(struct msg *m, const char *text, bool add, int default_ifindex)
{
	struct line l;

	mkline(&l, text);
	memset(m, 0, sizeof(*m));
	m->len = nl_build_route(m->buf, sizeof(m->buf), add, SEQ, &l.r,
				default_ifindex);
	parse_back(m, sizeof(struct rtmsg), RTA_MAX);
	assert_int_equal(m->nlh->nlmsg_type, add ? RTM_NEWROUTE : RTM_DELROUTE);
	return mnl_nlmsg_get_payload(m->nlh);
}

static const struct fib_rule_hdr *
rule(struct msg *m, const char *text, bool add)
{
	struct line l;

	mkline(&l, text);
	memset(m, 0, sizeof(*m));
	m->len = nl_build_rule(m->buf, sizeof(m->buf), add, SEQ, &l.r);
	parse_back(m, sizeof(struct fib_rule_hdr), FRA_MAX);
	assert_int_equal(m->nlh->nlmsg_type, add ? RTM_NEWRULE : RTM_DELRULE);
	return mnl_nlmsg_get_payload(m->nlh);
}

static void
assert_addr(const struct nlattr *a, const char *text)
{
	uint8_t want[16];
	int fam = strchr(text, ':') ? AF_INET6 : AF_INET;
	size_t n = fam == AF_INET ? 4 : 16;

	assert_non_null(a);
	assert_int_equal(inet_pton(fam, text, want), 1);
	assert_int_equal(mnl_attr_get_payload_len(a), n);
	assert_memory_equal(mnl_attr_get_payload(a), want, n);
}

static void
assert_u32(const struct nlattr *a, uint32_t v)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 4);
	assert_int_equal(mnl_attr_get_u32(a), v);
}

static void
assert_u8(const struct nlattr *a, uint8_t v)
{
	assert_non_null(a);
	assert_int_equal(mnl_attr_get_payload_len(a), 1);
	assert_int_equal(mnl_attr_get_u8(a), v);
}

static size_t
build_route_len(const char *text, void *buf, size_t len, int def)
{
	struct line l;

	mkline(&l, text);
	return nl_build_route(buf, len, true, SEQ, &l.r, def);
}

static size_t
build_rule_len(const char *text, void *buf, size_t len)
{
	struct line l;

	mkline(&l, text);
	return nl_build_rule(buf, len, true, SEQ, &l.r);
}

/* ---- routes ---------------------------------------------------------- */

static void
test_route_plain(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;

	rtm = route(&m, "198.51.100.0/24 via 192.0.2.254 dev lo table 100 metric 5",
		    true, 0);
	/* as keepalived 2.2.7: "prepend", no EXCL */
	assert_int_equal(m.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 24);
	assert_int_equal(rtm->rtm_src_len, 0);
	assert_int_equal(rtm->rtm_tos, 0);
	assert_int_equal(rtm->rtm_table, 100);
	assert_int_equal(rtm->rtm_protocol, NL_RTPROT_KEEPALIVED);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_int_equal(rtm->rtm_flags, 0);
	assert_addr(m.tb[RTA_DST], "198.51.100.0");
	assert_addr(m.tb[RTA_GATEWAY], "192.0.2.254");
	assert_u32(m.tb[RTA_OIF], (uint32_t)lo());
	assert_u32(m.tb[RTA_PRIORITY], 5);
	assert_null(m.tb[RTA_TABLE]);
	assert_int_equal(m.nattrs, 4);
	assert_int_equal(m.len, 60);		/* keepalived's length too */

	rtm = route(&m, "198.51.100.0/24 via 192.0.2.254 dev lo table 100 metric 5",
		    false, 0);
	assert_int_equal(m.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	assert_int_equal(rtm->rtm_type, RTN_UNSPEC);
	assert_int_equal(rtm->rtm_protocol, NL_RTPROT_KEEPALIVED);
	assert_int_equal(rtm->rtm_table, 100);
	assert_addr(m.tb[RTA_GATEWAY], "192.0.2.254");
	assert_u32(m.tb[RTA_OIF], (uint32_t)lo());
	assert_u32(m.tb[RTA_PRIORITY], 5);
	assert_int_equal(m.nattrs, 4);
}

static void
test_route_tables(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;

	rtm = route(&m, "203.0.113.0/24 dev lo table 300", true, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_u32(m.tb[RTA_TABLE], 300);

	rtm = route(&m, "203.0.113.0/24 dev lo", true, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_null(m.tb[RTA_TABLE]);

	rtm = route(&m, "203.0.113.0/24 dev lo table local", true, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_LOCAL);
	rtm = route(&m, "203.0.113.0/24 dev lo table default", true, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_DEFAULT);
	rtm = route(&m, "203.0.113.0/24 dev lo table 0x100", true, 0);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_u32(m.tb[RTA_TABLE], 256);
}

static void
test_route_blackhole(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;

	/* a default device must not be attached: the kernel refuses it */
	rtm = route(&m, "blackhole 198.51.100.128/25", true, lo());
	assert_int_equal(m.nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(rtm->rtm_type, RTN_BLACKHOLE);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_dst_len, 25);
	assert_addr(m.tb[RTA_DST], "198.51.100.128");
	assert_null(m.tb[RTA_OIF]);
	assert_null(m.tb[RTA_GATEWAY]);
	assert_int_equal(m.nattrs, 1);
	assert_int_equal(m.len, 36);

	rtm = route(&m, "blackhole 198.51.100.128/25", false, lo());
	assert_int_equal(rtm->rtm_type, RTN_BLACKHOLE);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);

	rtm = route(&m, "unreachable 203.0.113.32/28", true, 0);
	assert_int_equal(rtm->rtm_type, RTN_UNREACHABLE);
	rtm = route(&m, "prohibit 203.0.113.48/28", true, 0);
	assert_int_equal(rtm->rtm_type, RTN_PROHIBIT);
	rtm = route(&m, "throw 203.0.113.64/28 table 100", true, 0);
	assert_int_equal(rtm->rtm_type, RTN_THROW);
	assert_int_equal(rtm->rtm_table, 100);
}

static void
test_route_default(void **state)
{
	static const uint8_t zero[16];
	struct msg m;
	const struct rtmsg *rtm;
	const char *const v4[] = {
		"default via 192.0.2.254 table 200", "any via 192.0.2.254 table 200",
		"all via 192.0.2.254 table 200", "0.0.0.0/0 gw 192.0.2.254 table 200",
		"to default via 192.0.2.254 table 200",
	};

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		rtm = route(&m, v4[i], true, 0);
		assert_int_equal(rtm->rtm_family, AF_INET);
		assert_int_equal(rtm->rtm_dst_len, 0);
		assert_int_equal(rtm->rtm_table, 200);
		assert_addr(m.tb[RTA_DST], "0.0.0.0");
		assert_addr(m.tb[RTA_GATEWAY], "192.0.2.254");
		assert_null(m.tb[RTA_OIF]);
		assert_int_equal(m.len, 44);	/* as keepalived sends it */
	}

	/* the family of "default" comes from the gateway, or inet6 */
	rtm = route(&m, "default via 2001:db8::fe dev lo", true, 0);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(mnl_attr_get_payload_len(m.tb[RTA_DST]), 16);
	assert_memory_equal(mnl_attr_get_payload(m.tb[RTA_DST]), zero, 16);
	rtm = route(&m, "inet6 default dev lo", true, 0);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	rtm = route(&m, "default6 dev lo", true, 0);
	assert_int_equal(rtm->rtm_family, AF_INET6);
}

static void
test_route_ipv6(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;

	rtm = route(&m, "2001:db8:1::/48 via 2001:db8::fe dev lo metric 100 pref high",
		    true, 0);
	assert_int_equal(rtm->rtm_family, AF_INET6);
	assert_int_equal(rtm->rtm_dst_len, 48);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);
	assert_addr(m.tb[RTA_DST], "2001:db8:1::");
	assert_addr(m.tb[RTA_GATEWAY], "2001:db8::fe");
	assert_u32(m.tb[RTA_OIF], (uint32_t)lo());
	assert_u32(m.tb[RTA_PRIORITY], 100);
	assert_u8(m.tb[RTA_PREF], 1);
	assert_int_equal(m.nattrs, 5);

	/* source-specific, "via inet6" */
	rtm = route(&m, "2001:db8:4::/48 from 2001:db8::/64 via inet6 2001:db8::fe dev lo pref low",
		    true, 0);
	assert_int_equal(rtm->rtm_src_len, 64);
	assert_addr(m.tb[RTA_SRC], "2001:db8::");
	assert_addr(m.tb[RTA_GATEWAY], "2001:db8::fe");
	assert_u8(m.tb[RTA_PREF], 3);

	/* a host route: /128 */
	rtm = route(&m, "2001:db8:5::1 dev lo expires 60", true, 0);
	assert_int_equal(rtm->rtm_dst_len, 128);
	assert_u32(m.tb[RTA_EXPIRES], 60);
}

static void
assert_hop(const struct rtnexthop *h, int ifindex, int hops, int flags,
	   const char *gw)
{
	struct msg sub;

	memset(&sub, 0, sizeof(sub));
	sub.max = RTA_MAX;
	assert_int_equal(h->rtnh_ifindex, ifindex);
	assert_int_equal(h->rtnh_hops, hops);
	assert_int_equal(h->rtnh_flags, flags);
	assert_int_equal(mnl_attr_parse_payload(RTNH_DATA(h),
						h->rtnh_len - sizeof(*h),
						attr_cb, &sub), MNL_CB_OK);
	assert_addr(sub.tb[RTA_GATEWAY], gw);
	assert_int_equal(sub.nattrs, 1);
}

/* The nexthops of RTA_MULTIPATH, N of them. */
static const struct rtnexthop *
hops_of(const struct nlattr *mp, int n)
{
	const struct rtnexthop *h = mnl_attr_get_payload(mp);
	int len = (int)mnl_attr_get_payload_len(mp);
	const struct rtnexthop *it = h;
	int count = 0;

	while (RTNH_OK(it, len)) {
		count++;
		len -= (int)RTNH_ALIGN(it->rtnh_len);
		it = RTNH_NEXT(it);
	}
	assert_int_equal(len, 0);
	assert_int_equal(count, n);
	return h;
}

static void
test_route_multipath(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;
	const struct rtnexthop *h;

	rtm = route(&m, "192.0.2.128/25 nexthop via 192.0.2.10 dev lo weight 2 "
		    "nexthop via 192.0.2.11 dev lo onlink", true, 0);
	assert_int_equal(rtm->rtm_flags, 0);
	assert_null(m.tb[RTA_GATEWAY]);
	assert_null(m.tb[RTA_OIF]);
	assert_non_null(m.tb[RTA_MULTIPATH]);
	h = hops_of(m.tb[RTA_MULTIPATH], 2);
	assert_int_equal(h->rtnh_len, 16);
	assert_hop(h, lo(), 1, 0, "192.0.2.10");
	assert_hop(RTNH_NEXT(h), lo(), 0, RTNH_F_ONLINK, "192.0.2.11");
	assert_int_equal(m.len, 72);		/* keepalived's length too */

	/* deprecated "or": both gateways on the device, no RTA_OIF (which
	 * keepalived 2.2.7 sent, and the kernel refused) */
	route(&m, "198.51.100.0/25 via 192.0.2.253 or 192.0.2.252 dev lo", true, 0);
	assert_null(m.tb[RTA_OIF]);
	assert_null(m.tb[RTA_GATEWAY]);
	h = hops_of(m.tb[RTA_MULTIPATH], 2);
	assert_hop(h, lo(), 0, 0, "192.0.2.253");
	assert_hop(RTNH_NEXT(h), lo(), 0, 0, "192.0.2.252");

	/* weight 256 is the largest */
	route(&m, "192.0.2.128/25 nexthop via 192.0.2.10 weight 256", true, 0);
	h = hops_of(m.tb[RTA_MULTIPATH], 1);
	assert_hop(h, 0, 255, 0, "192.0.2.10");
}

static void
test_route_metrics(void **state)
{
	struct msg m, mx;
	const struct rtmsg *rtm;

	rtm = route(&m, "198.18.0.0/16 via 192.0.2.254 mtu lock 1400 advmss 1360 "
		    "initcwnd 10 initrwnd 20 hoplimit 60 rtt 100ms rttvar 1s "
		    "rto_min 5 window 1000 quickack 1 congctl cubic", true, 0);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_non_null(m.tb[RTA_METRICS]);
	memset(&mx, 0, sizeof(mx));
	mx.max = RTAX_MAX;
	assert_int_equal(mnl_attr_parse_nested(m.tb[RTA_METRICS], attr_cb, &mx),
			 MNL_CB_OK);
	assert_u32(mx.tb[RTAX_MTU], 1400);
	assert_u32(mx.tb[RTAX_ADVMSS], 1360);
	assert_u32(mx.tb[RTAX_INITCWND], 10);
	assert_u32(mx.tb[RTAX_INITRWND], 20);
	assert_u32(mx.tb[RTAX_HOPLIMIT], 60);
	assert_u32(mx.tb[RTAX_RTT], 800);	/* ms * 8, as iproute2 */
	assert_u32(mx.tb[RTAX_RTTVAR], 4000);	/* ms * 4 */
	assert_u32(mx.tb[RTAX_RTO_MIN], 5);	/* bare: raw */
	assert_u32(mx.tb[RTAX_WINDOW], 1000);
	assert_u32(mx.tb[RTAX_QUICKACK], 1);
	assert_non_null(mx.tb[RTAX_CC_ALGO]);
	assert_string_equal(mnl_attr_get_str(mx.tb[RTAX_CC_ALGO]), "cubic");
	assert_u32(mx.tb[RTAX_LOCK], 1U << RTAX_MTU);
	assert_int_equal(mx.nattrs, 12);

	/* what keepalived sends for "mtu 1400 advmss 1360": 20-byte nest */
	route(&m, "198.18.0.0/16 via 192.0.2.254 dev lo mtu 1400 advmss 1360",
	      true, 0);
	assert_int_equal(mnl_attr_get_len(m.tb[RTA_METRICS]), 20);
	assert_int_equal(m.len, 72);

	/* no metric words, no nest */
	route(&m, "198.18.0.0/16 via 192.0.2.254", true, 0);
	assert_null(m.tb[RTA_METRICS]);
}

static void
test_route_options(void **state)
{
	struct msg m;
	const struct rtmsg *rtm;

	rtm = route(&m, "src 192.0.2.1 203.0.113.16/28 dev lo protocol static scope link tos 0x10 no_track",
		    true, 0);
	assert_addr(m.tb[RTA_PREFSRC], "192.0.2.1");
	assert_int_equal(rtm->rtm_protocol, RTPROT_STATIC);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_tos, 0x10);
	/* a written scope is kept on delete */
	rtm = route(&m, "203.0.113.0/24 dev lo scope link", false, 0);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	rtm = route(&m, "203.0.113.0/24 dev lo scope 200 protocol 99 no_track tos 10", true, 0);
	assert_int_equal(rtm->rtm_scope, 200);
	assert_int_equal(rtm->rtm_protocol, 99);
	assert_int_equal(rtm->rtm_tos, 0x10);	/* dsfield numbers are hex */
	/* a tracked route keeps keepalived's protocol, as keepalived resets it */
	rtm = route(&m, "203.0.113.0/24 dev lo protocol 99", true, 0);
	assert_int_equal(rtm->rtm_protocol, NL_RTPROT_KEEPALIVED);
	rtm = route(&m, "203.0.113.0/24 dev lo no_track", true, 0);
	assert_int_equal(rtm->rtm_protocol, NL_RTPROT_KEEPALIVED);

	rtm = route(&m, "203.0.113.112/28 via 192.0.2.254 dev lo onlink realms 3/4", true, 0);
	assert_int_equal(rtm->rtm_flags, RTNH_F_ONLINK);
	assert_u32(m.tb[RTA_FLOW], 3U << 16 | 4);

	route(&m, "add 203.0.113.80/28 via 192.0.2.254", true, 0);
	assert_int_equal(m.nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	route(&m, "append 203.0.113.96/28 via 192.0.2.254", true, 0);
	assert_int_equal(m.nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND);
	route(&m, "prepend blackhole 203.0.113.96/28", true, 0);
	assert_int_equal(m.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE);

	/* local: scope host, or the kernel refuses it */
	rtm = route(&m, "local 192.0.2.77 dev lo", true, 0);
	assert_int_equal(rtm->rtm_type, RTN_LOCAL);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_HOST);
	assert_int_equal(rtm->rtm_table, RT_TABLE_LOCAL);	/* as ip route */
	rtm = route(&m, "local 192.0.2.77 dev lo table 100", true, 0);
	assert_int_equal(rtm->rtm_table, 100);
	rtm = route(&m, "broadcast 192.0.2.255 dev lo", true, 0);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_table, RT_TABLE_LOCAL);
	rtm = route(&m, "multicast 224.0.0.0/4 dev lo", true, 0);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);

	/* the metric's aliases; no_track and track_group are not netlink's */
	route(&m, "203.0.113.0/24 dev lo priority 7 no_track", true, 0);
	assert_u32(m.tb[RTA_PRIORITY], 7);
	route(&m, "203.0.113.0/24 dev lo preference 8 track_group G1", true, 0);
	assert_u32(m.tb[RTA_PRIORITY], 8);

	/* an IPv4 route through an IPv6 gateway: RTA_VIA */
	route(&m, "203.0.113.160/28 via inet6 fe80::1 dev lo", true, 0);
	assert_null(m.tb[RTA_GATEWAY]);
	assert_non_null(m.tb[RTA_VIA]);
	assert_int_equal(mnl_attr_get_payload_len(m.tb[RTA_VIA]), 2 + 16);
}

/* The parser's no_track flag counts like the word. */
static void
test_no_track_flag(void **state)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	struct line l;
	const struct rtmsg *rtm = (const void *)(buf + MNL_NLMSG_HDRLEN);

	mkline(&l, "203.0.113.0/24 dev lo protocol 99");
	l.r.no_track = true;
	assert_true(nl_build_route(buf, sizeof(buf), true, SEQ, &l.r, 0) > 0);
	assert_int_equal(rtm->rtm_protocol, 99);
	l.r.no_track = false;
	assert_true(nl_build_route(buf, sizeof(buf), true, SEQ, &l.r, 0) > 0);
	assert_int_equal(rtm->rtm_protocol, NL_RTPROT_KEEPALIVED);
}

static void
test_route_default_ifindex(void **state)
{
	struct msg m;

	/* nothing says where it goes: the default device */
	route(&m, "203.0.113.144/28 scope link", true, lo());
	assert_u32(m.tb[RTA_OIF], (uint32_t)lo());
	route(&m, "203.0.113.144/28 scope link", true, 0);
	assert_null(m.tb[RTA_OIF]);
	/* a gateway, a device or nexthops: the kernel or the words decide */
	route(&m, "203.0.113.144/28 via 192.0.2.254", true, 77);
	assert_null(m.tb[RTA_OIF]);
	route(&m, "203.0.113.144/28 dev lo", true, 77);
	assert_u32(m.tb[RTA_OIF], (uint32_t)lo());
	route(&m, "203.0.113.144/28 nexthop via 192.0.2.1", true, 77);
	assert_null(m.tb[RTA_OIF]);
	route(&m, "throw 203.0.113.144/28", true, 77);
	assert_null(m.tb[RTA_OIF]);
}

/* ---- rules ----------------------------------------------------------- */

static void
test_rule_from_table_pref(void **state)
{
	struct msg m;
	const struct fib_rule_hdr *frh;

	frh = rule(&m, "from 192.0.2.0/24 table 100 preference 100", true);
	assert_int_equal(m.nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(frh->family, AF_INET);
	assert_int_equal(frh->src_len, 24);
	assert_int_equal(frh->dst_len, 0);
	assert_int_equal(frh->tos, 0);
	assert_int_equal(frh->table, 100);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->flags, 0);
	assert_addr(m.tb[FRA_SRC], "192.0.2.0");
	assert_u32(m.tb[FRA_PRIORITY], 100);
	assert_u8(m.tb[FRA_PROTOCOL], NL_RTPROT_KEEPALIVED);
	assert_null(m.tb[FRA_TABLE]);
	assert_int_equal(m.nattrs, 3);
	assert_int_equal(m.len, 52);		/* keepalived's length too */

	frh = rule(&m, "from 192.0.2.0/24 table 100 preference 100", false);
	assert_int_equal(m.nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->table, 100);
	assert_int_equal(m.nattrs, 3);

	/* aliases, no preference: 16384 */
	frh = rule(&m, "to 198.51.100.0/24 lookup main", true);
	assert_int_equal(frh->dst_len, 24);
	assert_int_equal(frh->table, RT_TABLE_MAIN);
	assert_addr(m.tb[FRA_DST], "198.51.100.0");
	assert_u32(m.tb[FRA_PRIORITY], NL_RULE_DEFAULT_PREF);
	rule(&m, "from all table 5 order 7", true);
	assert_null(m.tb[FRA_SRC]);
	assert_u32(m.tb[FRA_PRIORITY], 7);
	rule(&m, "from 192.0.2.1 table 5 priority 8", true);
	assert_u32(m.tb[FRA_PRIORITY], 8);
	assert_int_equal(((const struct fib_rule_hdr *)
			  mnl_nlmsg_get_payload(m.nlh))->src_len, 32);

	/* a table from 256 on: FRA_TABLE, header table unspec */
	frh = rule(&m, "from 203.0.113.0/28 table 300 priority 400", true);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
	assert_u32(m.tb[FRA_TABLE], 300);
}

static void
test_rule_fwmark(void **state)
{
	struct msg m;
	const struct fib_rule_hdr *frh;

	frh = rule(&m, "fwmark 0x10/0xff table 200 priority 200", true);
	assert_int_equal(frh->src_len, 0);
	assert_int_equal(frh->table, 200);
	assert_u32(m.tb[FRA_FWMARK], 16);
	assert_u32(m.tb[FRA_FWMASK], 255);
	assert_u32(m.tb[FRA_PRIORITY], 200);
	assert_int_equal(m.len, 60);		/* keepalived's length too */

	frh = rule(&m, "fwmark 7 type blackhole priority 600", true);
	assert_u32(m.tb[FRA_FWMARK], 7);
	assert_null(m.tb[FRA_FWMASK]);
	assert_int_equal(frh->action, FR_ACT_BLACKHOLE);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
}

static void
test_rule_ipv6(void **state)
{
	struct msg m;
	const struct fib_rule_hdr *frh;

	frh = rule(&m, "from 2001:db8::/64 lookup 100 preference 300", true);
	assert_int_equal(frh->family, AF_INET6);
	assert_int_equal(frh->src_len, 64);
	assert_addr(m.tb[FRA_SRC], "2001:db8::");
	assert_int_equal(m.len, 64);		/* keepalived's length too */

	frh = rule(&m, "inet6 fwmark 0x20 table 100 priority 1500", true);
	assert_int_equal(frh->family, AF_INET6);
	assert_u32(m.tb[FRA_FWMARK], 0x20);
	frh = rule(&m, "inet6 to 2001:db8:1::/48 lookup 1000", true);
	assert_int_equal(frh->family, AF_INET6);
	assert_int_equal(frh->dst_len, 48);
	assert_u32(m.tb[FRA_TABLE], 1000);
}

static void
test_rule_selectors(void **state)
{
	struct msg m;
	const struct fib_rule_hdr *frh;
	const struct fib_rule_port_range *pr;
	const struct fib_rule_uid_range *ur;

	frh = rule(&m, "not to 203.0.113.0/28 iif lo oif lo sport 1000-2000 dport 80 "
		   "ipproto tcp uidrange 1000-2000 suppress_prefixlength 0 "
		   "tos 0x10 realms 5 protocol static table main priority 500 no_track", true);
	assert_int_equal(frh->flags, FIB_RULE_INVERT);
	assert_int_equal(frh->tos, 0x10);
	assert_int_equal(frh->table, RT_TABLE_MAIN);
	assert_string_equal(mnl_attr_get_str(m.tb[FRA_IIFNAME]), "lo");
	assert_string_equal(mnl_attr_get_str(m.tb[FRA_OIFNAME]), "lo");
	pr = mnl_attr_get_payload(m.tb[FRA_SPORT_RANGE]);
	assert_int_equal(pr->start, 1000);
	assert_int_equal(pr->end, 2000);
	pr = mnl_attr_get_payload(m.tb[FRA_DPORT_RANGE]);
	assert_int_equal(pr->start, 80);
	assert_int_equal(pr->end, 80);
	assert_u8(m.tb[FRA_IP_PROTO], 6);
	ur = mnl_attr_get_payload(m.tb[FRA_UID_RANGE]);
	assert_int_equal(ur->start, 1000);
	assert_int_equal(ur->end, 2000);
	assert_u32(m.tb[FRA_SUPPRESS_PREFIXLEN], 0);
	assert_u32(m.tb[FRA_FLOW], 5);
	assert_u8(m.tb[FRA_PROTOCOL], RTPROT_STATIC);

	frh = rule(&m, "from 192.0.2.0/24 goto 700 priority 650", true);
	assert_int_equal(frh->action, FR_ACT_GOTO);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
	assert_u32(m.tb[FRA_GOTO], 700);

	frh = rule(&m, "iif lo l3mdev priority 1000", true);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
	assert_u8(m.tb[FRA_L3MDEV], 1);

	frh = rule(&m, "from 192.0.2.0/24 nop priority 10", true);
	assert_int_equal(frh->action, FR_ACT_NOP);
	frh = rule(&m, "from 192.0.2.0/24 type unreachable priority 10", true);
	assert_int_equal(frh->action, FR_ACT_UNREACHABLE);
	/* protocol: 18 when tracked, whatever is written; with no_track,
	 * what is written or nothing */
	rule(&m, "from 203.0.113.0/28 table 100 priority 100 protocol 4", true);
	assert_u8(m.tb[FRA_PROTOCOL], NL_RTPROT_KEEPALIVED);
	rule(&m, "from 203.0.113.0/28 table 100 priority 100 no_track", true);
	assert_null(m.tb[FRA_PROTOCOL]);
	assert_int_equal(m.nattrs, 2);

	rule(&m, "tunnel-id 5 sup_group default table 7 priority 10", true);
	assert_int_equal(mnl_attr_get_u64(m.tb[FRA_TUN_ID]), htobe64(5));
	assert_u32(m.tb[FRA_SUPPRESS_IFGROUP], 0);
}

/* ---- what cannot be encoded ------------------------------------------ */

static void
test_unencodable(void **state)
{
	uint8_t buf[1024] __attribute__((aligned(4)));
	struct cf_route empty;
	const char *const bad_routes[] = {
		"198.51.100.0/24 bogus 1",
		"198.51.100.0/24 via 192.0.2.254 frobnicate",
		"198.51.100.0/24 dev nosuchif0",
		"198.51.100.0/24 via 192.0.2.300",
		"198.51.100.1/24 via 192.0.2.254",	/* host bits set */
		"198.51.100.0/33 via 192.0.2.254",
		"203.0.113.0/28 src 2001:db8::1",		/* mixed families */
		"inet6 203.0.113.0/28 dev lo",
		"via 192.0.2.254",			/* no destination */
		"203.0.113.0/28 203.0.113.16/28 dev lo",	/* two destinations */
		"203.0.113.0/28 via 192.0.2.1 via 192.0.2.2",
		"203.0.113.0/28 encap mpls 100 dev lo",	/* not supported */
		"203.0.113.0/28 as 203.0.113.16 dev lo",
		"203.0.113.0/28 vrf red",
		"203.0.113.0/28 dev lo metric",		/* missing value */
		"203.0.113.0/28 dev lo metric -1",
		"203.0.113.0/28 dev lo table 4294967296",
		"203.0.113.0/28 dev lo scope galaxy",
		"203.0.113.0/28 dev lo protocol 256",
		"203.0.113.0/28 dev lo weight 2",		/* weight outside nexthop */
		"203.0.113.0/28 nexthop via 192.0.2.1 weight 0",
		"203.0.113.0/28 nexthop via 192.0.2.1 weight 257",
		"203.0.113.0/28 dev lo mtu lock",
		"203.0.113.0/28 dev lo rtt 5min",
		"203.0.113.0/28 dev lo pref urgent",
		"203.0.113.0/28 or 192.0.2.1",		/* "or" without via */
		"203.0.113.0/28 dev lo congctl averyveryverylongname",
		"blackhole",
	};
	const char *const bad_rules[] = {
		"from 192.0.2.0/24 frobnicate 1 table 100",
		"from 192.0.2.5 priority 1300",		/* no action: keepalived ignores it */
		"from 192.0.2.0/24 to 2001:db8::/64 table 100",
		"inet6 from 192.0.2.0/24 table 100",
		"from 192.0.2.0/33 table 100",
		"fwmark 0x10/ table 100",
		"fwmark x table 100",
		"sport 2000-1000 table 100",
		"dport 70000 table 100",
		"uidrange 5 table 100 x",
		"table 100 type frob",
		"iif averyveryverylongname0 table 100",
		"l3mdev table 100",
		"table",
	};

	for (size_t i = 0; i < sizeof(bad_routes) / sizeof(bad_routes[0]); i++) {
		if (build_route_len(bad_routes[i], buf, sizeof(buf), 1))
			fail_msg("route encoded: %s", bad_routes[i]);
	}
	for (size_t i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		if (build_rule_len(bad_rules[i], buf, sizeof(buf)))
			fail_msg("rule encoded: %s", bad_rules[i]);
	}
	memset(&empty, 0, sizeof(empty));
	assert_int_equal(nl_build_route(buf, sizeof(buf), true, SEQ, &empty, 0), 0);
	assert_int_equal(nl_build_rule(buf, sizeof(buf), true, SEQ, &empty), 0);
	assert_int_equal(nl_build_route(buf, sizeof(buf), true, SEQ, NULL, 0), 0);
	assert_int_equal(nl_build_rule(buf, sizeof(buf), true, SEQ, NULL), 0);
}

/* Every size short of the message gives 0 and writes nothing past LEN. */
static void
test_too_small(void **state)
{
	const char *route_text = "192.0.2.128/25 table 1000 src 192.0.2.1 mtu 1400 "
		"congctl cubic nexthop via 192.0.2.10 dev lo weight 2 realms 7 "
		"nexthop via 192.0.2.11 dev lo";
	const char *rule_text = "from 192.0.2.0/24 to 203.0.113.0/28 iif lo oif lo "
		"fwmark 1/3 sport 1-2 dport 3-4 ipproto udp uidrange 1-2 "
		"table 1000 priority 5";
	uint8_t full[1024] __attribute__((aligned(4)));
	size_t need_route = build_route_len(route_text, full, sizeof(full), 0);
	size_t need_rule = build_rule_len(rule_text, full, sizeof(full));

	assert_true(need_route > 0);
	assert_true(need_rule > 0);
	for (size_t len = 0; len < need_route; len++) {
		uint8_t *buf = malloc(len + 64);

		assert_non_null(buf);
		memset(buf, 0xa5, len + 64);
		assert_int_equal(build_route_len(route_text, buf, len, 0), 0);
		for (size_t k = len; k < len + 64; k++)
			assert_int_equal(buf[k], 0xa5);
		free(buf);
	}
	for (size_t len = 0; len < need_rule; len++) {
		uint8_t *buf = malloc(len + 64);

		assert_non_null(buf);
		memset(buf, 0xa5, len + 64);
		assert_int_equal(build_rule_len(rule_text, buf, len), 0);
		for (size_t k = len; k < len + 64; k++)
			assert_int_equal(buf[k], 0xa5);
		free(buf);
	}
	/* and exactly enough is enough */
	assert_int_equal(build_route_len(route_text, full, need_route, 0), need_route);
	assert_int_equal(build_rule_len(rule_text, full, need_rule), need_rule);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_route_plain),
		cmocka_unit_test(test_route_tables),
		cmocka_unit_test(test_route_blackhole),
		cmocka_unit_test(test_route_default),
		cmocka_unit_test(test_route_ipv6),
		cmocka_unit_test(test_route_multipath),
		cmocka_unit_test(test_route_metrics),
		cmocka_unit_test(test_route_options),
		cmocka_unit_test(test_route_default_ifindex),
		cmocka_unit_test(test_no_track_flag),
		cmocka_unit_test(test_rule_from_table_pref),
		cmocka_unit_test(test_rule_fwmark),
		cmocka_unit_test(test_rule_ipv6),
		cmocka_unit_test(test_rule_selectors),
		cmocka_unit_test(test_unencodable),
		cmocka_unit_test(test_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
