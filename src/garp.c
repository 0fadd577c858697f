/* garp.c - gratuitous ARP and unsolicited neighbour advertisements.
 *
 * Bytes checked against keepalived 2.2.7 (tcpdump on a veth peer when it
 * became master in a namespace):
 *  - ARP: ff:ff:ff:ff:ff:ff <- interface MAC, 0x0806, request, sender and
 *    target IP both the VIP, and the target MAC ff:ff:ff:ff:ff:ff (not zero:
 *    that is what keepalived puts on the wire, so switches see the same).
 *  - NA: from the VIP to ff02::1, hop limit 255, flags Override, plus Router
 *    when IPv6 forwarding is on for the interface, option 2 (target
 *    link-layer address) with the interface MAC.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "garp.h"

#define ARP_FRAME_LEN	42	/* Ethernet 14 + ARP 28 */
#define NA_LEN		32	/* ICMPv6 NA 24 + target link-layer option 8 */

#ifndef IPV6_AUTOFLOWLABEL
#define IPV6_AUTOFLOWLABEL	70	/* <linux/in6.h>, Linux 4.3 */
#endif
#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND	78	/* <linux/in6.h>, Linux 4.15; clashes with <netinet/in.h> */
#endif

static const uint8_t eth_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/* ---- pure builders --------------------------------------------------- */

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

size_t
garp_build_arp(uint8_t *buf, size_t len, const uint8_t mac[6],
	       const uint8_t ip[4])
{
	uint8_t *p = buf;

	if (len < ARP_FRAME_LEN)
		return 0;
	p = put(p, eth_bcast, 6);		/* Ethernet destination */
	p = put(p, mac, 6);			/* Ethernet source */
	p = put16(p, ETH_P_ARP);
	p = put16(p, ARPHRD_ETHER);		/* htype 1 */
	p = put16(p, ETH_P_IP);			/* ptype 0x0800 */
	*p++ = 6;				/* hlen */
	*p++ = 4;				/* plen */
	p = put16(p, ARPOP_REQUEST);
	p = put(p, mac, 6);			/* sender MAC */
	p = put(p, ip, 4);			/* sender IP: the VIP */
	p = put(p, eth_bcast, 6);		/* target MAC, as keepalived */
	p = put(p, ip, 4);			/* target IP: the VIP again */
	return (size_t)(p - buf);
}

size_t
garp_build_na(uint8_t *buf, size_t len, const uint8_t mac[6],
	      const uint8_t ip6[16], int router)
{
	uint8_t *p = buf;

	if (len < NA_LEN)
		return 0;
	*p++ = ND_NEIGHBOR_ADVERT;		/* 136 */
	*p++ = 0;				/* code */
	p = put16(p, 0);			/* checksum: the kernel's */
	/* R, S, O are the top bits of the first byte; never Solicited */
	*p++ = (uint8_t)(0x20 | (router ? 0x80 : 0));
	*p++ = 0;
	*p++ = 0;
	*p++ = 0;
	p = put(p, ip6, 16);			/* target address */
	*p++ = ND_OPT_TARGET_LINKADDR;		/* 2 */
	*p++ = 1;				/* length in units of 8 bytes */
	p = put(p, mac, 6);
	return (size_t)(p - buf);
}

/* ---- sockets --------------------------------------------------------- */

/*
 * Protocol 0: the packet socket only sends.  Bound to ETH_P_ARP it would
 * also receive every ARP on the host, and nobody reads it.
 */
static int
open_arp(void)
{
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	return fd < 0 ? -errno : fd;
}

/*
 * Raw ICMPv6: the kernel always fills the ICMPv6 checksum (IPV6_CHECKSUM
 * is refused on this protocol).  Hop limit 255, as RFC 4861 receivers
 * require.  Everything is filtered on input: the socket only sends.
 * IPV6_FREEBIND lets the NA leave from the VIP even while it is tentative.
 * No automatic flow label: keepalived's NA carries flow label 0.
 */
