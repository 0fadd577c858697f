/* nl_route_smoke.c - nl_route and nl_rule against a real kernel.
 *
 * usage: nl_route_smoke IFNAME   (root, inside a throwaway network
 * namespace; tests/netns/nl_route.sh sets one up).  IFNAME must be up with
 * carrier and hold 192.0.2.1/24 and 2001:db8::1/64.  Adds every route and
 * rule below, checks each in `ip route|rule` output, adds some again
 * (-EEXIST), deletes them all, checks they are gone, deletes them again
 * (-ESRCH/-ENOENT).  Prints one "ok N - ..." / "not ok N - ..." line per
 * check; exits 0 only if all passed.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>

#include "netlink.h"
#include "nl_route.h"

#define MAXW	64
#define MAXFRAG	4

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

/*
 * One line of virtual_routes/virtual_rules.  "@" in the words and the
 * fragments stands for the interface.  The first fragment starts the
 * entry's line in SHOW's output; the others must appear in that line or
 * its continuation lines (multipath nexthops).
 */
struct item {
	bool rule;
	const char *words;
	const char *show;
	const char *frag[MAXFRAG];
	bool readd;		/* adding it again must give -EEXIST */
	bool use_default;	/* pass IFNAME as the default device */
};

#define R4	"ip route show table all"
#define R6	"ip -6 route show table all"
#define RL4	"ip rule show"
#define RL6	"ip -6 rule show"

static const struct item items[] = {
	{ false, "198.51.100.0/24 via 192.0.2.254 dev @ table 100 metric 5", R4,
	  { "198.51.100.0/24 via 192.0.2.254 dev @ table 100 proto keepalived metric 5" },
	  true, false },
	{ false, "blackhole 198.51.100.128/25", R4,
	  { "blackhole 198.51.100.128/25 proto keepalived" }, true, false },
	{ false, "unreachable 203.0.113.32/28 table 100", R4,
	  { "unreachable 203.0.113.32/28 table 100 proto keepalived" }, false, false },
	{ false, "default via 192.0.2.254 table 200", R4,
	  { "default via 192.0.2.254 dev @ table 200 proto keepalived" }, true, false },
	{ false, "192.0.2.128/25 nexthop via 192.0.2.10 dev @ weight 2 nexthop via 192.0.2.11 dev @", R4,
	  { "192.0.2.128/25 proto keepalived",
	    "nexthop via 192.0.2.10 dev @ weight 2",
	    "nexthop via 192.0.2.11 dev @ weight 1" }, true, false },
	{ false, "198.51.100.0/25 via 192.0.2.253 or 192.0.2.252 dev @", R4,
	  { "198.51.100.0/25 proto keepalived",
	    "nexthop via 192.0.2.253 dev @ weight 1",
	    "nexthop via 192.0.2.252 dev @ weight 1" }, false, false },
	{ false, "198.18.0.0/16 via 192.0.2.254 dev @ mtu lock 1400 advmss 1360 initcwnd 10 rtt 100ms", R4,
	  { "198.18.0.0/16 via 192.0.2.254 dev @ proto keepalived",
	    "mtu lock 1400", "rtt 100ms", "advmss 1360 initcwnd 10" }, false, false },
	{ false, "203.0.113.16/28 src 192.0.2.1 dev @ table 300", R4,
	  { "203.0.113.16/28 dev @ table 300 proto keepalived src 192.0.2.1" }, true, false },
	{ false, "local 192.0.2.77 dev @", R4,
	  { "local 192.0.2.77 dev @ table local proto keepalived scope host" }, false, false },
	{ false, "203.0.113.144/28 scope link", R4,
	  { "203.0.113.144/28 dev @ proto keepalived scope link" }, false, true },
	{ false, "2001:db8:1::/48 via 2001:db8::fe dev @ metric 100", R6,
	  { "2001:db8:1::/48 via 2001:db8::fe dev @ proto keepalived metric 100" },
	  true, false },
	{ false, "2001:db8:4::/48 from 2001:db8::/64 via 2001:db8::fe dev @ pref high", R6,
	  { "2001:db8:4::/48 from 2001:db8::/64 via 2001:db8::fe dev @ proto keepalived",
	    "pref high" }, false, false },
	{ false, "blackhole 2001:db8:9::/48", R6,
	  { "blackhole 2001:db8:9::/48", "proto keepalived" }, false, false },

	{ true, "from 192.0.2.0/24 table 100 preference 100", RL4,
	  { "100:\tfrom 192.0.2.0/24 lookup 100 proto keepalived" }, true, false },
	{ true, "fwmark 0x10/0xff table 200 priority 200", RL4,
	  { "200:\tfrom all fwmark 0x10/0xff lookup 200 proto keepalived" }, true, false },
	{ true, "to 198.51.100.0/24 lookup 100", RL4,
	  { "16384:\tfrom all to 198.51.100.0/24 lookup 100 proto keepalived" }, false, false },
	{ true, "from 203.0.113.0/28 iif @ sport 1000-2000 dport 80 ipproto tcp table 300 priority 400", RL4,
	  { "400:\tfrom 203.0.113.0/28 iif @", "ipproto tcp", "sport 1000-2000",
	    "dport 80" }, false, false },
	{ true, "not to 203.0.113.0/28 table 100 priority 500", RL4,
	  { "500:\tnot from all to 203.0.113.0/28 lookup 100 proto keepalived" }, false, false },
	{ true, "fwmark 7 type blackhole priority 600", RL4,
	  { "600:\tfrom all fwmark 0x7 blackhole proto keepalived" }, false, false },
	{ true, "uidrange 1000-2000 table 100 priority 800", RL4,
	  { "800:\tfrom all uidrange 1000-2000 lookup 100 proto keepalived" }, false, false },
	{ true, "from 2001:db8::/64 lookup 100 preference 300", RL6,
	  { "300:\tfrom 2001:db8::/64 lookup 100 proto keepalived" }, true, false },
	{ true, "inet6 fwmark 0x20 table 1000 priority 310", RL6,
	  { "310:\tfrom all fwmark 0x20 lookup 1000 proto keepalived" }, false, false },
};

