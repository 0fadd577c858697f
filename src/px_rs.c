/* px_rs.c - the proxy's shared real-server state: nginx's passive
 * max_fails/fail_timeout arithmetic on atomics, and building px_shared
 * from the model (see proxy.h).  No locks: workers, the health thread and
 * the VRRP thread only ever touch the atomics. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "proxy.h"

bool
px_rs_available(const struct px_rs *rs, uint64_t now)
{
	return atomic_load(&rs->check_up) && now >= atomic_load(&rs->down_until);
}

void
px_rs_failed(struct px_rs *rs, uint64_t now)
{
	uint64_t start = atomic_load(&rs->fail_window);
	unsigned fails;
	/* a failure after the window opens a new one; of two workers racing
	 * to open it, one wins and the other counts into the new window */
	if (now > start && now - start > rs->fail_timeout_us &&
	    atomic_compare_exchange_strong(&rs->fail_window, &start, now)) {
		atomic_store(&rs->fails, 1);
		fails = 1;
	} else {
		fails = atomic_fetch_add(&rs->fails, 1) + 1;
	}
	if (rs->max_fails && fails >= rs->max_fails)
		atomic_store(&rs->down_until, now + rs->fail_timeout_us);
}

void
px_rs_succeeded(struct px_rs *rs)
{
	atomic_store(&rs->fails, 0);
}

void
px_rs_set_checked(struct px_rs *rs, bool up)
{
	if (up) {
		atomic_store(&rs->fails, 0);
		atomic_store(&rs->down_until, 0);
	}
	atomic_store(&rs->check_up, up);
}

/* ---- building ---------------------------------------------------------- */

static void
set_sockaddr(struct sockaddr_storage *ss, socklen_t *len, const struct cf_inaddr *a,
	     uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->a, 16);
		s6->sin6_port = htons(port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->a, 4);
		s4->sin_port = htons(port);
		*len = sizeof(*s4);
	}
}

/* keepalived's "[192.0.2.201]:tcp:80" */
static void
name_of(char *buf, size_t len, const struct cf_inaddr *a, uint16_t port)
{
	char ip[64];
	snprintf(buf, len, "[%s]:tcp:%u", cf_inaddr_str(a, ip, sizeof(ip)), port);
}

static void
rs_init(struct px_rs *rs, const struct cf_virtual_server *vs,
	const struct cf_real_server *cf, const struct cf_inaddr *addr, uint16_t port)
{
	rs->cf = cf;
	set_sockaddr(&rs->sa, &rs->salen, addr, port);
	name_of(rs->name, sizeof(rs->name), addr, port);
	rs->weight = cf ? cf->weight : 1;
	int max_fails = cf && cf->max_fails != CF_UNSET ? cf->max_fails : (int)vs->proxy.max_fails;
	rs->max_fails = max_fails > 0 ? (unsigned)max_fails : 0;
	rs->fail_timeout_us = cf && cf->fail_timeout_us ? cf->fail_timeout_us
			    : vs->proxy.fail_timeout_us;
	atomic_init(&rs->check_up, true);
	atomic_init(&rs->fails, 0);
	atomic_init(&rs->fail_window, 0);
	atomic_init(&rs->down_until, 0);
	atomic_init(&rs->conns, 0);
}

static bool
proxied(const struct cf_virtual_server *vs)
{
	return vs->lb_kind == CF_LB_PROXY && vs->kind == CF_VS_ADDR &&
	       (vs->nrs || vs->has_sorry);
}

static bool
vs_init(struct px_vs *pv, const struct cf_virtual_server *vs)
{
	pv->cf = vs;
	set_sockaddr(&pv->sa, &pv->salen, &vs->addr, vs->port);
	name_of(pv->name, sizeof(pv->name), &vs->addr, vs->port);
	atomic_init(&pv->listening, 0);
	atomic_init(&pv->healthy, false);
	if (vs->nrs) {
		pv->rs = calloc(vs->nrs, sizeof(*pv->rs));
		if (!pv->rs)
			return false;
	}
	pv->nrs = vs->nrs;
	for (size_t i = 0; i < vs->nrs; i++)
		rs_init(&pv->rs[i], vs, &vs->rs[i], &vs->rs[i].addr, vs->rs[i].port);
	if (vs->has_sorry) {
		pv->sorry = calloc(1, sizeof(*pv->sorry));
		if (!pv->sorry)
			return false;
		rs_init(pv->sorry, vs, NULL, &vs->sorry_addr,
			vs->sorry_port ? vs->sorry_port : vs->port);
	}
	return true;
}

static int
workers_wanted(const struct cf_global *g)
{
	if (g->proxy_workers)
		return (int)g->proxy_workers;
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

struct px_shared *
px_shared_build(const struct cf_model *m)
{
	struct px_shared *sh = calloc(1, sizeof(*sh));
	if (!sh)
		return NULL;
	sh->event_fd = -1;
	sh->g = &m->global;
	size_t n = 0;
	for (size_t i = 0; i < m->nvs; i++)
		n += proxied(&m->vs[i]);
	if (!n)
		return sh;
	sh->nworkers = workers_wanted(&m->global);
	sh->vs = calloc(n, sizeof(*sh->vs));
	sh->beat = calloc((size_t)sh->nworkers, sizeof(*sh->beat));
	sh->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!sh->vs || !sh->beat || sh->event_fd < 0)
		goto fail;
	for (int w = 0; w < sh->nworkers; w++)
		atomic_init(&sh->beat[w], 0);
	for (size_t i = 0; i < m->nvs; i++) {
		if (!proxied(&m->vs[i]))
			continue;
		if (!vs_init(&sh->vs[sh->nvs++], &m->vs[i]))
			goto fail;
	}
	return sh;
fail:
	px_shared_free(sh);
	return NULL;
}

void
px_shared_free(struct px_shared *sh)
{
	if (!sh)
		return;
	for (size_t i = 0; i < sh->nvs; i++) {
		free(sh->vs[i].rs);
		free(sh->vs[i].sorry);
	}
	free(sh->vs);
	free(sh->beat);
	if (sh->event_fd >= 0)
		close(sh->event_fd);
	free(sh);
}
