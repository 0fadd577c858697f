/* vrrp_sock.h - raw IP protocol 112 sockets for VRRP adverts.
 *
 * One receive and one send socket per (interface, family), bound to the
 * interface, non-blocking, multicast loop off.  The VRRP payload is built by
 * vrrp_pkt.c; the kernel builds the IP header (TTL / hop limit 255 or the
 * configured unicast TTL).
 */
#ifndef VIGIL_VRRP_SOCK_H
#define VIGIL_VRRP_SOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "model.h"

struct vrrp_sock {
	int fd;
	int family;
	int ifindex;
	struct cf_inaddr group;		/* joined multicast group, if any */
};

/*
 * Open a socket on IFINDEX for FAMILY.  With GROUP (multicast) it joins the
 * group on that interface; SRC (may be NULL) is the source address for
 * sending: IPv4 multicast sets it with IP_MULTICAST_IF (a bound raw socket
 * would only receive packets sent to SRC), IPv6 and unicast bind to it.  TTL: 255 for multicast, the unicast_ttl otherwise.
 * Returns 0 or -errno.
 */
int vrrp_sock_open(struct vrrp_sock *s, int family, int ifindex,
		   const struct cf_inaddr *group, const struct cf_inaddr *src,
		   int ttl);
void vrrp_sock_close(struct vrrp_sock *s);

/* Send the VRRP payload BUF to DST (the group or a unicast peer).
 * Non-blocking: -EAGAIN is reported, never waited on. */
int vrrp_sock_send(struct vrrp_sock *s, const struct cf_inaddr *dst,
		   const uint8_t *buf, size_t len);

/*
 * Receive one packet into BUF.  IPv4: the whole IP packet (header first).
 * IPv6: the VRRP payload, with SRC, DST and HOPLIMIT from ancillary data.
 * Returns the length, 0 when nothing is pending, or -errno.
 */
ssize_t vrrp_sock_recv(struct vrrp_sock *s, uint8_t *buf, size_t len,
		       struct cf_inaddr *src, struct cf_inaddr *dst,
		       uint8_t *hoplimit, int *ifindex);

#endif