#define NITEMS	(sizeof(items) / sizeof(items[0]))

static const char *g_ifname;
static int g_ifindex;

/* TEXT with "@" replaced by the interface name. */
static void
subst(char *out, size_t len, const char *text)
{
	size_t n = 0;

	for (; *text && n + IF_NAMESIZE + 1 < len; text++) {
		if (*text == '@') {
			n += (size_t)snprintf(out + n, len - n, "%s", g_ifname);
			continue;
		}
		out[n++] = *text;
	}
	out[n] = '\0';
}

struct line {
	char text[512];
	char *w[MAXW];
	struct cf_route r;
};

static void
mkline(struct line *l, const char *words)
{
	char *save = NULL;
	char *t;

	memset(l, 0, sizeof(*l));
	subst(l->text, sizeof(l->text), words);
	for (t = strtok_r(l->text, " ", &save); t && l->r.nwords < MAXW;
	     t = strtok_r(NULL, " ", &save))
		l->w[l->r.nwords++] = t;
	l->r.words = l->w;
}

static int
apply(struct nl_cmd *c, const struct item *it, bool add)
{
	struct line l;

	mkline(&l, it->words);
	if (it->rule)
		return nl_rule(c, add, &l.r);
	return nl_route(c, add, &l.r, it->use_default ? g_ifindex : 0);
}

/* The output of CMD, whole. */
static char *
run(const char *cmd)
{
	FILE *f = popen(cmd, "r");
	char *out = NULL;
	size_t len = 0, n;
	char chunk[4096];

	if (!f)
		return strdup("");
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		char *p = realloc(out, len + n + 1);

		if (!p)
			break;
		out = p;
		memcpy(out + len, chunk, n);
		len += n;
		out[len] = '\0';
	}
	pclose(f);
	return out ? out : strdup("");
}

/* The line of OUT starting with FIRST, with its continuation lines
 * (those starting with a blank, as ip prints nexthops); NULL if none. */
static char *
find_entry(const char *out, const char *first)
{
	const char *p = out;
	size_t flen = strlen(first);

	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *end;

		if (!eol)
			eol = p + strlen(p);
		if (!strncmp(p, first, flen)) {
			end = eol;
			while (*end == '\n' && (end[1] == '\t' || end[1] == ' ')) {
				end = strchr(end + 1, '\n');
				if (!end)
					end = out + strlen(out);
			}
			return strndup(p, (size_t)(end - p));
		}
		p = *eol ? eol + 1 : eol;
	}
	return NULL;
}

