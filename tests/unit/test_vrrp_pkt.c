/* test_vrrp_pkt.c - the VRRP advertisement codec: round trips, bytes
 * captured from keepalived 2.2.7, and one crafted packet per drop reason. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vrrp_pkt.h"

/*
 * Adverts sent by keepalived v2.2.7 (Debian 12 package 1:2.2.7-1+b2) as
 * MASTER, VRID 51, priority 150, on a veth in a network namespace with
 * 192.0.2.1/24 and 2001:db8::1/64, captured with an AF_PACKET socket on
 * the veth peer (IP header first, Ethernet header removed).  Configurations:
 *   kad_v2:      advert_int 1, virtual_ipaddress 192.0.2.100
 *   kad_v2pass:  as kad_v2 plus auth_type PASS, auth_pass secret, and the
 *                VIPs 192.0.2.100 192.0.2.101
 *   kad_v3:      vrrp_version 3, advert_int 0.1, VIP 192.0.2.100
 *   kad_v3v6:    vrrp_version 3, advert_int 1, VIPs 2001:db8::100 and
 *                2001:db8::101 (source: eth0's link-local address)
 * keepalived builds the IPv4 header itself (TOS 0xc0, id counting from 1)
 * and sets traffic class 0xc0 on IPv6.
 */
static const uint8_t kad_v2[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00,
	0xff, 0x70, 0x18, 0x91, 0xc0, 0x00, 0x02, 0x01,
	0xe0, 0x00, 0x00, 0x12, 0x21, 0x33, 0x96, 0x01,
	0x00, 0x01, 0x86, 0x65, 0xc0, 0x00, 0x02, 0x64,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static const uint8_t kad_v2pass[] = {
	0x45, 0xc0, 0x00, 0x2c, 0x00, 0x01, 0x00, 0x00,
	0xff, 0x70, 0x18, 0x8d, 0xc0, 0x00, 0x02, 0x01,
	0xe0, 0x00, 0x00, 0x12, 0x21, 0x33, 0x96, 0x02,
	0x01, 0x01, 0x86, 0xb2, 0xc0, 0x00, 0x02, 0x64,
	0xc0, 0x00, 0x02, 0x65, 0x73, 0x65, 0x63, 0x72,
	0x65, 0x74, 0x00, 0x00,
};

static const uint8_t kad_v3[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00,
	0xff, 0x70, 0x18, 0x99, 0xc0, 0x00, 0x02, 0x01,
	0xe0, 0x00, 0x00, 0x12, 0x31, 0x33, 0x96, 0x01,
	0x00, 0x0a, 0xd3, 0xcb, 0xc0, 0x00, 0x02, 0x64,
};

static const uint8_t kad_v3v6[] = {
	0x6c, 0x04, 0xf3, 0x2d, 0x00, 0x28, 0x70, 0xff,
	0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0xa4, 0x8c, 0xac, 0xff, 0xfe, 0x3d, 0xb2, 0x23,
	0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12,
	0x31, 0x33, 0x96, 0x02, 0x00, 0x64, 0xda, 0xd6,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
};

#define IP6_HDR 40

/* ---- helpers -------------------------------------------------------- */

static void
set_addr(struct cf_inaddr *ia, int family, const char *text)
{
	memset(ia, 0, sizeof(*ia));
	ia->family = (sa_family_t)family;
	assert_int_equal(inet_pton(family, text, ia->a), 1);
}

static void
add_vip(struct vrrp_advert *a, const char *text)
{
	assert_int_equal(inet_pton(a->family, text, a->addrs[a->naddr]), 1);
	a->naddr++;
}

/* A freshly allocated advert (the struct is 4 KB: keep it off the stack). */
static struct vrrp_advert *
advert_new(int version, int family)
{
	struct vrrp_advert *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->version = (uint8_t)version;
	a->vrid = 51;
	a->priority = 150;
	a->interval_cs = 100;
	a->family = (sa_family_t)family;
	a->ttl = 255;
	if (family == AF_INET) {
		set_addr(&a->src, AF_INET, "192.0.2.1");
		set_addr(&a->dst, AF_INET, "224.0.0.18");
		add_vip(a, "192.0.2.100");
	} else {
		set_addr(&a->src, AF_INET6, "fe80::1");
		set_addr(&a->dst, AF_INET6, "ff02::12");
		add_vip(a, "2001:db8::100");
	}
	return a;
}

/* An independent RFC 1071 checksum, to cross-check the codec's. */
static uint16_t
ref_sum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i < n; i++)
		acc += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

