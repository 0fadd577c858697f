/* netlink.h - addresses and links through rtnetlink (libmnl).
 *
 * Message builders are pure (they write a caller's buffer, so tests compare
 * bytes); the nl_* calls that take a socket are the only I/O.
 */
#ifndef VIGIL_NETLINK_H
#define VIGIL_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct mnl_socket;

/* A command socket: requests with acknowledgements. */
struct nl_cmd {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

int nl_cmd_open(struct nl_cmd *c);		/* 0 or -errno */

struct nlmsghdr;

/* Send NLH and run CB (may be NULL) on each answer until the kernel's ACK
 * or NLMSG_DONE: 0 or -errno.  Shared by the address and route code. */
int nl_talk(struct nl_cmd *c, struct nlmsghdr *nlh,
	    int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);
void nl_cmd_close(struct nl_cmd *c);

/*
 * Build RTM_NEWADDR (add = true) or RTM_DELADDR for address A on IFINDEX
 * into BUF: IFA_LOCAL/IFA_ADDRESS, prefix, broadcast (brd addr, or + / -
 * computed from the prefix), scope, label, peer, and the flags keepalived
 * sets (nodad, noprefixroute, home, mngtmpaddr, autojoin), preferred_lft.
 * Returns the message length, 0 if BUF is too small.
 */
size_t nl_build_addr(void *buf, size_t len, bool add, uint32_t seq,
		     int ifindex, const struct cf_ipaddress *a);

/* Send such a message and wait for the kernel's answer: 0 or -errno
 * (-EEXIST on add of an existing address, -EADDRNOTAVAIL on delete of a
 * missing one: callers treat those as done). */
int nl_addr(struct nl_cmd *c, bool add, int ifindex, const struct cf_ipaddress *a);

/* The interface's primary address of FAMILY (IPv6: its link-local one). */
int nl_primary_addr(struct nl_cmd *c, int ifindex, int family,
		    struct cf_inaddr *out);

/* Is the interface administratively and operationally up (IFF_UP and
 * IFF_RUNNING)?  1, 0, or -errno. */
int nl_link_up(struct nl_cmd *c, int ifindex);

/* The link monitor: a socket subscribed to RTMGRP_LINK (and address groups)
 * whose fd joins the event loop. */
struct nl_monitor {
	struct mnl_socket *sock;
};

int nl_monitor_open(struct nl_monitor *m);
void nl_monitor_close(struct nl_monitor *m);
int nl_monitor_fd(const struct nl_monitor *m);

struct nl_link_event {
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool up;		/* IFF_UP && IFF_RUNNING */
	bool deleted;		/* RTM_DELLINK */
};

/* Read what is pending (non-blocking) and call CB for each link event.
 * Returns the number of events, or -errno. */
int nl_monitor_read(struct nl_monitor *m,
		    void (*cb)(const struct nl_link_event *ev, void *arg),
		    void *arg);

#endif