/* Is the entry there with all its fragments?  *WHY gets the entry. */
static bool
present(const struct item *it, char **why)
{
	char frag[256];
	char *out = run(it->show);
	char *entry;
	bool ok = true;

	subst(frag, sizeof(frag), it->frag[0]);
	entry = find_entry(out, frag);
	free(out);
	*why = entry;
	if (!entry)
		return false;
	for (int i = 1; i < MAXFRAG && it->frag[i]; i++) {
		subst(frag, sizeof(frag), it->frag[i]);
		if (!strstr(entry, frag))
			ok = false;
	}
	return ok;
}

static void
show_entry(const char *entry)
{
	if (entry)
		printf("#   seen: %s\n", entry);
}

static void
add_all(struct nl_cmd *c)
{
	for (size_t i = 0; i < NITEMS; i++) {
		const struct item *it = &items[i];
		char *entry = NULL;
		int r = apply(c, it, true);
		bool ok;

		check(r == 0, "add %s: %s (%d)", it->rule ? "rule" : "route",
		      it->words, r);
		ok = present(it, &entry);
		check(ok, "  `%s` shows it", it->show);
		if (!ok)
			show_entry(entry);
		free(entry);
	}
}

static void
readd_some(struct nl_cmd *c)
{
	for (size_t i = 0; i < NITEMS; i++) {
		int r;

		if (!items[i].readd)
			continue;
		r = apply(c, &items[i], true);
		check(r == -EEXIST, "add again: -EEXIST (%d): %s", r, items[i].words);
	}
}

static void
delete_all(struct nl_cmd *c)
{
	for (size_t i = NITEMS; i-- > 0;) {
		const struct item *it = &items[i];
		char *entry = NULL;
		int r = apply(c, it, false);
		bool gone;

		check(r == 0, "delete %s: %s (%d)", it->rule ? "rule" : "route",
		      it->words, r);
		present(it, &entry);
		gone = entry == NULL;
		check(gone, "  `%s` no longer shows it", it->show);
		if (!gone)
			show_entry(entry);
		free(entry);
	}
}

static void
delete_again(struct nl_cmd *c)
{
	for (size_t i = 0; i < NITEMS; i++) {
		int r = apply(c, &items[i], false);

		check(r == -ESRCH || r == -ENOENT,
		      "delete again: -ESRCH/-ENOENT (%d): %s", r, items[i].words);
	}
}

static void
check_refusals(struct nl_cmd *c)
{
	struct item bad = { false, "203.0.113.0/28 frobnicate 1", R4, { "203.0.113.0/28" },
			    false, false };
	struct item badrule = { true, "from 192.0.2.5 priority 1300", RL4,
				{ "1300:" }, false, false };
	/* the kernel's own refusal comes back as is */
	struct item nodev = { false, "203.0.113.128/28 scope link", R4, { "203.0.113.128/28" },
			      false, false };
	int r;

	r = apply(c, &bad, true);
	check(r == -EINVAL, "unknown word: -EINVAL, nothing sent (%d)", r);
	r = apply(c, &badrule, true);
	check(r == -EINVAL, "rule without an action: -EINVAL (%d)", r);
	r = apply(c, &nodev, true);
	check(r == -ENODEV, "route with no device at all: the kernel's -ENODEV (%d)", r);
}

int
main(int argc, char **argv)
{
	struct nl_cmd c = { 0 };
	int r;

	if (argc != 2) {
		fprintf(stderr, "usage: %s IFNAME\n", argv[0]);
		return 2;
	}
	g_ifname = argv[1];
	g_ifindex = (int)if_nametoindex(g_ifname);
	check(g_ifindex > 0, "interface %s exists (index %d)", g_ifname, g_ifindex);
	if (g_ifindex <= 0)
		return 1;
	r = nl_cmd_open(&c);
	check(r == 0, "nl_cmd_open (%d)", r);
	if (r)
		return 1;

	add_all(&c);
	readd_some(&c);
	delete_all(&c);
	delete_again(&c);
	check_refusals(&c);

	nl_cmd_close(&c);
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
