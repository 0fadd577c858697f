/* test_netlink.c - nl_build_addr: the bytes of RTM_NEWADDR/RTM_DELADDR,
 * read back with libmnl's own attribute parser. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

#define IFINDEX	7
#define SEQ	4242

struct parsed {
	uint8_t buf[512] __attribute__((aligned(4)));
	size_t len;
	const struct nlmsghdr *nlh;
	const struct ifaddrmsg *ifa;
	const struct nlattr *tb[IFA_MAX + 1];
	int nattrs;
};

static struct cf_ipaddress
vip(const char *text, uint8_t prefix)
{
	struct cf_ipaddress a;

	memset(&a, 0, sizeof(a));
	a.addr.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.addr.family, text, a.addr.a), 1);
	a.prefix = prefix;
	a.scope = CF_UNSET;
	a.preferred_lft = CF_UNSET;
	return a;
}

static void
set_addr(struct cf_inaddr *ia, const char *text)
{
	ia->family = strchr(text, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(ia->family, text, ia->a), 1);
}

static int
attr_cb(const struct nlattr *attr, void *data)
{
	struct parsed *p = data;
	int type = mnl_attr_get_type(attr);

	assert_true(type > 0 && type <= IFA_MAX);
	assert_null(p->tb[type]);		/* each attribute at most once */
	p->tb[type] = attr;
	p->nattrs++;
	return MNL_CB_OK;
}

/* Build, then check the framing every message shares. */
static struct parsed *
build(bool add, const struct cf_ipaddress *a)
{
	struct parsed *p = calloc(1, sizeof(*p));

	p->len = nl_build_addr(p->buf, sizeof(p->buf), add, SEQ, IFINDEX, a);
	assert_true(p->len > 0);
	p->nlh = (const struct nlmsghdr *)p->buf;
	assert_true(mnl_nlmsg_ok(p->nlh, (int)p->len));
	assert_int_equal(p->nlh->nlmsg_len, p->len);
	assert_int_equal(p->nlh->nlmsg_seq, SEQ);
	assert_int_equal(p->nlh->nlmsg_pid, 0);
	p->ifa = mnl_nlmsg_get_payload(p->nlh);
	assert_int_equal(p->ifa->ifa_family, a->addr.family);
	assert_int_equal(p->ifa->ifa_index, IFINDEX);
	assert_int_equal(p->ifa->ifa_flags, 0);	/* flags go in IFA_FLAGS */
	assert_int_equal(mnl_attr_parse(p->nlh, sizeof(struct ifaddrmsg),
					attr_cb, p), MNL_CB_OK);
	return p;
}

static void
assert_attr_addr(const struct nlattr *at, const char *text)
{
	uint8_t want[16];
	int family = strchr(text, ':') ? AF_INET6 : AF_INET;
	size_t n = family == AF_INET ? 4 : 16;

	assert_non_null(at);
	assert_int_equal(inet_pton(family, text, want), 1);
	assert_int_equal(mnl_attr_get_payload_len(at), n);
	assert_memory_equal(mnl_attr_get_payload(at), want, n);
}

static uint32_t
attr_u32(const struct nlattr *at)
{
	assert_non_null(at);
	assert_int_equal(mnl_attr_validate(at, MNL_TYPE_U32), 0);
	return mnl_attr_get_u32(at);
}