/* Recompute the VRRP checksum of an IPv4 packet after a test mutated it,
 * so the packet fails for the reason under test and not the checksum. */
static void
fix_csum4(uint8_t *pkt)
{
	size_t ihl = (pkt[0] & 0x0f) * 4u, tot = (size_t)pkt[2] << 8 | pkt[3];
	uint8_t *v = pkt + ihl;
	uint32_t acc = 0;
	uint16_t s;

	v[6] = v[7] = 0;
	if (v[0] >> 4 == 3) {
		uint8_t ph[12] = { 0 };
		memcpy(ph, pkt + 12, 8);
		ph[9] = 112;
		ph[10] = (uint8_t)((tot - ihl) >> 8);
		ph[11] = (uint8_t)(tot - ihl);
		acc = (uint16_t)~ref_sum(ph, sizeof(ph), 0);
	}
	s = ref_sum(v, tot - ihl, acc);
	v[6] = (uint8_t)(s >> 8);
	v[7] = (uint8_t)s;
}

/* A whole IPv4 packet: 20-byte header (TTL from A) + encoded advert. */
static size_t
build4(const struct vrrp_advert *a, uint8_t *buf, size_t len)
{
	size_t n = vrrp_pkt_encode(a, buf + 20, len - 20);

	assert_true(n > 0);
	memset(buf, 0, 20);
	buf[0] = 0x45;
	buf[2] = (uint8_t)((n + 20) >> 8);
	buf[3] = (uint8_t)(n + 20);
	buf[8] = a->ttl;
	buf[9] = VRRP_PROTO;
	memcpy(buf + 12, a->src.a, 4);
	memcpy(buf + 16, a->dst.a, 4);
	return n + 20;
}

static void
assert_same_advert(const struct vrrp_advert *x, const struct vrrp_advert *y)
{
	size_t alen = x->family == AF_INET6 ? 16 : 4;

	assert_int_equal(x->version, y->version);
	assert_int_equal(x->vrid, y->vrid);
	assert_int_equal(x->priority, y->priority);
	assert_int_equal(x->interval_cs, y->interval_cs);
	assert_int_equal(x->family, y->family);
	assert_int_equal(x->naddr, y->naddr);
	for (unsigned i = 0; i < x->naddr; i++)
		assert_memory_equal(x->addrs[i], y->addrs[i], alen);
	assert_memory_equal(x->src.a, y->src.a, alen);
	assert_memory_equal(x->dst.a, y->dst.a, alen);
	assert_int_equal(x->ttl, y->ttl);
	if (x->version == 2) {
		assert_int_equal(x->auth_type, y->auth_type);
		assert_memory_equal(x->auth_pass, y->auth_pass, VRRP_AUTH_LEN);
	}
}

/* What instance A would expect: the advert's own settings, multicast TTL. */
static struct vrrp_pkt_expect
expect_of(const struct vrrp_advert *a)
{
	struct vrrp_pkt_expect e = {
		.version = a->version, .vrid = a->vrid,
		.min_ttl = 255, .max_ttl = 255,
		.auth_type = a->auth_type, .interval_cs = a->interval_cs,
		.check_addrs = true, .naddr = a->naddr,
		.addrs = (const uint8_t (*)[16])a->addrs,
	};
	memcpy(e.auth_pass, a->auth_pass, VRRP_AUTH_LEN);
	return e;
}

/* Fixture: a sent advert, a decoded one, and a packet buffer. */
struct fx {
	struct vrrp_advert *sent, *got;
	uint8_t pkt[8192];
	size_t len;
};

