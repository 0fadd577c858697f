/* netlink_smoke.c - nl_* and garp_* against a real kernel.
 *
 * usage: netlink_smoke IFNAME   (root, inside a throwaway network namespace;
 * tests/netns/netlink.sh sets one up).  IFNAME must be up with carrier and
 * have no IPv4 address.  Prints one "ok N - ..." / "not ok N - ..." line per
 * check; exits 0 only if all passed.
 *
 * Order matters: the link flap comes first, because taking a link down
 * removes its IPv6 addresses (keep_addr_on_down=0).
 */
#include "config.h"

#include <errno.h>
#include <ifaddrs.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "garp.h"
#include "netlink.h"

static int checks, failures;

static void
check(int ok, const char *fmt, ...)
{
	va_list ap;

	checks++;
	if (!ok)
		failures++;
	printf("%s %d - ", ok ? "ok" : "not ok", checks);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct cf_ipaddress
vip(const char *text, uint8_t prefix)
{
	struct cf_ipaddress a;

	memset(&a, 0, sizeof(a));
	a.addr.family = strchr(text, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a.addr.family, text, a.addr.a) != 1)
		abort();
	a.prefix = prefix;
	a.scope = CF_UNSET;
	a.preferred_lft = CF_UNSET;
	return a;
}

/* Is A on IFNAME according to getifaddrs (a second, independent reader)?
 * For IPv4 getifaddrs names the address by its label: *LABEL gets it. */
static bool
has_addr(const char *ifname, const struct cf_inaddr *a, char *label)
{
	struct ifaddrs *all, *i;
	bool found = false;
	size_t n = a->family == AF_INET ? 4 : 16;

	if (getifaddrs(&all) < 0)
		return false;
	for (i = all; i && !found; i = i->ifa_next) {
		const void *p;

		if (!i->ifa_addr || i->ifa_addr->sa_family != a->family)
			continue;
		if (a->family == AF_INET)
			p = &((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		else
			p = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (memcmp(p, a->a, n))
			continue;
		/* IPv4 labels are "ifname" or "ifname:x"; IPv6 names are ifname */
		if (strncmp(i->ifa_name, ifname, strlen(ifname)))
			continue;
		found = true;
		if (label)
			snprintf(label, IF_NAMESIZE, "%s", i->ifa_name);
	}
	freeifaddrs(all);
	return found;
}

static int
set_link(const char *ifname, bool up)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		err = -errno;
	} else {
		if (up)
			ifr.ifr_flags |= IFF_UP;
		else
			ifr.ifr_flags &= ~IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
			err = -errno;
	}
	close(fd);
	return err;
}

struct seen {
	int ifindex;
	int events, want_up, matched;
	char name[IF_NAMESIZE];
};

static void
on_link(const struct nl_link_event *ev, void *arg)
{
	struct seen *s = arg;

	s->events++;
	if (ev->ifindex == s->ifindex && !ev->deleted && ev->up == s->want_up) {
		s->matched = 1;
		memcpy(s->name, ev->ifname, sizeof(s->name));
	}
}

/* Wait (bounded) for a link event saying IFINDEX is up or down. */
static bool
wait_link_event(struct nl_monitor *m, struct seen *s, bool up, int timeout_ms)
{
	struct pollfd p = { .fd = nl_monitor_fd(m), .events = POLLIN };
	long end = now_ms() + timeout_ms;

	s->want_up = up;
	s->matched = 0;
	while (!s->matched && now_ms() < end) {
		if (poll(&p, 1, (int)(end - now_ms())) <= 0)
			continue;
		if (nl_monitor_read(m, on_link, s) < 0)
			return false;
	}
	return s->matched;
}

/* The link may need a moment to regain carrier after coming up. */
static int
wait_link_state(struct nl_cmd *c, int ifindex, int want, int timeout_ms)
{
	long end = now_ms() + timeout_ms;
	int r;

	while ((r = nl_link_up(c, ifindex)) != want && now_ms() < end)
		usleep(20000);
	return r;
}

static void
check_flap(struct nl_cmd *c, const char *ifname, int ifindex)
{
	struct nl_monitor m = { 0 };
	struct seen s = { .ifindex = ifindex };
	int r;

	r = nl_monitor_open(&m);
	check(r == 0 && nl_monitor_fd(&m) >= 0, "nl_monitor_open (%d)", r);
	if (r)
		return;
	r = nl_monitor_read(&m, NULL, NULL);	/* nothing pending: 0 */
	check(r >= 0, "nl_monitor_read with nothing pending returns >= 0 (%d)", r);

	check(set_link(ifname, false) == 0, "set %s down (SIOCSIFFLAGS)", ifname);
	check(wait_link_event(&m, &s, false, 3000),
	      "nl_monitor_read reports %s down (name \"%s\")", ifname, s.name);
	check(!strcmp(s.name, ifname), "link event carries the name %s", ifname);
	r = nl_link_up(c, ifindex);
	check(r == 0, "nl_link_up = 0 while down (%d)", r);

	check(set_link(ifname, true) == 0, "set %s up (SIOCSIFFLAGS)", ifname);
	check(wait_link_event(&m, &s, true, 5000),
	      "nl_monitor_read reports %s up again", ifname);
	r = wait_link_state(c, ifindex, 1, 3000);
	check(r == 1, "nl_link_up = 1 after up (%d)", r);
	nl_monitor_close(&m);
	check(nl_monitor_fd(&m) == -1, "nl_monitor_close");
}

