/* netlink.c - addresses and links through rtnetlink (libmnl).
 *
 * What goes on the wire was checked against keepalived 2.2.7 (strace of its
 * RTM_NEWADDR/RTM_DELADDR requests in a namespace):
 *  - IPv4: IFA_LOCAL, plus IFA_BROADCAST only when "brd" was given, the
 *    scope from the config, IFA_LABEL as written.  Vigil also sends
 *    IFA_ADDRESS (the peer, or the address itself) as iproute2 does; the
 *    kernel fills it in the same way when it is missing.
 *  - IPv6: IFA_F_NODAD unless "-nodad" was written (the model's nodad flag
 *    means that keyword), IFA_CACHEINFO preferred 0 / valid forever for a
 *    /128 (so the VIP is deprecated and never chosen as a source address)
 *    unless preferred_lft says otherwise; no scope, no label.
 *  - Flags travel in IFA_FLAGS only (ifa_flags stays 0), and only when some
 *    are set.
 *  - Deletes carry the addresses alone: the kernel matches the label too
 *    when one is given, which would make a renamed label undeletable.
 * The kernel does not check that a label starts with the interface name
 * (keepalived 2.2.7 installed "label foo" on vka0 as is); only iproute2
 * refuses it, in userspace.  So Vigil leaves that check to the parser.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "netlink.h"

#define INFINITY_LIFE_TIME	0xffffffffU
#define NL_REPLY_TIMEOUT_MS	1000	/* the kernel answers rtnetlink at once */
#define NL_MONITOR_BATCH	256	/* datagrams per nl_monitor_read call */
/* Dumps come in datagrams of up to 32 KiB (libmnl's MNL_SOCKET_DUMP_SIZE,
 * missing from older libmnl); a smaller buffer truncates them. */
#define NL_DUMP_SIZE		32768

/* ---- pure builders --------------------------------------------------- */

static bool
has_peer(const struct cf_ipaddress *a)
{
	return a->peer.family == a->addr.family;
}

/* "ip addr add A peer P/len" takes the prefix from the peer, if it has one. */
static uint8_t
addr_prefix(const struct cf_ipaddress *a)
{
	if (has_peer(a) && a->peer_prefix)
		return a->peer_prefix;
	return a->prefix;
}

/*
 * The broadcast address for "brd ADDR", "brd +" (host bits set) or "brd -"
 * (host bits cleared).  keepalived computes + and - only up to /30: on /31
 * and /32 there are no host bits worth a broadcast, so nothing is sent.
 */
static bool
addr_broadcast(const struct cf_ipaddress *a, uint8_t out[4])
{
	uint32_t ip, mask;

	switch (a->brd_mode) {
	case CF_BRD_ADDR:
		if (a->brd.family != AF_INET)
			return false;
		memcpy(out, a->brd.a, 4);
		return true;
	case CF_BRD_SET:
	case CF_BRD_CLEAR:
		if (a->prefix > 30)
			return false;
		memcpy(&ip, a->addr.a, 4);
		mask = a->prefix ? htonl(~0U << (32 - a->prefix)) : 0;
		ip &= mask;
		if (a->brd_mode == CF_BRD_SET)
			ip |= ~mask;
		memcpy(out, &ip, 4);
		return true;
	case CF_BRD_NONE:
	default:
		return false;
	}
}

static uint32_t
addr_flags(const struct cf_ipaddress *a)
{
	uint32_t f = 0;

	if (a->home)
		f |= IFA_F_HOMEADDRESS;
	if (a->mngtmpaddr)
		f |= IFA_F_MANAGETEMPADDR;
	if (a->noprefixroute)
		f |= IFA_F_NOPREFIXROUTE;
	if (a->autojoin)
		f |= IFA_F_MCAUTOJOIN;
	/* VRRP is its own duplicate detection; DAD would leave a VIP taken
	 * over during a split brain "dadfailed" for good.  "-nodad" opts out. */
	if (a->addr.family == AF_INET6 && !a->nodad)
		f |= IFA_F_NODAD;
	return f;
}