static int
open_na(void)
{
	int hops = 255, on = 1, off = 0;
	struct icmp6_filter filt;
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			IPPROTO_ICMPV6);

	if (fd < 0)
		return -errno;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	/* older kernels: the VIP must then be usable, or send_na falls back */
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on));
	(void)setsockopt(fd, IPPROTO_IPV6, IPV6_AUTOFLOWLABEL, &off, sizeof(off));
	return fd;
}

int
garp_open(struct garp_sockets *s)
{
	int arp = open_arp();
	int na = open_na();

	/* One family may be unavailable (IPv6 disabled): keep the other. */
	s->arp_fd = arp < 0 ? -1 : arp;
	s->na_fd = na < 0 ? -1 : na;
	if (arp < 0)
		return arp;
	if (na < 0)
		return na;
	return 0;
}

void
garp_close(struct garp_sockets *s)
{
	if (s->arp_fd >= 0)
		close(s->arp_fd);
	if (s->na_fd >= 0)
		close(s->na_fd);
	s->arp_fd = -1;
	s->na_fd = -1;
}

/* The interface's Ethernet address (and its name, for later lookups). */
static int
if_mac(int fd, int ifindex, uint8_t mac[6], char name[IF_NAMESIZE])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	if (!if_indextoname((unsigned)ifindex, ifr.ifr_name))
		return -errno;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		return -EPFNOSUPPORT;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (name)
		memcpy(name, ifr.ifr_name, IF_NAMESIZE);
	return 0;
}

int
garp_send_arp(struct garp_sockets *s, int ifindex, const uint8_t ip[4])
{
	uint8_t frame[ARP_FRAME_LEN], mac[6];
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};
	size_t len;
	int err;

	if (s->arp_fd < 0)
		return -EBADF;
	err = if_mac(s->arp_fd, ifindex, mac, NULL);
	if (err)
		return err;
	len = garp_build_arp(frame, sizeof(frame), mac, ip);
	memcpy(to.sll_addr, eth_bcast, 6);
	if (sendto(s->arp_fd, frame, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* keepalived sets Router when the interface forwards IPv6. */
static int
ipv6_forwarding(const char *ifname)
{
	char path[64 + IF_NAMESIZE], c = '0';
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", ifname);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}

/* Send from SRC (the VIP) when it is given; NULL lets the kernel choose. */
static ssize_t
send_na(int fd, int ifindex, const uint8_t *pkt, size_t len, const uint8_t *src)
{
	struct sockaddr_in6 to = {
		.sin6_family = AF_INET6,
		.sin6_scope_id = (uint32_t)ifindex,
	};
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} cbuf;
	struct iovec iov = { .iov_base = (void *)pkt, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
	struct cmsghdr *cm;

	inet_pton(AF_INET6, "ff02::1", &to.sin6_addr);
	if (src) {
		memset(&cbuf, 0, sizeof(cbuf));
		memcpy(&pi.ipi6_addr, src, 16);
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = sizeof(cbuf.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	return sendmsg(fd, &msg, 0);
}

int
garp_send_na(struct garp_sockets *s, int ifindex, const uint8_t ip6[16])
{
	uint8_t pkt[NA_LEN], mac[6];
	char name[IF_NAMESIZE];
	size_t len;
	int err;

	if (s->na_fd < 0)
		return -EBADF;
	err = if_mac(s->na_fd, ifindex, mac, name);
	if (err)
		return err;
	len = garp_build_na(pkt, sizeof(pkt), mac, ip6, ipv6_forwarding(name));
	if (send_na(s->na_fd, ifindex, pkt, len, ip6) >= 0)
		return 0;
	/* Source not usable (not local, no freebind): the advert still tells
	 * neighbours where the VIP lives, whatever address it comes from. */
	if (errno != EINVAL && errno != EADDRNOTAVAIL)
		return -errno;
	if (send_na(s->na_fd, ifindex, pkt, len, NULL) < 0)
		return -errno;
	return 0;
}