static void
check_ipv4(struct nl_cmd *c, const char *ifname, int ifindex)
{
	struct cf_ipaddress a = vip("192.0.2.10", 24);
	struct cf_ipaddress b = vip("192.0.2.11", 24);
	struct cf_inaddr p = { 0 };
	char label[IF_NAMESIZE] = "", want[IF_NAMESIZE + 8];
	int r;

	r = nl_addr(c, true, ifindex, &a);
	check(r == 0, "add 192.0.2.10/24 (%d)", r);
	check(has_addr(ifname, &a.addr, NULL), "getifaddrs sees 192.0.2.10");
	r = nl_addr(c, true, ifindex, &a);
	check(r == -EEXIST, "add again: -EEXIST (%d)", r);

	snprintf(want, sizeof(want), "%s:vip", ifname);
	if (strlen(want) < IF_NAMESIZE)
		strcpy(b.label, want);
	b.brd_mode = CF_BRD_SET;
	r = nl_addr(c, true, ifindex, &b);
	check(r == 0, "add 192.0.2.11/24 brd + label %s (%d)", b.label, r);
	check(has_addr(ifname, &b.addr, label) && !strcmp(label, b.label),
	      "getifaddrs sees 192.0.2.11 labelled \"%s\"", label);

	r = nl_primary_addr(c, ifindex, AF_INET, &p);
	check(r == 0 && p.family == AF_INET && !memcmp(p.a, a.addr.a, 4),
	      "nl_primary_addr(AF_INET) = 192.0.2.10, not the secondary (%d)", r);

	r = nl_addr(c, false, ifindex, &b);
	check(r == 0, "delete 192.0.2.11/24 (%d)", r);
	check(!has_addr(ifname, &b.addr, NULL), "getifaddrs no longer sees 192.0.2.11");
}

static void
check_ipv6(struct nl_cmd *c, const char *ifname, int ifindex)
{
	struct cf_ipaddress a = vip("2001:db8::10", 128);
	struct cf_inaddr p = { 0 };
	long end = now_ms() + 3000;
	int r;

	r = nl_addr(c, true, ifindex, &a);
	check(r == 0, "add 2001:db8::10/128 (%d)", r);
	check(has_addr(ifname, &a.addr, NULL), "getifaddrs sees 2001:db8::10");
	r = nl_addr(c, true, ifindex, &a);
	check(r == -EEXIST, "add again: -EEXIST (%d)", r);

	/* the link-local comes back with the link: allow it a moment */
	while ((r = nl_primary_addr(c, ifindex, AF_INET6, &p)) == -EADDRNOTAVAIL &&
	       now_ms() < end)
		usleep(50000);
	check(r == 0 && p.family == AF_INET6 && p.a[0] == 0xfe && (p.a[1] & 0xc0) == 0x80,
	      "nl_primary_addr(AF_INET6) is link-local (%d)", r);
}

static void
check_garp(const char *ifname, int ifindex)
{
	struct garp_sockets s;
	struct cf_ipaddress a4 = vip("192.0.2.10", 24);
	struct cf_ipaddress a6 = vip("2001:db8::10", 128);
	int r;

	r = garp_open(&s);
	check(r == 0 && s.arp_fd >= 0 && s.na_fd >= 0, "garp_open (%d)", r);
	r = garp_send_arp(&s, ifindex, a4.addr.a);
	check(r == 0, "garp_send_arp 192.0.2.10 on %s (%d)", ifname, r);
	r = garp_send_na(&s, ifindex, a6.addr.a);
	check(r == 0, "garp_send_na 2001:db8::10 on %s (%d)", ifname, r);
	garp_close(&s);
	check(s.arp_fd == -1 && s.na_fd == -1, "garp_close");
}

static void
check_deletes(struct nl_cmd *c, const char *ifname, int ifindex)
{
	struct cf_ipaddress a4 = vip("192.0.2.10", 24);
	struct cf_ipaddress a6 = vip("2001:db8::10", 128);
	struct cf_inaddr p;
	int r;

	r = nl_addr(c, false, ifindex, &a4);
	check(r == 0, "delete 192.0.2.10/24 (%d)", r);
	check(!has_addr(ifname, &a4.addr, NULL), "getifaddrs no longer sees 192.0.2.10");
	r = nl_addr(c, false, ifindex, &a4);
	check(r == -EADDRNOTAVAIL, "delete again: -EADDRNOTAVAIL (%d)", r);
	r = nl_primary_addr(c, ifindex, AF_INET, &p);
	check(r == -EADDRNOTAVAIL, "nl_primary_addr(AF_INET) with none: -EADDRNOTAVAIL (%d)", r);

	r = nl_addr(c, false, ifindex, &a6);
	check(r == 0, "delete 2001:db8::10/128 (%d)", r);
	check(!has_addr(ifname, &a6.addr, NULL), "getifaddrs no longer sees 2001:db8::10");
	r = nl_addr(c, false, ifindex, &a6);
	check(r == -EADDRNOTAVAIL, "delete again: -EADDRNOTAVAIL (%d)", r);
}

int
main(int argc, char **argv)
{
	struct nl_cmd c = { 0 };
	const char *ifname;
	int ifindex, r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	ifname = argv[1];
	ifindex = (int)if_nametoindex(ifname);
	check(ifindex > 0, "interface %s exists (index %d)", ifname, ifindex);
	if (ifindex <= 0)
		return 1;
	r = nl_cmd_open(&c);
	check(r == 0, "nl_cmd_open (%d)", r);
	if (r)
		return 1;
	r = nl_link_up(&c, ifindex);
	check(r == 1, "nl_link_up = 1 (%d)", r);
	r = nl_link_up(&c, 999999);
	check(r == -ENODEV, "nl_link_up on a missing index: -ENODEV (%d)", r);

	check_flap(&c, ifname, ifindex);
	check_ipv4(&c, ifname, ifindex);
	check_ipv6(&c, ifname, ifindex);
	check_garp(ifname, ifindex);
	check_deletes(&c, ifname, ifindex);

	nl_cmd_close(&c);
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