/* IPv6 lifetimes: 1 on success with *ci filled, 0 when the kernel default
 * (forever) applies and nothing need be sent. */
static bool
addr_cacheinfo(const struct cf_ipaddress *a, struct ifa_cacheinfo *ci)
{
	int64_t pref = a->preferred_lft;

	if (a->addr.family != AF_INET6)
		return false;
	if (pref == CF_UNSET)
		pref = a->prefix == 128 ? 0 : -2;
	if (pref < 0 || pref > (int64_t)INFINITY_LIFE_TIME)
		return false;
	memset(ci, 0, sizeof(*ci));
	ci->ifa_prefered = (uint32_t)pref;
	ci->ifa_valid = INFINITY_LIFE_TIME;
	return true;
}

/* IPv4: IFA_LOCAL is the address, IFA_ADDRESS the peer (or itself).
 * IPv6 without a peer: IFA_ADDRESS alone, as libmnl's example does. */
static bool
put_addresses(struct nlmsghdr *nlh, size_t len, const struct cf_ipaddress *a)
{
	size_t alen = cf_family_len(a->addr.family);
	const uint8_t *remote = has_peer(a) ? a->peer.a : a->addr.a;

	if (a->addr.family == AF_INET6 && !has_peer(a))
		return mnl_attr_put_check(nlh, len, IFA_ADDRESS, alen, a->addr.a);
	return mnl_attr_put_check(nlh, len, IFA_LOCAL, alen, a->addr.a) &&
	       mnl_attr_put_check(nlh, len, IFA_ADDRESS, alen, remote);
}

/* What only an add carries: broadcast, label, flags, lifetimes. */
static bool
put_add_attrs(struct nlmsghdr *nlh, size_t len, const struct cf_ipaddress *a)
{
	uint8_t brd[4];
	struct ifa_cacheinfo ci;
	uint32_t flags = addr_flags(a);

	if (a->addr.family == AF_INET) {
		if (addr_broadcast(a, brd) &&
		    !mnl_attr_put_check(nlh, len, IFA_BROADCAST, 4, brd))
			return false;
		if (a->label[0] &&
		    !mnl_attr_put_strz_check(nlh, len, IFA_LABEL, a->label))
			return false;
	}
	if (flags && !mnl_attr_put_u32_check(nlh, len, IFA_FLAGS, flags))
		return false;
	if (addr_cacheinfo(a, &ci) &&
	    !mnl_attr_put_check(nlh, len, IFA_CACHEINFO, sizeof(ci), &ci))
		return false;
	return true;
}

size_t
nl_build_addr(void *buf, size_t len, bool add, uint32_t seq,
	      int ifindex, const struct cf_ipaddress *a)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (!cf_family_len(a->addr.family) ||
	    len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*ifa)))
		return 0;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	/* EXCL: an add of an existing address reports -EEXIST, not a replace */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = seq;

	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->addr.family;
	ifa->ifa_prefixlen = addr_prefix(a);
	ifa->ifa_flags = 0;
	ifa->ifa_scope = (a->addr.family == AF_INET && a->scope != CF_UNSET) ?
			 (uint8_t)a->scope : RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;

	if (!put_addresses(nlh, len, a))
		return 0;
	if (add && !put_add_attrs(nlh, len, a))
		return 0;
	return nlh->nlmsg_len;
}

/* ---- the command socket ---------------------------------------------- */

int
nl_cmd_open(struct nl_cmd *c)
{
	int err;

	c->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!c->sock)
		return -errno;
	if (mnl_socket_bind(c->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		nl_cmd_close(c);
		return err;
	}
	c->portid = mnl_socket_get_portid(c->sock);
	/* Distinct per run, so a late answer to a previous process's request
	 * on a recycled port id cannot pass for ours. */
	c->seq = (uint32_t)time(NULL);
	return 0;
}