static void
test_ipv4_add_basic(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.10", 24);
	struct parsed *p = build(true, &a);

	assert_int_equal(p->nlh->nlmsg_type, RTM_NEWADDR);
	assert_int_equal(p->nlh->nlmsg_flags,
			 NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	assert_int_equal(p->ifa->ifa_prefixlen, 24);
	assert_int_equal(p->ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	assert_attr_addr(p->tb[IFA_LOCAL], "192.0.2.10");
	assert_attr_addr(p->tb[IFA_ADDRESS], "192.0.2.10");
	assert_int_equal(p->nattrs, 2);		/* no brd, label, flags, lifetimes */
	free(p);
}

/* The whole message, byte for byte (little-endian host). */
static void
test_ipv4_add_bytes(void **state)
{
	static const uint8_t want[] = {
		40, 0, 0, 0,			/* nlmsg_len */
		RTM_NEWADDR, 0,
		0x05, 0x06,			/* REQUEST|ACK, CREATE|EXCL */
		0x92, 0x10, 0, 0,		/* seq 4242 */
		0, 0, 0, 0,			/* pid */
		AF_INET, 24, 0, 0,		/* family, prefix, flags, scope */
		IFINDEX, 0, 0, 0,
		8, 0, IFA_LOCAL, 0, 192, 0, 2, 10,
		8, 0, IFA_ADDRESS, 0, 192, 0, 2, 10,
	};
	struct cf_ipaddress a = vip("192.0.2.10", 24);
	uint8_t buf[128] __attribute__((aligned(4)));

	assert_int_equal(nl_build_addr(buf, sizeof(buf), true, SEQ, IFINDEX, &a),
			 sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

static void
test_ipv4_scope(void **state)
{
	struct cf_ipaddress a = vip("203.0.113.5", 24);
	struct parsed *p;

	a.scope = RT_SCOPE_LINK;
	p = build(true, &a);
	assert_int_equal(p->ifa->ifa_scope, 253);
	free(p);
	a.scope = RT_SCOPE_HOST;
	p = build(true, &a);
	assert_int_equal(p->ifa->ifa_scope, 254);
	free(p);
}

static void
test_ipv4_peer(void **state)
{
	struct cf_ipaddress a = vip("198.51.100.77", 32);
	struct parsed *p;

	set_addr(&a.peer, "198.51.100.78");
	p = build(true, &a);
	assert_attr_addr(p->tb[IFA_LOCAL], "198.51.100.77");
	assert_attr_addr(p->tb[IFA_ADDRESS], "198.51.100.78");
	assert_int_equal(p->ifa->ifa_prefixlen, 32);
	free(p);
	a.peer_prefix = 30;	/* "peer P/30": the prefix is the peer's */
	p = build(true, &a);
	assert_int_equal(p->ifa->ifa_prefixlen, 30);
	free(p);
}

static void
check_brd(const char *addr, uint8_t prefix, enum cf_brd mode, const char *want)
{
	struct cf_ipaddress a = vip(addr, prefix);
	struct parsed *p;

	a.brd_mode = mode;
	if (mode == CF_BRD_ADDR)
		set_addr(&a.brd, "192.0.2.127");
	p = build(true, &a);
	if (want)
		assert_attr_addr(p->tb[IFA_BROADCAST], want);
	else
		assert_null(p->tb[IFA_BROADCAST]);
	free(p);
}

static void
test_ipv4_broadcast(void **state)
{
	check_brd("192.0.2.101", 24, CF_BRD_NONE, NULL);
	check_brd("192.0.2.101", 24, CF_BRD_ADDR, "192.0.2.127");
	check_brd("192.0.2.101", 24, CF_BRD_SET, "192.0.2.255");
	check_brd("192.0.2.101", 24, CF_BRD_CLEAR, "192.0.2.0");
	check_brd("192.0.2.103", 25, CF_BRD_CLEAR, "192.0.2.0");	/* keepalived */
	check_brd("192.0.2.200", 25, CF_BRD_SET, "192.0.2.255");
	check_brd("198.51.100.5", 30, CF_BRD_SET, "198.51.100.7");
	check_brd("198.51.100.5", 31, CF_BRD_SET, NULL);	/* only up to /30 */
	check_brd("198.51.100.5", 32, CF_BRD_CLEAR, NULL);
	check_brd("203.0.113.9", 8, CF_BRD_SET, "203.255.255.255");
	check_brd("203.0.113.9", 0, CF_BRD_SET, "255.255.255.255");
	check_brd("203.0.113.9", 0, CF_BRD_CLEAR, "0.0.0.0");
}

static void
test_ipv4_label(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.101", 24);
	struct parsed *p;

	strcpy(a.label, "eth0:vip");
	p = build(true, &a);
	assert_non_null(p->tb[IFA_LABEL]);
	assert_int_equal(mnl_attr_validate(p->tb[IFA_LABEL], MNL_TYPE_NUL_STRING), 0);
	assert_string_equal(mnl_attr_get_str(p->tb[IFA_LABEL]), "eth0:vip");
	assert_int_equal(mnl_attr_get_payload_len(p->tb[IFA_LABEL]), 9);
	free(p);
}

static void
test_ipv4_flags(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.102", 24);
	struct parsed *p;

	a.home = a.noprefixroute = true;
	a.nodad = true;		/* "-nodad": means nothing for IPv4 */
	p = build(true, &a);
	assert_int_equal(attr_u32(p->tb[IFA_FLAGS]),
			 IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE);
	assert_null(p->tb[IFA_CACHEINFO]);
	free(p);

	a = vip("192.0.2.104", 24);
	a.autojoin = a.mngtmpaddr = true;
	p = build(true, &a);
	assert_int_equal(attr_u32(p->tb[IFA_FLAGS]),
			 IFA_F_MCAUTOJOIN | IFA_F_MANAGETEMPADDR);
	free(p);
}

static void
test_ipv6_addresses(void **state)
{
	struct cf_ipaddress a = vip("2001:db8::100", 64);
	struct parsed *p;

	a.scope = RT_SCOPE_LINK;	/* ignored for IPv6, as keepalived does */
	p = build(true, &a);
	assert_int_equal(p->ifa->ifa_family, AF_INET6);
	assert_int_equal(p->ifa->ifa_prefixlen, 64);
	assert_int_equal(p->ifa->ifa_scope, RT_SCOPE_UNIVERSE);
	assert_null(p->tb[IFA_LOCAL]);
	assert_attr_addr(p->tb[IFA_ADDRESS], "2001:db8::100");
	assert_null(p->tb[IFA_BROADCAST]);
	assert_null(p->tb[IFA_LABEL]);
	free(p);

	set_addr(&a.peer, "2001:db8::200");	/* with a peer: LOCAL + ADDRESS */
	p = build(true, &a);
	assert_attr_addr(p->tb[IFA_LOCAL], "2001:db8::100");
	assert_attr_addr(p->tb[IFA_ADDRESS], "2001:db8::200");
	free(p);
}

static void
test_ipv6_flags(void **state)
{
	struct cf_ipaddress a = vip("2001:db8:1::100", 64);
	struct parsed *p;

	p = build(true, &a);	/* default: no DAD for a VIP */
	assert_int_equal(attr_u32(p->tb[IFA_FLAGS]), IFA_F_NODAD);
	free(p);

	a.nodad = true;		/* "-nodad": keep DAD */
	a.mngtmpaddr = true;
	p = build(true, &a);
	assert_int_equal(attr_u32(p->tb[IFA_FLAGS]), IFA_F_MANAGETEMPADDR);
	free(p);

	a.mngtmpaddr = false;
	p = build(true, &a);
	assert_null(p->tb[IFA_FLAGS]);	/* nothing set, nothing sent */
	free(p);

	a = vip("2001:db8:2::100", 128);
	a.home = a.noprefixroute = true;
	p = build(true, &a);
	assert_int_equal(attr_u32(p->tb[IFA_FLAGS]),
			 IFA_F_NODAD | IFA_F_HOMEADDRESS | IFA_F_NOPREFIXROUTE);
	free(p);
}

static void
check_lft(uint8_t prefix, int64_t lft, bool sent, uint32_t want)
{
	struct cf_ipaddress a = vip("2001:db8:3::100", prefix);
	struct parsed *p;
	struct ifa_cacheinfo ci;

	a.preferred_lft = lft;
	p = build(true, &a);
	if (!sent) {
		assert_null(p->tb[IFA_CACHEINFO]);
		free(p);
		return;
	}
	assert_non_null(p->tb[IFA_CACHEINFO]);
	assert_int_equal(mnl_attr_get_payload_len(p->tb[IFA_CACHEINFO]), sizeof(ci));
	memcpy(&ci, mnl_attr_get_payload(p->tb[IFA_CACHEINFO]), sizeof(ci));
	assert_int_equal(ci.ifa_prefered, want);
	assert_int_equal(ci.ifa_valid, 0xffffffffU);
	assert_int_equal(ci.cstamp, 0);
	assert_int_equal(ci.tstamp, 0);
	free(p);
}

static void
test_ipv6_preferred_lft(void **state)
{
	check_lft(128, CF_UNSET, true, 0);	/* /128: deprecated by default */
	check_lft(128, -2, false, 0);		/* forever: the kernel default */
	check_lft(128, 30, true, 30);
	check_lft(64, CF_UNSET, false, 0);
	check_lft(64, 30, true, 30);
	check_lft(64, 0xffffffffLL, true, 0xffffffffU);
}

static void
test_ipv4_never_cacheinfo(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.10", 32);
	struct parsed *p;

	a.preferred_lft = 30;
	p = build(true, &a);
	assert_null(p->tb[IFA_CACHEINFO]);
	free(p);
}

static void
test_delete(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.101", 24);
	struct parsed *p;

	a.brd_mode = CF_BRD_SET;
	a.scope = RT_SCOPE_LINK;
	a.home = true;
	strcpy(a.label, "eth0:1");
	p = build(false, &a);
	assert_int_equal(p->nlh->nlmsg_type, RTM_DELADDR);
	assert_int_equal(p->nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
	assert_int_equal(p->ifa->ifa_prefixlen, 24);
	assert_int_equal(p->ifa->ifa_scope, RT_SCOPE_LINK);
	assert_attr_addr(p->tb[IFA_LOCAL], "192.0.2.101");
	assert_attr_addr(p->tb[IFA_ADDRESS], "192.0.2.101");
	assert_int_equal(p->nattrs, 2);
	free(p);

	a = vip("2001:db8::100", 128);
	p = build(false, &a);
	assert_int_equal(p->nlh->nlmsg_type, RTM_DELADDR);
	assert_attr_addr(p->tb[IFA_ADDRESS], "2001:db8::100");
	assert_int_equal(p->nattrs, 1);	/* no flags, no lifetimes */
	free(p);
}

/* Every length short of the message fails cleanly and writes nothing
 * past LEN; the exact length succeeds. */
static void
check_too_small(const struct cf_ipaddress *a)
{
	uint8_t buf[256] __attribute__((aligned(4)));
	size_t full = nl_build_addr(buf, sizeof(buf), true, SEQ, IFINDEX, a);

	assert_true(full > 0);
	for (size_t len = 0; len < full; len++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(nl_build_addr(buf, len, true, SEQ, IFINDEX, a), 0);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
	assert_int_equal(nl_build_addr(buf, full, true, SEQ, IFINDEX, a), full);
}

static void
test_too_small(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.101", 24);

	check_too_small(&a);
	a.brd_mode = CF_BRD_SET;
	strcpy(a.label, "eth0:vip");
	a.home = true;
	check_too_small(&a);
	a = vip("2001:db8::100", 128);
	check_too_small(&a);
}

static void
test_bad_family(void **state)
{
	struct cf_ipaddress a = vip("192.0.2.1", 24);
	uint8_t buf[256] __attribute__((aligned(4)));

	a.addr.family = AF_UNSPEC;
	assert_int_equal(nl_build_addr(buf, sizeof(buf), true, SEQ, IFINDEX, &a), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_add_basic),
		cmocka_unit_test(test_ipv4_add_bytes),
		cmocka_unit_test(test_ipv4_scope),
		cmocka_unit_test(test_ipv4_peer),
		cmocka_unit_test(test_ipv4_broadcast),
		cmocka_unit_test(test_ipv4_label),
		cmocka_unit_test(test_ipv4_flags),
		cmocka_unit_test(test_ipv6_addresses),
		cmocka_unit_test(test_ipv6_flags),
		cmocka_unit_test(test_ipv6_preferred_lft),
		cmocka_unit_test(test_ipv4_never_cacheinfo),
		cmocka_unit_test(test_delete),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_bad_family),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