static struct fx *
fx_new4(int version)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->sent = advert_new(version, AF_INET);
	f->got = calloc(1, sizeof(*f->got));
	assert_non_null(f->got);
	f->len = build4(f->sent, f->pkt, sizeof(f->pkt));
	return f;
}

static void
fx_free(struct fx *f)
{
	free(f->sent);
	free(f->got);
	free(f);
}

static enum vrrp_pkt_drop
fx_decode4(struct fx *f)
{
	return vrrp_pkt_decode4(f->pkt, f->len, f->got);
}

/* Decode the packet and run the instance check expecting what was sent. */
static enum vrrp_pkt_drop
fx_check(struct fx *f, const struct vrrp_pkt_expect *e)
{
	assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
	return vrrp_pkt_check(f->got, e);
}

/* ---- names ---------------------------------------------------------- */

static void
test_drop_names(void **state)
{
	(void)state;
	for (int i = 0; i < VRRP_PKT_DROP_MAX; i++) {
		assert_non_null(vrrp_pkt_drop_name(i));
		for (int j = 0; j < i; j++)
			assert_string_not_equal(vrrp_pkt_drop_name(i),
						vrrp_pkt_drop_name(j));
	}
	assert_string_equal(vrrp_pkt_drop_name(VRRP_PKT_TTL), "bad TTL");
	assert_string_equal(vrrp_pkt_drop_name(VRRP_PKT_DROP_MAX), "unknown");
	assert_string_equal(vrrp_pkt_drop_name((enum vrrp_pkt_drop)-1), "unknown");
}

/* ---- round trips ---------------------------------------------------- */

static void
test_roundtrip_v2_none(void **state)
{
	struct fx *f = fx_new4(2);

	(void)state;
	assert_int_equal(f->len, 20 + 8 + 4 + 8);
	assert_int_equal(f->pkt[20], 0x21);
	assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
	assert_same_advert(f->sent, f->got);
	struct vrrp_pkt_expect e = expect_of(f->sent);
	assert_int_equal(vrrp_pkt_check(f->got, &e), VRRP_PKT_OK);
	fx_free(f);
}

static void
test_roundtrip_v2_pass(void **state)
{
	struct vrrp_advert *a = advert_new(2, AF_INET), *b = calloc(1, sizeof(*b));
	uint8_t pkt[128];

	(void)state;
	a->auth_type = VRRP_V2_AUTH_PASS;
	memcpy(a->auth_pass, "pw\0\0\0\0\0\0", VRRP_AUTH_LEN);
	a->interval_cs = 300;
	add_vip(a, "198.51.100.7");
	size_t n = build4(a, pkt, sizeof(pkt));
	assert_int_equal(n, 20 + 8 + 8 + 8);
	assert_memory_equal(pkt + n - 8, "pw\0\0\0\0\0\0", 8);
	assert_int_equal(pkt[25], 3);	/* whole seconds on the wire */
	assert_int_equal(vrrp_pkt_decode4(pkt, n, b), VRRP_PKT_OK);
	assert_same_advert(a, b);
	struct vrrp_pkt_expect e = expect_of(a);
	assert_int_equal(vrrp_pkt_check(b, &e), VRRP_PKT_OK);
	free(a);
	free(b);
}

static void
test_roundtrip_v3_ipv4(void **state)
{
	struct fx *f;

	(void)state;
	f = fx_new4(3);
	f->sent->interval_cs = 0xfff;
	add_vip(f->sent, "203.0.113.9");
	f->len = build4(f->sent, f->pkt, sizeof(f->pkt));
	assert_int_equal(f->len, 20 + 8 + 8);
	assert_int_equal(f->pkt[20], 0x31);
	assert_int_equal(f->pkt[24], 0x0f);	/* reserved bits zero */
	assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
	assert_same_advert(f->sent, f->got);
	fx_free(f);
}

