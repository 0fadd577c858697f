/* vrrp_sock.c - raw IP protocol 112 sockets for VRRP adverts.
 *
 * The kernel builds the IP header, so only socket options shape it: TTL /
 * hop limit, TOS / traffic class 0xc0 (keepalived sends DSCP CS6, "network
 * control", on both families) and the outgoing interface.  Every function
 * returns 0 or -errno; a failed open closes what it opened.
 */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vrrp_pkt.h"
#include "vrrp_sock.h"

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29	/* <linux/in6.h>; glibc's headers lack it */
#endif

#define VRRP_TOS 0xc0		/* IPTOS_PREC_INTERNETCONTROL, as keepalived */
#define V3_CSUM_OFFSET 6	/* checksum field in the VRRP header */

static int
set_int(int fd, int level, int name, int val)
{
	return setsockopt(fd, level, name, &val, sizeof(val)) ? -errno : 0;
}

/* Options of one family, all plain ints: applied in order, first failure
 * wins. */
struct int_opt {
	int level, name, val;
};

static int
set_ints(int fd, const struct int_opt *o, size_t n)
{
	int r;

	for (size_t i = 0; i < n; i++)
		if ((r = set_int(fd, o[i].level, o[i].name, o[i].val)) < 0)
			return r;
	return 0;
}

/* Receive and send on IFINDEX only: another interface may run the same
 * VRID for another LAN. */
static int
bind_device(int fd, int ifindex)
{
	char name[IF_NAMESIZE];

	if (!if_indextoname((unsigned)ifindex, name))
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name, (socklen_t)strlen(name)))
		return -errno;
	return 0;
}

/* ---- IPv4 ----------------------------------------------------------- */

/* SRC, when given, is the source of multicast sends (imr_address). */
static int
opts4(int fd, int ifindex, const struct cf_inaddr *group,
      const struct cf_inaddr *src, int ttl)
{
	const struct int_opt o[] = {
		{ IPPROTO_IP, IP_TOS, VRRP_TOS },
		{ IPPROTO_IP, IP_TTL, ttl },
		{ IPPROTO_IP, IP_MULTICAST_TTL, ttl },
		/* our own adverts are not news to us */
		{ IPPROTO_IP, IP_MULTICAST_LOOP, 0 },
		/* only groups this socket joined, not every group the host is
		 * in (Linux's default, IP_MULTICAST_ALL 1) */
		{ IPPROTO_IP, IP_MULTICAST_ALL, 0 },
		/* destination and interface of each received packet */
		{ IPPROTO_IP, IP_PKTINFO, 1 },
	};
	struct ip_mreqn mr = { .imr_ifindex = ifindex };
	int r;

	if ((r = set_ints(fd, o, sizeof(o) / sizeof(o[0]))) < 0)
		return r;
	if (src && src->family == AF_INET)
		memcpy(&mr.imr_address, src->a, 4);
	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mr, sizeof(mr)))
		return -errno;
	if (!group || group->family != AF_INET)
		return 0;
	memset(&mr.imr_address, 0, sizeof(mr.imr_address));
	memcpy(&mr.imr_multiaddr, group->a, 4);
	if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		return -errno;
	return 0;
}

static socklen_t
sockaddr4(struct sockaddr_in *sin, const struct cf_inaddr *a)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	memcpy(&sin->sin_addr, a->a, 4);
	return sizeof(*sin);
}

/* ---- IPv6 ----------------------------------------------------------- */

static int
opts6(int fd, int ifindex, const struct cf_inaddr *group, int ttl)
{
	const struct int_opt o[] = {
		/* the kernel fills in the v3 checksum over the IPv6
		 * pseudo-header when sending and drops bad ones on receipt
		 * (RFC 3542 3.1), so the source address it picks is the one
		 * summed */
		{ IPPROTO_IPV6, IPV6_CHECKSUM, V3_CSUM_OFFSET },
		{ IPPROTO_IPV6, IPV6_TCLASS, VRRP_TOS },
		{ IPPROTO_IPV6, IPV6_UNICAST_HOPS, ttl },
		{ IPPROTO_IPV6, IPV6_MULTICAST_HOPS, ttl },
		{ IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0 },
		{ IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex },
		/* raw IPv6 sockets strip the header: hop limit, destination
		 * and interface come as ancillary data */
		{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1 },
		{ IPPROTO_IPV6, IPV6_RECVPKTINFO, 1 },
	};
	struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned)ifindex };
	int r;

	if ((r = set_ints(fd, o, sizeof(o) / sizeof(o[0]))) < 0)
		return r;
	/* as IP_MULTICAST_ALL; Linux >= 4.20 only, so best effort */
	(void)set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, 0);
	if (!group || group->family != AF_INET6)
		return 0;
	memcpy(&mr.ipv6mr_multiaddr, group->a, 16);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)))
		return -errno;
	return 0;
}

/* Link-local and link-scope multicast addresses mean nothing without the
 * interface; the scope is ignored for the others. */
static socklen_t
sockaddr6(struct sockaddr_in6 *sin6, const struct cf_inaddr *a, int ifindex)
{
	memset(sin6, 0, sizeof(*sin6));
	sin6->sin6_family = AF_INET6;
	memcpy(&sin6->sin6_addr, a->a, 16);
	if (IN6_IS_ADDR_LINKLOCAL(&sin6->sin6_addr) ||
	    IN6_IS_ADDR_MC_LINKLOCAL(&sin6->sin6_addr))
		sin6->sin6_scope_id = (uint32_t)ifindex;
	return sizeof(*sin6);
}

