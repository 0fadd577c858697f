/* vrrp_pkt.h - VRRP advertisement codec, v2 (RFC 3768) and v3 (RFC 5798).
 *
 * Pure: builds and parses bytes, never touches a socket.  The decoder
 * trusts nothing: every receive rule is one check that names its reason,
 * so callers can drop and count without acting on a bad packet.
 */
#ifndef VIGIL_VRRP_PKT_H
#define VIGIL_VRRP_PKT_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

#define VRRP_PROTO 112
#define VRRP_TYPE_ADVERT 1
#define VRRP_MAX_ADDRS 255
#define VRRP_AUTH_LEN 8
#define VRRP_HDR_LEN 8
#define VRRP_V2_AUTH_NONE 0
#define VRRP_V2_AUTH_PASS 1
#define VRRP_V2_AUTH_AH 2

/* Why a received packet was dropped; VRRP_PKT_OK when it wasn't. */
enum vrrp_pkt_drop {
	VRRP_PKT_OK = 0,
	VRRP_PKT_TOO_SHORT,	/* shorter than IP + VRRP headers */
	VRRP_PKT_IP_HEADER,	/* IPv4 header malformed (ihl, total length) */
	VRRP_PKT_PROTO,		/* IP protocol is not 112 */
	VRRP_PKT_TTL,		/* TTL / hop limit not as required */
	VRRP_PKT_VERSION,	/* version is not the instance's */
	VRRP_PKT_TYPE,		/* type is not ADVERTISEMENT */
	VRRP_PKT_LENGTH,	/* length does not match the address count */
	VRRP_PKT_CHECKSUM,
	VRRP_PKT_VRID,		/* not the instance's VRID */
	VRRP_PKT_ADDR_COUNT,	/* count differs from our VIP count */
	VRRP_PKT_ADDR_LIST,	/* addresses differ from our VIPs */
	VRRP_PKT_AUTH_TYPE,	/* v2: auth type differs */
	VRRP_PKT_AUTH,		/* v2: password differs */
	VRRP_PKT_INTERVAL,	/* v2: advert interval differs */
	VRRP_PKT_DROP_MAX,
};

/* Human-readable reason ("bad TTL", ...), for logs and counters. */
const char *vrrp_pkt_drop_name(enum vrrp_pkt_drop reason);

struct vrrp_advert {
	uint8_t version;		/* 2 or 3 */
	uint8_t vrid;
	uint8_t priority;
	uint16_t interval_cs;		/* v3: 12-bit centiseconds; v2: seconds * 100 */
	uint8_t auth_type;		/* v2 only */
	char auth_pass[VRRP_AUTH_LEN];	/* v2 PASS, not NUL-terminated */
	sa_family_t family;		/* AF_INET or AF_INET6 */
	uint8_t naddr;
	uint8_t addrs[VRRP_MAX_ADDRS][16];	/* 4 or 16 bytes used each */
	/* the IP layer, filled by the decoder (v4) or the caller (v6) */
	struct cf_inaddr src, dst;
	uint8_t ttl;
};

/*
 * Write the VRRP part (no IP header) of A into BUF.  A->src and A->dst are
 * used for the v3 pseudo-header checksum (IPv4 and IPv6); v2 checksums the
 * VRRP part alone.  Returns the length, or 0 if BUF is too small or A is
 * inconsistent (version, naddr).
 */
size_t vrrp_pkt_encode(const struct vrrp_advert *a, uint8_t *buf, size_t len);

/*
 * Parse a whole IPv4 packet as a raw IPv4 socket returns it (IP header
 * first).  Fills OUT (src, dst, ttl included) and checks everything that
 * needs no instance: header sizes, protocol, version 2/3, type, length
 * against the address count, checksum.
 */
enum vrrp_pkt_drop vrrp_pkt_decode4(const uint8_t *pkt, size_t len,
				    struct vrrp_advert *out);

/*
 * Parse the VRRP part of an IPv6 packet (raw IPv6 sockets strip the IP
 * header); SRC, DST and HOPLIMIT come from the socket's ancillary data.
 * Same checks as vrrp_pkt_decode4 (v3 only: IPv6 is always v3).
 */
enum vrrp_pkt_drop vrrp_pkt_decode6(const uint8_t *vrrp, size_t len,
				    const struct cf_inaddr *src,
				    const struct cf_inaddr *dst, uint8_t hoplimit,
				    struct vrrp_advert *out);

/* What one instance expects of the adverts it accepts. */
struct vrrp_pkt_expect {
	uint8_t version;
	uint8_t vrid;
	int min_ttl, max_ttl;		/* multicast: both 255; -1 = no check */
	uint8_t auth_type;		/* v2 */
	char auth_pass[VRRP_AUTH_LEN];	/* v2 PASS, NUL-padded */
	uint16_t interval_cs;		/* v2: must match; v3: not checked */
	bool check_addrs;		/* false with skip_check_adv_addr */
	uint8_t naddr;
	const uint8_t (*addrs)[16];	/* our VIPs, in configuration order */
};

/*
 * The per-instance receive rules, after a successful decode: TTL, version,
 * VRID, v2 authentication and interval, address count and list.  A packet
 * with priority 0 or from a higher/lower priority router is not an error.
 */
enum vrrp_pkt_drop vrrp_pkt_check(const struct vrrp_advert *a,
				  const struct vrrp_pkt_expect *e);

#endif