static void
test_roundtrip_v3_ipv6(void **state)
{
	struct vrrp_advert *a = advert_new(3, AF_INET6), *b = calloc(1, sizeof(*b));
	uint8_t buf[VRRP_HDR_LEN + 255 * 16];

	(void)state;
	a->naddr = 255;
	for (unsigned i = 0; i < 255; i++) {
		assert_int_equal(inet_pton(AF_INET6, "2001:db8::", a->addrs[i]), 1);
		a->addrs[i][15] = (uint8_t)i;
	}
	a->interval_cs = 25;
	size_t n = vrrp_pkt_encode(a, buf, sizeof(buf));
	assert_int_equal(n, sizeof(buf));
	assert_int_equal(vrrp_pkt_decode6(buf, n, &a->src, &a->dst, 255, b),
			 VRRP_PKT_OK);
	assert_same_advert(a, b);
	struct vrrp_pkt_expect e = expect_of(a);
	assert_int_equal(vrrp_pkt_check(b, &e), VRRP_PKT_OK);
	free(a);
	free(b);
}

/* ---- keepalived interop: decode its bytes, re-encode them exactly ---- */

/* Decode captured IPv4 packet PKT and check that encoding the result gives
 * back the same VRRP bytes (checksum included). */
static struct vrrp_advert *
kad_roundtrip4(const uint8_t *pkt, size_t len)
{
	struct vrrp_advert *a = calloc(1, sizeof(*a));
	uint8_t out[256];

	assert_int_equal(vrrp_pkt_decode4(pkt, len, a), VRRP_PKT_OK);
	assert_int_equal(vrrp_pkt_encode(a, out, sizeof(out)), len - 20);
	assert_memory_equal(out, pkt + 20, len - 20);
	return a;
}

static void
test_keepalived_v2(void **state)
{
	struct vrrp_advert *a = kad_roundtrip4(kad_v2, sizeof(kad_v2));
	uint8_t vip[4] = { 192, 0, 2, 100 };

	(void)state;
	assert_int_equal(a->version, 2);
	assert_int_equal(a->vrid, 51);
	assert_int_equal(a->priority, 150);
	assert_int_equal(a->interval_cs, 100);
	assert_int_equal(a->auth_type, VRRP_V2_AUTH_NONE);
	assert_int_equal(a->ttl, 255);
	assert_int_equal(a->naddr, 1);
	assert_memory_equal(a->addrs[0], vip, 4);
	assert_int_equal(a->src.family, AF_INET);
	free(a);
}

static void
test_keepalived_v2_pass(void **state)
{
	struct vrrp_advert *a = kad_roundtrip4(kad_v2pass, sizeof(kad_v2pass));

	(void)state;
	assert_int_equal(a->auth_type, VRRP_V2_AUTH_PASS);
	assert_memory_equal(a->auth_pass, "secret\0\0", VRRP_AUTH_LEN);
	assert_int_equal(a->naddr, 2);
	struct vrrp_pkt_expect e = expect_of(a);
	memcpy(e.auth_pass, "secret\0\0", 8);
	assert_int_equal(vrrp_pkt_check(a, &e), VRRP_PKT_OK);
	free(a);
}

static void
test_keepalived_v3_ipv4(void **state)
{
	struct vrrp_advert *a = kad_roundtrip4(kad_v3, sizeof(kad_v3));
	uint8_t grp[4] = { 224, 0, 0, 18 };

	(void)state;
	assert_int_equal(a->version, 3);
	assert_int_equal(a->interval_cs, 10);	/* advert_int 0.1 */
	assert_memory_equal(a->dst.a, grp, 4);
	free(a);
}