/* ---- open / close --------------------------------------------------- */

static socklen_t
sockaddr_of(struct sockaddr_storage *ss, const struct cf_inaddr *a, int ifindex)
{
	if (a->family == AF_INET)
		return sockaddr4((struct sockaddr_in *)ss, a);
	return sockaddr6((struct sockaddr_in6 *)ss, a, ifindex);
}

/*
 * An IPv4 raw socket bound to an address only receives packets addressed
 * there, so one that joined a group would never see an advert again: IPv4
 * multicast sockets take their source from IP_MULTICAST_IF (opts4) instead.
 * IPv6 raw sockets still receive the groups they joined once bound (Linux
 * raw_v6_match), and IPV6_MULTICAST_IF takes no address, so they bind.
 */
static int
bind_src(int fd, const struct cf_inaddr *src, const struct cf_inaddr *group,
	 int ifindex)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!src || (src->family == AF_INET && group && group->family == AF_INET))
		return 0;
	sl = sockaddr_of(&ss, src, ifindex);
	return bind(fd, (struct sockaddr *)&ss, sl) ? -errno : 0;
}

static int
setup(struct vrrp_sock *s, const struct cf_inaddr *group,
      const struct cf_inaddr *src, int ttl)
{
	int r;

	if (src && src->family == AF_UNSPEC)
		src = NULL;
	if (src && src->family != s->family)
		return -EAFNOSUPPORT;
	if ((r = bind_device(s->fd, s->ifindex)) < 0)
		return r;
	if (s->family == AF_INET)
		r = opts4(s->fd, s->ifindex, group, src, ttl);
	else
		r = opts6(s->fd, s->ifindex, group, ttl);
	if (r < 0)
		return r;
	return bind_src(s->fd, src, group, s->ifindex);
}

int
vrrp_sock_open(struct vrrp_sock *s, int family, int ifindex,
	       const struct cf_inaddr *group, const struct cf_inaddr *src,
	       int ttl)
{
	int r;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	if (ttl < 1 || ttl > 255)
		return -EINVAL;
	s->family = family;
	s->ifindex = ifindex;
	if (group && group->family == family)
		s->group = *group;
	s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, VRRP_PROTO);
	if (s->fd < 0)
		return -errno;
	if ((r = setup(s, group, src, ttl)) < 0)
		vrrp_sock_close(s);
	return r;
}

void
vrrp_sock_close(struct vrrp_sock *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}

/* ---- send / receive ------------------------------------------------- */

int
vrrp_sock_send(struct vrrp_sock *s, const struct cf_inaddr *dst,
	       const uint8_t *buf, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	ssize_t n;

	if (dst->family != s->family)
		return -EAFNOSUPPORT;
	sl = sockaddr_of(&ss, dst, s->ifindex);
	do
		n = sendto(s->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	/* raw datagrams go whole or not at all */
	return (size_t)n == len ? 0 : -EIO;
}

/* What the ancillary data says about one received packet. */
struct rx_meta {
	struct cf_inaddr dst;
	int ifindex;
	int hoplimit;		/* -1: not reported */
};

static void
parse_cmsgs(struct msghdr *msg, struct rx_meta *m)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->dst.family = AF_INET;
			memcpy(m->dst.a, &pi.ipi_addr, 4);
			m->ifindex = pi.ipi_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			m->dst.family = AF_INET6;
			memcpy(m->dst.a, &pi.ipi6_addr, 16);
			m->ifindex = (int)pi.ipi6_ifindex;
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
			   c->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(&m->hoplimit, CMSG_DATA(c), sizeof(int));
		}
	}
}

static void
src_of(const struct sockaddr_storage *ss, struct cf_inaddr *src)
{
	memset(src, 0, sizeof(*src));
	if (ss->ss_family == AF_INET) {
		src->family = AF_INET;
		memcpy(src->a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		src->family = AF_INET6;
		memcpy(src->a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

/*
 * A zero-length datagram (possible on IPv6, never valid VRRP) also reads
 * as 0, "nothing pending": the caller stops draining and epoll calls again.
 * A datagram larger than BUF is dropped with -EMSGSIZE rather than handed
 * over cut short.
 */
ssize_t
vrrp_sock_recv(struct vrrp_sock *s, uint8_t *buf, size_t len,
	       struct cf_inaddr *src, struct cf_inaddr *dst,
	       uint8_t *hoplimit, int *ifindex)
{
	union {
		struct cmsghdr align;
		uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			  CMSG_SPACE(sizeof(struct in_pktinfo)) +
			  CMSG_SPACE(sizeof(int))];
	} ctl;
	struct sockaddr_storage from = { 0 };
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.b, .msg_controllen = sizeof(ctl.b),
	};
	struct rx_meta m = { .ifindex = 0, .hoplimit = -1 };
	ssize_t n;

	do
		n = recvmsg(s->fd, &msg, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	if (msg.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	parse_cmsgs(&msg, &m);
	/* IPv4 raw sockets hand over the header: the TTL is in it */
	if (s->family == AF_INET && n >= 9)
		m.hoplimit = buf[8];
	if (src)
		src_of(&from, src);
	if (dst)
		*dst = m.dst;
	if (hoplimit)
		*hoplimit = m.hoplimit < 0 ? 0 : (uint8_t)m.hoplimit;
	if (ifindex)
		*ifindex = m.ifindex;
	return n;
}
