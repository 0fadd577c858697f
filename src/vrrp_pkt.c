/* vrrp_pkt.c - VRRP advertisement codec, v2 (RFC 3768) and v3 (RFC 5798).
 *
 * Every multi-byte field is read and written byte by byte in network order,
 * so the codec never casts a buffer to a struct: received buffers need not
 * be aligned and the fuzzer can hand us any pointer.
 *
 * Wire layout (both versions):
 *   0: version << 4 | type     1: VRID      2: priority   3: count IP addrs
 *   v2: 4: auth type  5: adver int (s)       v3: 4-5: rsvd:4 | max adver int:12 (cs)
 *   6-7: checksum
 *   8: addresses (4 or 16 bytes each), then v2 only: 8 bytes of auth data
 */
#include "config.h"

#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "vrrp_pkt.h"

#define IP4_MIN_HDR 20
#define V3_MAX_INTERVAL 0x0fff	/* 12 bits of centiseconds */

static const char *const drop_names[VRRP_PKT_DROP_MAX] = {
	[VRRP_PKT_OK] = "ok",
	[VRRP_PKT_TOO_SHORT] = "packet too short",
	[VRRP_PKT_IP_HEADER] = "bad IP header",
	[VRRP_PKT_PROTO] = "not VRRP protocol",
	[VRRP_PKT_TTL] = "bad TTL",
	[VRRP_PKT_VERSION] = "bad version",
	[VRRP_PKT_TYPE] = "bad type",
	[VRRP_PKT_LENGTH] = "bad length",
	[VRRP_PKT_CHECKSUM] = "bad checksum",
	[VRRP_PKT_VRID] = "VRID mismatch",
	[VRRP_PKT_ADDR_COUNT] = "address count mismatch",
	[VRRP_PKT_ADDR_LIST] = "address list mismatch",
	[VRRP_PKT_AUTH_TYPE] = "auth type mismatch",
	[VRRP_PKT_AUTH] = "auth failure",
	[VRRP_PKT_INTERVAL] = "advert interval mismatch",
};

const char *
vrrp_pkt_drop_name(enum vrrp_pkt_drop reason)
{
	if ((unsigned)reason >= VRRP_PKT_DROP_MAX)
		return "unknown";
	return drop_names[reason];
}

/* ---- checksum ------------------------------------------------------- */

/* Add BUF to the running one's-complement sum as big-endian 16-bit words;
 * an odd trailing byte is padded with zero (RFC 1071).  Callers only pass
 * an odd length last, so the padding never shifts a later word. */
static uint32_t
csum_add(uint32_t sum, const uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)buf[i] << 8 | buf[i + 1];
	if (len & 1)
		sum += (uint32_t)buf[len - 1] << 8;
	return sum;
}

static uint16_t
csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The v3 pseudo-header of RFC 5798 5.2.8: the upper-layer pseudo-header of
 * IPv4 (RFC 768 style: src, dst, zero, proto, 16-bit length) or IPv6
 * (RFC 8200 8.1: src, dst, 32-bit length, 3 zero bytes, next header). */
static uint32_t
csum_pseudo(sa_family_t family, const uint8_t *src, const uint8_t *dst,
	    size_t vrrp_len)
{
	size_t alen = family == AF_INET6 ? 16 : 4;
	uint32_t sum = csum_add(0, src, alen);

	sum = csum_add(sum, dst, alen);
	/* zero byte + protocol, then the length; in IPv6 the length is
	 * 32 bits but never exceeds 16 here, so the sums are the same */
	sum += VRRP_PROTO;
	sum += (uint32_t)vrrp_len;
	return sum;
}

/* Checksum of VRRP message MSG as it sits in the packet (a correct one sums
 * to 0); v3 adds the pseudo-header, v2 covers the message alone. */
static uint16_t
vrrp_csum(uint8_t version, sa_family_t family, const uint8_t *src,
	  const uint8_t *dst, const uint8_t *msg, size_t len)
{
	uint32_t sum = 0;

	if (version == 3)
		sum = csum_pseudo(family, src, dst, len);
	return csum_fold(csum_add(sum, msg, len));
}

/* ---- encode --------------------------------------------------------- */