static void
test_keepalived_v3_ipv6(void **state)
{
	struct vrrp_advert *a = calloc(1, sizeof(*a));
	struct cf_inaddr src = { .family = AF_INET6 }, dst = { .family = AF_INET6 };
	uint8_t out[64];
	const uint8_t *v = kad_v3v6 + IP6_HDR;
	size_t n = sizeof(kad_v3v6) - IP6_HDR;

	(void)state;
	memcpy(src.a, kad_v3v6 + 8, 16);
	memcpy(dst.a, kad_v3v6 + 24, 16);
	assert_int_equal(vrrp_pkt_decode6(v, n, &src, &dst, kad_v3v6[7], a),
			 VRRP_PKT_OK);
	assert_int_equal(a->family, AF_INET6);
	assert_int_equal(a->ttl, 255);
	assert_int_equal(a->naddr, 2);
	assert_int_equal(a->interval_cs, 100);
	assert_int_equal(vrrp_pkt_encode(a, out, sizeof(out)), n);
	assert_memory_equal(out, v, n);
	free(a);
}

/* ---- decode drops --------------------------------------------------- */

static void
test_drop_too_short(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	assert_int_equal(vrrp_pkt_decode4(f->pkt, 27, f->got), VRRP_PKT_TOO_SHORT);
	assert_int_equal(vrrp_pkt_decode4(f->pkt, 0, f->got), VRRP_PKT_TOO_SHORT);
	assert_int_equal(vrrp_pkt_decode6(f->pkt + 20, 7, &f->sent->src,
					  &f->sent->dst, 255, f->got),
			 VRRP_PKT_TOO_SHORT);
	/* ihl covers the whole datagram: no room for a VRRP header */
	f->pkt[0] = 0x47;
	assert_int_equal(fx_decode4(f), VRRP_PKT_TOO_SHORT);
	fx_free(f);
}

static void
test_drop_bad_ihl(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	f->pkt[0] = 0x44;
	assert_int_equal(fx_decode4(f), VRRP_PKT_IP_HEADER);
	f->pkt[0] = 0x4f;	/* 60 bytes of header in a 32-byte packet */
	assert_int_equal(fx_decode4(f), VRRP_PKT_IP_HEADER);
	f->pkt[0] = 0x65;	/* not IPv4 */
	assert_int_equal(fx_decode4(f), VRRP_PKT_IP_HEADER);
	fx_free(f);
}

static void
test_drop_total_length(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	f->pkt[3]++;		/* claims more than was received */
	assert_int_equal(fx_decode4(f), VRRP_PKT_IP_HEADER);
	f->pkt[3] -= 2;		/* claims less */
	assert_int_equal(fx_decode4(f), VRRP_PKT_IP_HEADER);
	fx_free(f);
}

static void
test_ip_options_skipped(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	/* insert 4 bytes of options (NOPs): ihl 6 */
	memmove(f->pkt + 24, f->pkt + 20, f->len - 20);
	memset(f->pkt + 20, 1, 4);
	f->pkt[0] = 0x46;
	f->len += 4;
	f->pkt[3] = (uint8_t)f->len;
	assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
	assert_same_advert(f->sent, f->got);
	fx_free(f);
}

static void
test_drop_wrong_proto(void **state)
{
	struct fx *f = fx_new4(2);

	(void)state;
	f->pkt[9] = 51;		/* AH */
	assert_int_equal(fx_decode4(f), VRRP_PKT_PROTO);
	fx_free(f);
}

static void
test_drop_version(void **state)
{
	static const uint8_t bad[] = { 0x11, 0x41, 0x01, 0xf1 };
	struct fx *f = fx_new4(3);

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		f->pkt[20] = bad[i];
		fix_csum4(f->pkt);
		assert_int_equal(fx_decode4(f), VRRP_PKT_VERSION);
	}
	fx_free(f);
}

static void
test_drop_v2_over_ipv6(void **state)
{
	struct vrrp_advert *a = advert_new(3, AF_INET6), *b = calloc(1, sizeof(*b));
	uint8_t buf[64];

	(void)state;
	size_t n = vrrp_pkt_encode(a, buf, sizeof(buf));
	buf[0] = 0x21;
	assert_int_equal(vrrp_pkt_decode6(buf, n, &a->src, &a->dst, 255, b),
			 VRRP_PKT_VERSION);
	free(a);
	free(b);
}

