/* garp.h - gratuitous ARP (IPv4) and unsolicited neighbour advertisements
 * (IPv6) sent when an instance becomes master, so switches and hosts learn
 * where the VIPs now live.
 *
 * Builders are pure; garp_send_* are the only I/O.
 */
#ifndef VIGIL_GARP_H
#define VIGIL_GARP_H

#include <stddef.h>
#include <stdint.h>

/*
 * An Ethernet frame carrying a gratuitous ARP for IP (4 bytes, network
 * order) owned by MAC: broadcast destination, ARP request with sender and
 * target IP both IP and target MAC ff:ff:ff:ff:ff:ff, as keepalived 2.2.7
 * sends it (verified by capture).
 * Returns the frame length (42), 0 if BUF is too small.
 */
size_t garp_build_arp(uint8_t *buf, size_t len, const uint8_t mac[6],
		      const uint8_t ip[4]);

/*
 * The ICMPv6 part of an unsolicited neighbour advertisement for IP6 owned by
 * MAC: type 136, flags Override (and Router if ROUTER), target IP6, option
 * target link-layer address MAC.  The checksum is left to the kernel, which
 * always fills it on raw ICMPv6 sockets.  Returns the length (32).
 */
size_t garp_build_na(uint8_t *buf, size_t len, const uint8_t mac[6],
		     const uint8_t ip6[16], int router);

/* Open the sockets once (packet socket for ARP, raw ICMPv6 socket with hop
 * limit 255 for NA).  Returns the first -errno if one fails, but keeps the
 * other usable; a failed one is -1. */
struct garp_sockets {
	int arp_fd;
	int na_fd;
};

int garp_open(struct garp_sockets *s);
void garp_close(struct garp_sockets *s);

/* Send one gratuitous ARP for IP on IFINDEX (source MAC = the interface's).
 * 0 or -errno.  Non-blocking: never waits on the network. */
int garp_send_arp(struct garp_sockets *s, int ifindex, const uint8_t ip[4]);

/* Send one unsolicited NA for IP6 on IFINDEX from IP6 to ff02::1, with the
 * Router flag when the interface forwards IPv6 (as keepalived). */
int garp_send_na(struct garp_sockets *s, int ifindex, const uint8_t ip6[16]);

#endif