static size_t
addr_len(sa_family_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* Wire length of A's VRRP message, or 0 if A can't be encoded. */
static size_t
encoded_len(const struct vrrp_advert *a)
{
	if (a->family != AF_INET && a->family != AF_INET6)
		return 0;
	if (a->version == 3)
		return a->interval_cs <= V3_MAX_INTERVAL ?
			VRRP_HDR_LEN + a->naddr * addr_len(a->family) : 0;
	if (a->version != 2)
		return 0;
	/* v2 is IPv4 only (RFC 3768); whole seconds in one byte; AH needs an
	 * IPsec header this codec does not build */
	if (a->family != AF_INET || a->interval_cs % 100 != 0 ||
	    a->interval_cs / 100 > 255 || a->auth_type > VRRP_V2_AUTH_PASS)
		return 0;
	return VRRP_HDR_LEN + a->naddr * 4u + VRRP_AUTH_LEN;
}

size_t
vrrp_pkt_encode(const struct vrrp_advert *a, uint8_t *buf, size_t len)
{
	size_t need = encoded_len(a), alen = addr_len(a->family);
	uint8_t *p = buf + VRRP_HDR_LEN;
	uint16_t sum;

	if (need == 0 || need > len)
		return 0;
	buf[0] = (uint8_t)(a->version << 4 | VRRP_TYPE_ADVERT);
	buf[1] = a->vrid;
	buf[2] = a->priority;
	buf[3] = a->naddr;
	if (a->version == 2) {
		buf[4] = a->auth_type;
		buf[5] = (uint8_t)(a->interval_cs / 100);
	} else {
		/* the 4 reserved bits stay zero */
		buf[4] = (uint8_t)(a->interval_cs >> 8);
		buf[5] = (uint8_t)a->interval_cs;
	}
	buf[6] = buf[7] = 0;
	for (unsigned i = 0; i < a->naddr; i++, p += alen)
		memcpy(p, a->addrs[i], alen);
	if (a->version == 2) {
		/* NONE sends zeros: RFC 3768 5.3.10 */
		if (a->auth_type == VRRP_V2_AUTH_PASS)
			memcpy(p, a->auth_pass, VRRP_AUTH_LEN);
		else
			memset(p, 0, VRRP_AUTH_LEN);
	}
	sum = vrrp_csum(a->version, a->family, a->src.a, a->dst.a, buf, need);
	buf[6] = (uint8_t)(sum >> 8);
	buf[7] = (uint8_t)sum;
	return need;
}

/* ---- decode --------------------------------------------------------- */

/*
 * The checks shared by both families, on the VRRP message MSG of LEN bytes;
 * OUT already holds the IP layer (family, src, dst, ttl).
 *
 * Length: the message must be exactly 8 + naddr * alen (+ 8 auth bytes in
 * v2).  RFC 5798 7.1 only asks that the packet "contains the complete VRRP
 * packet", but keepalived drops any other length, trailing bytes included
 * (2.2.7 logs "vrrp packet too long, length 36 and expect 32" for a v3 advert
 * with 4 extra bytes), so accepting them would let Vigil follow a master
 * that keepalived backups ignore.
 */
static enum vrrp_pkt_drop
decode_vrrp(const uint8_t *msg, size_t len, struct vrrp_advert *out)
{
	size_t alen = addr_len(out->family), want;
	const uint8_t *p = msg + VRRP_HDR_LEN;

	/* the VRID first, even for packets dropped below, so the drop is
	 * charged to the instance it was aimed at */
	if (len >= 2)
		out->vrid = msg[1];
	if (len < VRRP_HDR_LEN)
		return VRRP_PKT_TOO_SHORT;
	out->version = msg[0] >> 4;
	if (out->version != 3 && (out->version != 2 || out->family != AF_INET))
		return VRRP_PKT_VERSION;
	if ((msg[0] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_PKT_TYPE;
	out->priority = msg[2];
	out->naddr = msg[3];
	want = VRRP_HDR_LEN + out->naddr * alen +
	       (out->version == 2 ? VRRP_AUTH_LEN : 0);
	if (len != want)
		return VRRP_PKT_LENGTH;
	if (vrrp_csum(out->version, out->family, out->src.a, out->dst.a, msg, len))
		return VRRP_PKT_CHECKSUM;
	if (out->version == 2) {
		out->auth_type = msg[4];
		out->interval_cs = (uint16_t)(msg[5] * 100);
		memcpy(out->auth_pass, p + out->naddr * alen, VRRP_AUTH_LEN);
	} else {
		out->interval_cs = (uint16_t)((msg[4] & 0x0f) << 8 | msg[5]);
	}
	for (unsigned i = 0; i < out->naddr; i++, p += alen)
		memcpy(out->addrs[i], p, alen);
	return VRRP_PKT_OK;
}

/* Clear what a decode fills, leaving the unused address slots alone: the
 * struct is 4 KB and naddr says how many slots are meaningful. */
static void
advert_reset(struct vrrp_advert *out, sa_family_t family)
{
	out->version = out->vrid = out->priority = out->naddr = 0;
	out->interval_cs = 0;
	out->auth_type = 0;
	memset(out->auth_pass, 0, sizeof(out->auth_pass));
	out->family = family;
	memset(&out->src, 0, sizeof(out->src));
	memset(&out->dst, 0, sizeof(out->dst));
	out->src.family = out->dst.family = family;
	out->ttl = 0;
}

/*
 * The IP header checksum is not verified: the kernel drops IPv4 packets
 * with a bad header checksum before a raw socket sees them.  Options
 * (ihl > 5) are skipped, as RFC 5798 does not forbid them.
 */
enum vrrp_pkt_drop
vrrp_pkt_decode4(const uint8_t *pkt, size_t len, struct vrrp_advert *out)
{
	size_t ihl, tot;

	advert_reset(out, AF_INET);
	if (len < IP4_MIN_HDR + VRRP_HDR_LEN)
		return VRRP_PKT_TOO_SHORT;
	ihl = (size_t)(pkt[0] & 0x0f) * 4;
	tot = (size_t)pkt[2] << 8 | pkt[3];
	if (pkt[0] >> 4 != 4 || ihl < IP4_MIN_HDR)
		return VRRP_PKT_IP_HEADER;
	/* a raw socket returns exactly the datagram (link padding is trimmed
	 * by the kernel), so any difference means a lying header; keepalived
	 * drops it too */
	if (tot != len || ihl > tot)
		return VRRP_PKT_IP_HEADER;
	out->ttl = pkt[8];
	memcpy(out->src.a, pkt + 12, 4);
	memcpy(out->dst.a, pkt + 16, 4);
	if (pkt[9] != VRRP_PROTO)
		return VRRP_PKT_PROTO;
	return decode_vrrp(pkt + ihl, tot - ihl, out);
}

/* IPv6 is v3 only: RFC 5798 defines no v2 over IPv6 (keepalived's
 * non-standard auth-less "v2 IPv6" is not supported). */
enum vrrp_pkt_drop
vrrp_pkt_decode6(const uint8_t *vrrp, size_t len, const struct cf_inaddr *src,
		 const struct cf_inaddr *dst, uint8_t hoplimit,
		 struct vrrp_advert *out)
{
	advert_reset(out, AF_INET6);
	if (src)
		memcpy(out->src.a, src->a, 16);
	if (dst)
		memcpy(out->dst.a, dst->a, 16);
	out->ttl = hoplimit;
	return decode_vrrp(vrrp, len, out);
}

/* ---- per-instance checks -------------------------------------------- */

static bool
ttl_ok(int ttl, const struct vrrp_pkt_expect *e)
{
	if (e->min_ttl != -1 && ttl < e->min_ttl)
		return false;
	if (e->max_ttl != -1 && ttl > e->max_ttl)
		return false;
	return true;
}

/* RFC 3768 7.1 authentication and interval rules; v3 has neither (the
 * master's interval is adopted, not checked: RFC 5798 6.4.2). */
static enum vrrp_pkt_drop
check_v2(const struct vrrp_advert *a, const struct vrrp_pkt_expect *e)
{
	if (a->auth_type != e->auth_type)
		return VRRP_PKT_AUTH_TYPE;
	if (e->auth_type == VRRP_V2_AUTH_PASS &&
	    memcmp(a->auth_pass, e->auth_pass, VRRP_AUTH_LEN) != 0)
		return VRRP_PKT_AUTH;
	if (a->interval_cs != e->interval_cs)
		return VRRP_PKT_INTERVAL;
	return VRRP_PKT_OK;
}

static bool
has_addr(const struct vrrp_advert *a, const uint8_t *addr, size_t alen)
{
	for (unsigned i = 0; i < a->naddr; i++)
		if (memcmp(a->addrs[i], addr, alen) == 0)
			return true;
	return false;
}

/*
 * Order-insensitive, like keepalived (vrrp_in_chk_vips): with the counts
 * equal, every one of our VIPs must appear in the advert.  A master that
 * lists the same VIPs in another order (a reordered config) is still the
 * same virtual router.
 */
static enum vrrp_pkt_drop
check_addrs(const struct vrrp_advert *a, const struct vrrp_pkt_expect *e)
{
	size_t alen = addr_len(a->family);

	if (a->naddr != e->naddr)
		return VRRP_PKT_ADDR_COUNT;
	for (unsigned i = 0; i < e->naddr; i++)
		if (!has_addr(a, e->addrs[i], alen))
			return VRRP_PKT_ADDR_LIST;
	return VRRP_PKT_OK;
}

/* Order: VRID before authentication, since an advert for another VRID on
 * the same interface is normal traffic for another instance, not an
 * attack on this one. */
enum vrrp_pkt_drop
vrrp_pkt_check(const struct vrrp_advert *a, const struct vrrp_pkt_expect *e)
{
	enum vrrp_pkt_drop r;

	if (!ttl_ok(a->ttl, e))
		return VRRP_PKT_TTL;
	if (a->version != e->version)
		return VRRP_PKT_VERSION;
	if (a->vrid != e->vrid)
		return VRRP_PKT_VRID;
	if (a->version == 2 && (r = check_v2(a, e)) != VRRP_PKT_OK)
		return r;
	if (e->check_addrs)
		return check_addrs(a, e);
	return VRRP_PKT_OK;
}