static void
test_drop_type(void **state)
{
	struct fx *f = fx_new4(2);

	(void)state;
	f->pkt[20] = 0x22;
	fix_csum4(f->pkt);
	assert_int_equal(fx_decode4(f), VRRP_PKT_TYPE);
	f->pkt[20] = 0x20;
	assert_int_equal(fx_decode4(f), VRRP_PKT_TYPE);
	fx_free(f);
}

static void
test_drop_length(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	f->pkt[23] = 2;		/* count says 2, one address follows */
	fix_csum4(f->pkt);
	assert_int_equal(fx_decode4(f), VRRP_PKT_LENGTH);
	/* count 1 with 4 trailing zero bytes (checksum unaffected): dropped,
	 * as keepalived does */
	f->pkt[23] = 1;
	fix_csum4(f->pkt);
	memset(f->pkt + f->len, 0, 4);
	f->len += 4;
	f->pkt[3] = (uint8_t)f->len;
	assert_int_equal(fx_decode4(f), VRRP_PKT_LENGTH);
	fx_free(f);
}

static void
test_drop_length_v2_no_auth(void **state)
{
	struct fx *f = fx_new4(2);

	(void)state;
	/* a v2 packet without its 8 auth bytes (keepalived's v2-over-v6 shape) */
	f->len -= 8;
	f->pkt[3] = (uint8_t)f->len;
	fix_csum4(f->pkt);
	assert_int_equal(fx_decode4(f), VRRP_PKT_LENGTH);
	fx_free(f);
}

static void
test_drop_checksum(void **state)
{
	struct fx *f;

	(void)state;
	for (int v = 2; v <= 3; v++) {
		f = fx_new4(v);
		f->pkt[27]++;
		assert_int_equal(fx_decode4(f), VRRP_PKT_CHECKSUM);
		f->pkt[27]--;
		assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
		fx_free(f);
	}
}

/* v3 covers the pseudo-header: same VRRP bytes, other destination. */
static void
test_drop_checksum_pseudo_header(void **state)
{
	struct fx *f = fx_new4(3);

	(void)state;
	f->pkt[19] = 19;	/* 224.0.0.19 */
	assert_int_equal(fx_decode4(f), VRRP_PKT_CHECKSUM);
	fx_free(f);
	f = fx_new4(2);		/* v2 doesn't: accepted */
	f->pkt[19] = 19;
	assert_int_equal(fx_decode4(f), VRRP_PKT_OK);
	fx_free(f);
}

static void
test_drop_checksum_ipv6(void **state)
{
	struct vrrp_advert *a = advert_new(3, AF_INET6), *b = calloc(1, sizeof(*b));
	uint8_t buf[64];
	struct cf_inaddr other;

	(void)state;
	size_t n = vrrp_pkt_encode(a, buf, sizeof(buf));
	set_addr(&other, AF_INET6, "fe80::2");
	assert_int_equal(vrrp_pkt_decode6(buf, n, &other, &a->dst, 255, b),
			 VRRP_PKT_CHECKSUM);
	buf[7] ^= 1;
	assert_int_equal(vrrp_pkt_decode6(buf, n, &a->src, &a->dst, 255, b),
			 VRRP_PKT_CHECKSUM);
	free(a);
	free(b);
}

/* ---- instance checks ------------------------------------------------ */

static void
test_drop_ttl(void **state)
{
	struct fx *f = fx_new4(3);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	f->pkt[8] = 254;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_TTL);
	assert_int_equal(f->got->ttl, 254);
	e.min_ttl = e.max_ttl = -1;	/* unicast without a TTL rule */
	assert_int_equal(vrrp_pkt_check(f->got, &e), VRRP_PKT_OK);
	e.min_ttl = 64;
	e.max_ttl = 253;
	assert_int_equal(vrrp_pkt_check(f->got, &e), VRRP_PKT_TTL);
	e.max_ttl = 254;
	assert_int_equal(vrrp_pkt_check(f->got, &e), VRRP_PKT_OK);
	f->pkt[8] = 63;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_TTL);
	fx_free(f);
}

