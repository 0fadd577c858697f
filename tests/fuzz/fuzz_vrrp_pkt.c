/* fuzz_vrrp_pkt.c - libFuzzer target: the VRRP codec on arbitrary bytes.
 *
 * One input feeds two decoders, so a single corpus serves both:
 *   - the whole input is an IPv4 packet for vrrp_pkt_decode4;
 *   - split, it is IPv6 metadata and payload for vrrp_pkt_decode6:
 *     bytes 0-15 source, 16-31 destination, 32 hop limit, then the VRRP
 *     message.  (An IPv4 packet fails decode6 early and vice versa.)
 * A packet that decodes must pass vrrp_pkt_check against the instance it
 * describes, and must re-encode to the very bytes it came from: the codec
 * has one wire form per advert.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp_pkt.h"

#define V6_META 33

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The advert's own instance: everything matches, addresses listed in
 * reverse order (the list check is order-insensitive). */
static void
check_self(const struct vrrp_advert *a)
{
	uint8_t (*rev)[16] = malloc(VRRP_MAX_ADDRS * sizeof(*rev));
	struct vrrp_pkt_expect e = {
		.version = a->version, .vrid = a->vrid,
		.min_ttl = a->ttl, .max_ttl = a->ttl,
		.auth_type = a->auth_type, .interval_cs = a->interval_cs,
		.check_addrs = true, .naddr = a->naddr,
	};

	if (!rev)
		return;
	for (unsigned i = 0; i < a->naddr; i++)
		memcpy(rev[i], a->addrs[a->naddr - 1 - i], 16);
	e.addrs = (const uint8_t (*)[16])rev;
	memcpy(e.auth_pass, a->auth_pass, VRRP_AUTH_LEN);
	if (vrrp_pkt_check(a, &e) != VRRP_PKT_OK)
		abort();
	e.min_ttl = e.max_ttl = 255;
	e.vrid ^= 1;
	if (vrrp_pkt_check(a, &e) == VRRP_PKT_OK)
		abort();
	free(rev);
}

/* Whether MSG is the one wire form of its advert: the encoder zeroes the
 * v3 reserved bits and the v2 auth data unless the type is PASS, which
 * receivers ignore. */
static bool
canonical(const struct vrrp_advert *a, const uint8_t *msg, size_t len)
{
	static const uint8_t zero[VRRP_AUTH_LEN];

	/* 0xffff and 0x0000 are the same checksum (ones' complement): both
	 * verify, the encoder writes 0x0000 */
	if (msg[6] == 0xff && msg[7] == 0xff)
		return false;
	if (a->version == 3)
		return (msg[4] & 0xf0) == 0;
	return a->auth_type == VRRP_V2_AUTH_PASS ||
	       memcmp(msg + len - VRRP_AUTH_LEN, zero, VRRP_AUTH_LEN) == 0;
}

/* Re-encode A and compare with the VRRP bytes it was decoded from.  v2
 * auth types other than NONE/PASS decode but are refused by the encoder. */
static void
check_reencode(const struct vrrp_advert *a, const uint8_t *msg, size_t len)
{
	uint8_t *buf = malloc(len);
	size_t n;

	if (!buf)
		return;
	n = vrrp_pkt_encode(a, buf, len);
	if (a->version == 2 && a->auth_type > VRRP_V2_AUTH_PASS) {
		if (n != 0)
			abort();
	} else if (n != len) {
		abort();
	} else if (canonical(a, msg, len) && memcmp(buf, msg, len) != 0) {
		abort();
	}
	if (vrrp_pkt_encode(a, buf, len - 1) != 0)
		abort();
	free(buf);
}

static struct vrrp_advert *
advert_buf(void)
{
	static struct vrrp_advert *a;

	if (!a)
		a = malloc(sizeof(*a));
	return a;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vrrp_advert *a = advert_buf();
	struct cf_inaddr src = { .family = AF_INET6 }, dst = { .family = AF_INET6 };

	if (!a || size > 65535)
		return 0;
	/* poison: the decoder must not rely on what OUT held before */
	memset(a, 0xa5, sizeof(*a));
	if (vrrp_pkt_decode4(data, size, a) == VRRP_PKT_OK) {
		size_t ihl = (size_t)(data[0] & 0x0f) * 4;
		check_self(a);
		check_reencode(a, data + ihl, size - ihl);
	}
	if (size < V6_META)
		return 0;
	memcpy(src.a, data, 16);
	memcpy(dst.a, data + 16, 16);
	memset(a, 0x5a, sizeof(*a));
	if (vrrp_pkt_decode6(data + V6_META, size - V6_META, &src, &dst,
			     data[32], a) == VRRP_PKT_OK) {
		check_self(a);
		check_reencode(a, data + V6_META, size - V6_META);
	}
	return 0;
}