void
nl_cmd_close(struct nl_cmd *c)
{
	if (c->sock)
		mnl_socket_close(c->sock);
	c->sock = NULL;
}

/* Drop anything left from an earlier request that timed out, so its
 * answer is not read as the answer to the next one. */
static void
nl_drain(struct nl_cmd *c)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE];

	for (int i = 0; i < 64; i++)
		if (mnl_socket_recvfrom(c->sock, buf, sizeof(buf)) < 0)
			break;
}

/* One bounded wait for the next datagram on a non-blocking socket. */
static ssize_t
nl_recv(struct nl_cmd *c, void *buf, size_t len)
{
	struct pollfd p = { .fd = mnl_socket_get_fd(c->sock), .events = POLLIN };
	ssize_t n;

	for (int tries = 0; tries < 2; tries++) {
		n = mnl_socket_recvfrom(c->sock, buf, len);
		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		n = poll(&p, 1, NL_REPLY_TIMEOUT_MS);
		if (n == 0)
			return -ETIMEDOUT;
		if (n < 0 && errno != EINTR)
			return -errno;
	}
	return -ETIMEDOUT;
}

/* Send NLH and run CB on every answer until the ACK or NLMSG_DONE. */
int
nl_talk(struct nl_cmd *c, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	uint8_t buf[NL_DUMP_SIZE] __attribute__((aligned(4)));
	uint32_t seq = nlh->nlmsg_seq;
	ssize_t n;
	int ret;

	if (!c->sock)
		return -EBADF;
	nl_drain(c);
	if (mnl_socket_sendto(c->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = nl_recv(c, buf, sizeof(buf));
		if (n < 0)
			return (int)n;
		ret = mnl_cb_run(buf, (size_t)n, seq, c->portid, cb, data);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EPROTO;
	} while (ret > MNL_CB_STOP);
	return 0;
}

int
nl_addr(struct nl_cmd *c, bool add, int ifindex, const struct cf_ipaddress *a)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));
	size_t len;

	if (ifindex <= 0 || !cf_family_len(a->addr.family))
		return -EINVAL;
	len = nl_build_addr(buf, sizeof(buf), add, ++c->seq, ifindex, a);
	if (!len)
		return -EINVAL;
	return nl_talk(c, (struct nlmsghdr *)buf, NULL, NULL);
}

/* ---- primary address ------------------------------------------------- */

struct primary_query {
	int ifindex;
	int family;
	bool found;
	struct cf_inaddr *out;
};

static int
ifa_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFA_MAX) < 0)
		return MNL_CB_OK;	/* newer than our headers: skip */
	if (type == IFA_FLAGS && mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool
is_link_local6(const void *p)
{
	const uint8_t *a = p;

	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/*
 * IPv4: the first address that is not secondary (the kernel keeps the
 * primary first).  IPv6: the first usable link-local, the source of VRRPv3
 * adverts; a tentative one is still the one the kernel will use.
 */
static int
primary_cb(const struct nlmsghdr *nlh, void *data)
{
	struct primary_query *q = data;
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct nlattr *at;
	size_t alen = cf_family_len((sa_family_t)q->family);
	uint32_t flags;

	if (q->found || nlh->nlmsg_type != RTM_NEWADDR ||
	    ifa->ifa_family != q->family || (int)ifa->ifa_index != q->ifindex)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), ifa_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	at = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!at || mnl_attr_get_payload_len(at) != alen)
		return MNL_CB_OK;
	if (q->family == AF_INET && (flags & IFA_F_SECONDARY))
		return MNL_CB_OK;
	if (q->family == AF_INET6 &&
	    (!is_link_local6(mnl_attr_get_payload(at)) || (flags & IFA_F_DADFAILED)))
		return MNL_CB_OK;
	memset(q->out, 0, sizeof(*q->out));
	q->out->family = (sa_family_t)q->family;
	memcpy(q->out->a, mnl_attr_get_payload(at), alen);
	q->found = true;
	return MNL_CB_OK;	/* keep reading: the dump must be drained */
}