static void
test_drop_instance_version(void **state)
{
	struct fx *f = fx_new4(3);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.version = 2;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_VERSION);
	fx_free(f);
}

static void
test_drop_vrid(void **state)
{
	struct fx *f = fx_new4(2);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.vrid = 52;
	/* VRID wins over auth: the advert belongs to another instance */
	e.auth_type = VRRP_V2_AUTH_PASS;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_VRID);
	fx_free(f);
}

static void
test_drop_addr_count(void **state)
{
	struct fx *f = fx_new4(3);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.naddr = 2;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_ADDR_COUNT);
	e.naddr = 0;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_ADDR_COUNT);
	e.check_addrs = false;	/* skip_check_adv_addr */
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	fx_free(f);
}

static void
test_drop_addr_list(void **state)
{
	struct fx *f = fx_new4(3);
	uint8_t ours[3][16] = { { 192, 0, 2, 100 }, { 192, 0, 2, 101 },
				{ 192, 0, 2, 102 } };
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	/* the packet lists .102 .100 .101: same set, other order */
	f->sent->naddr = 0;
	add_vip(f->sent, "192.0.2.102");
	add_vip(f->sent, "192.0.2.100");
	add_vip(f->sent, "192.0.2.101");
	f->len = build4(f->sent, f->pkt, sizeof(f->pkt));
	e.naddr = 3;
	e.addrs = (const uint8_t (*)[16])ours;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	ours[1][3] = 103;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_ADDR_LIST);
	e.check_addrs = false;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	fx_free(f);
}

static void
test_drop_addr_list_ipv6(void **state)
{
	struct vrrp_advert *a = advert_new(3, AF_INET6), *b = calloc(1, sizeof(*b));
	uint8_t buf[64], ours[1][16];

	(void)state;
	size_t n = vrrp_pkt_encode(a, buf, sizeof(buf));
	assert_int_equal(vrrp_pkt_decode6(buf, n, &a->src, &a->dst, 255, b),
			 VRRP_PKT_OK);
	struct vrrp_pkt_expect e = expect_of(a);
	e.addrs = (const uint8_t (*)[16])ours;
	memcpy(ours[0], a->addrs[0], 16);
	assert_int_equal(vrrp_pkt_check(b, &e), VRRP_PKT_OK);
	ours[0][15] ^= 1;	/* differs beyond the first 4 bytes */
	assert_int_equal(vrrp_pkt_check(b, &e), VRRP_PKT_ADDR_LIST);
	free(a);
	free(b);
}

static void
test_drop_auth_type(void **state)
{
	struct fx *f = fx_new4(2);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.auth_type = VRRP_V2_AUTH_PASS;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_AUTH_TYPE);
	f->pkt[24] = VRRP_V2_AUTH_AH;
	fix_csum4(f->pkt);
	assert_int_equal(fx_check(f, &e), VRRP_PKT_AUTH_TYPE);
	fx_free(f);
}

static void
test_drop_auth_pass(void **state)
{
	struct fx *f = fx_new4(2);

	(void)state;
	f->sent->auth_type = VRRP_V2_AUTH_PASS;
	memcpy(f->sent->auth_pass, "secret\0\0", 8);
	f->len = build4(f->sent, f->pkt, sizeof(f->pkt));
	struct vrrp_pkt_expect e = expect_of(f->sent);
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	memcpy(e.auth_pass, "secreT\0\0", 8);
	assert_int_equal(fx_check(f, &e), VRRP_PKT_AUTH);
	/* all 8 bytes count, including the padding */
	memcpy(e.auth_pass, "secret\0x", 8);
	assert_int_equal(fx_check(f, &e), VRRP_PKT_AUTH);
	fx_free(f);
}

static void
test_drop_v2_interval(void **state)
{
	struct fx *f = fx_new4(2);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.interval_cs = 200;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_INTERVAL);
	fx_free(f);
}

/* RFC 5798 6.4.2: a v3 backup adopts the master's interval. */
static void
test_v3_interval_not_checked(void **state)
{
	struct fx *f = fx_new4(3);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	e.interval_cs = 200;
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	fx_free(f);
}

