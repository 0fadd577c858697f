/* nl_route.h - virtual/static routes and rules through rtnetlink (libmnl).
 *
 * A struct cf_route holds the words of one virtual_routes/static_routes or
 * virtual_rules/static_rules line as written (`ip route` / `ip rule`
 * syntax).  The builders turn those words into one request; they are pure
 * but for if_nametoindex() on the interface names a route names.  nl_route
 * and nl_rule send it on a command socket (include/netlink.h) and wait for
 * the kernel's answer.
 */
#ifndef VIGIL_NL_ROUTE_H
#define VIGIL_NL_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "netlink.h"

/* What keepalived puts in rtm_protocol / FRA_PROTOCOL unless told. */
#define NL_RTPROT_KEEPALIVED	18
/* The preference of a rule written without one (keepalived warns). */
#define NL_RULE_DEFAULT_PREF	16384

/*
 * Build RTM_NEWROUTE (add = true) or RTM_DELROUTE for route R into BUF.
 * DEFAULT_IFINDEX (0 for none) becomes RTA_OIF only for a route that
 * names no dev/oif, no gateway and no nexthop and whose type needs a
 * device (keepalived sends no device there and the kernel refuses the
 * route with ENODEV).  Returns the message length; 0 if BUF is too small
 * or a word cannot be encoded (unknown or unsupported keyword, bad value,
 * unknown interface, mixed families).
 */
size_t nl_build_route(void *buf, size_t len, bool add, uint32_t seq,
		      const struct cf_route *r, int default_ifindex);

/* Build RTM_NEWRULE or RTM_DELRULE for rule R: 0 as above. */
size_t nl_build_rule(void *buf, size_t len, bool add, uint32_t seq,
		     const struct cf_route *r);

/* Send such a message and wait for the answer: 0 or -errno.  -EINVAL when
 * the words cannot be encoded.  Adding what exists gives -EEXIST; deleting
 * what is missing gives -ESRCH (IPv4 routes), -ENOENT (rules and IPv6
 * routes): reported as they are, the caller decides. */
int nl_route(struct nl_cmd *c, bool add, const struct cf_route *r,
	     int default_ifindex);
int nl_rule(struct nl_cmd *c, bool add, const struct cf_route *r);

#endif