int
nl_primary_addr(struct nl_cmd *c, int ifindex, int family,
		struct cf_inaddr *out)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));
	struct primary_query q = { .ifindex = ifindex, .family = family, .out = out };
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int err;

	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++c->seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;

	err = nl_talk(c, nlh, primary_cb, &q);
	if (err)
		return err;
	return q.found ? 0 : -EADDRNOTAVAIL;
}

/* ---- links ----------------------------------------------------------- */

static int
ifla_attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = attr;
	return MNL_CB_OK;
}

static bool
ifi_up(const struct ifinfomsg *ifi)
{
	return (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
}

static int
link_up_cb(const struct nlmsghdr *nlh, void *data)
{
	int *up = data;

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*up = ifi_up(mnl_nlmsg_get_payload(nlh));
	return MNL_CB_OK;
}

int
nl_link_up(struct nl_cmd *c, int ifindex)
{
	uint8_t buf[MNL_SOCKET_BUFFER_SIZE] __attribute__((aligned(4)));
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	int up = -ENODEV;
	int err;

	if (ifindex <= 0)
		return -EINVAL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	/* ACK: the answer is then "RTM_NEWLINK, ACK", so we know it ended */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++c->seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;

	err = nl_talk(c, nlh, link_up_cb, &up);
	return err ? err : up;
}

/* ---- the link monitor ------------------------------------------------ */

int
nl_monitor_open(struct nl_monitor *m)
{
	int err;

	m->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!m->sock)
		return -errno;
	if (mnl_socket_bind(m->sock, RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
			    RTMGRP_IPV6_IFADDR, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		nl_monitor_close(m);
		return err;
	}
	return 0;
}

void
nl_monitor_close(struct nl_monitor *m)
{
	if (m->sock)
		mnl_socket_close(m->sock);
	m->sock = NULL;
}

int
nl_monitor_fd(const struct nl_monitor *m)
{
	return m->sock ? mnl_socket_get_fd(m->sock) : -1;
}

struct monitor_ctx {
	void (*cb)(const struct nl_link_event *ev, void *arg);
	void *arg;
	int count;
};

static int
monitor_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor_ctx *mc = data;
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	struct nl_link_event ev = { 0 };

	/* Address events only wake the loop; the engine rereads what it needs. */
	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifi), ifla_attr_cb, tb) < 0)
		return MNL_CB_OK;	/* one bad message must not hide the rest */
	ev.ifindex = ifi->ifi_index;
	if (tb[IFLA_IFNAME]) {
		strncpy(ev.ifname, mnl_attr_get_str(tb[IFLA_IFNAME]),
			sizeof(ev.ifname) - 1);
	}
	ev.up = ifi_up(ifi);
	ev.deleted = nlh->nlmsg_type == RTM_DELLINK;
	mc->count++;
	if (mc->cb)
		mc->cb(&ev, mc->arg);
	return MNL_CB_OK;
}

int
nl_monitor_read(struct nl_monitor *m,
		void (*cb)(const struct nl_link_event *ev, void *arg),
		void *arg)
{
	uint8_t buf[NL_DUMP_SIZE] __attribute__((aligned(4)));
	struct monitor_ctx mc = { .cb = cb, .arg = arg };
	ssize_t n;

	if (!m->sock)
		return -EBADF;
	/* Bounded: under an event storm the loop gets control back and the
	 * (level-triggered) fd brings us here again. */
	for (int i = 0; i < NL_MONITOR_BATCH; i++) {
		n = mnl_socket_recvfrom(m->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			/* ENOBUFS: events were lost; the caller must resync */
			return -errno;
		}
		/* seq 0 and portid 0: multicast, nothing to match */
		if (mnl_cb_run(buf, (size_t)n, 0, 0, monitor_cb, &mc) == MNL_CB_ERROR)
			return -errno;
	}
	return mc.count;
}