static void
test_priority_zero_accepted(void **state)
{
	struct fx *f = fx_new4(3);
	struct vrrp_pkt_expect e = expect_of(f->sent);

	(void)state;
	f->sent->priority = 0;
	f->len = build4(f->sent, f->pkt, sizeof(f->pkt));
	assert_int_equal(fx_check(f, &e), VRRP_PKT_OK);
	assert_int_equal(f->got->priority, 0);
	fx_free(f);
}

/* ---- encode limits -------------------------------------------------- */

static void
test_encode_buffer_too_small(void **state)
{
	struct vrrp_advert *a = advert_new(2, AF_INET);
	uint8_t buf[20];

	(void)state;
	assert_int_equal(vrrp_pkt_encode(a, buf, 19), 0);
	assert_int_equal(vrrp_pkt_encode(a, buf, 20), 20);
	assert_int_equal(vrrp_pkt_encode(a, NULL, 0), 0);
	a->version = 3;
	a->family = AF_INET6;
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);	/* needs 24 */
	free(a);
}

static void
test_encode_inconsistent(void **state)
{
	struct vrrp_advert *a = advert_new(3, AF_INET);
	uint8_t buf[64];

	(void)state;
	a->version = 4;
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->version = 3;
	a->interval_cs = 0x1000;	/* beyond 12 bits */
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->version = 2;
	a->interval_cs = 150;		/* v2 has whole seconds only */
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->interval_cs = 25600;		/* 256 s: beyond one byte */
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->interval_cs = 100;
	a->auth_type = VRRP_V2_AUTH_AH;	/* needs an AH header */
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->auth_type = VRRP_V2_AUTH_NONE;
	a->family = AF_INET6;		/* v2 is IPv4 only */
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	a->family = AF_UNSPEC;
	a->version = 3;
	assert_int_equal(vrrp_pkt_encode(a, buf, sizeof(buf)), 0);
	free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_roundtrip_v2_none),
		cmocka_unit_test(test_roundtrip_v2_pass),
		cmocka_unit_test(test_roundtrip_v3_ipv4),
		cmocka_unit_test(test_roundtrip_v3_ipv6),
		cmocka_unit_test(test_keepalived_v2),
		cmocka_unit_test(test_keepalived_v2_pass),
		cmocka_unit_test(test_keepalived_v3_ipv4),
		cmocka_unit_test(test_keepalived_v3_ipv6),
		cmocka_unit_test(test_drop_too_short),
		cmocka_unit_test(test_drop_bad_ihl),
		cmocka_unit_test(test_drop_total_length),
		cmocka_unit_test(test_ip_options_skipped),
		cmocka_unit_test(test_drop_wrong_proto),
		cmocka_unit_test(test_drop_version),
		cmocka_unit_test(test_drop_v2_over_ipv6),
		cmocka_unit_test(test_drop_type),
		cmocka_unit_test(test_drop_length),
		cmocka_unit_test(test_drop_length_v2_no_auth),
		cmocka_unit_test(test_drop_checksum),
		cmocka_unit_test(test_drop_checksum_pseudo_header),
		cmocka_unit_test(test_drop_checksum_ipv6),
		cmocka_unit_test(test_drop_ttl),
		cmocka_unit_test(test_drop_instance_version),
		cmocka_unit_test(test_drop_vrid),
		cmocka_unit_test(test_drop_addr_count),
		cmocka_unit_test(test_drop_addr_list),
		cmocka_unit_test(test_drop_addr_list_ipv6),
		cmocka_unit_test(test_drop_auth_type),
		cmocka_unit_test(test_drop_auth_pass),
		cmocka_unit_test(test_drop_v2_interval),
		cmocka_unit_test(test_v3_interval_not_checked),
		cmocka_unit_test(test_priority_zero_accepted),
		cmocka_unit_test(test_encode_buffer_too_small),
		cmocka_unit_test(test_encode_inconsistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
