/* proxy_none.c - the proxy's API when built with --disable-proxy: a
 * configuration that asks for it is told so once, and nothing runs. */
#include "config.h"

#include "log.h"
#include "proxy.h"

struct proxy *
proxy_start(const struct cf_model *m, struct proxy *prev)
{
	(void)prev;
	for (size_t i = 0; i < m->nvs; i++)
		if (m->vs[i].lb_kind == CF_LB_PROXY) {
			log_info("virtual_server with lb_kind PROXY: this keepalived was built "
				 "with --disable-proxy - not serving it");
			break;
		}
	return NULL;
}

void proxy_stop(struct proxy *p) { (void)p; }
void proxy_drain(struct proxy *p) { (void)p; }
bool proxy_drained(const struct proxy *p) { (void)p; return true; }
int proxy_event_fd(const struct proxy *p) { (void)p; return -1; }

bool
proxy_vs_healthy(const struct proxy *p, const struct cf_inaddr *addr, uint16_t port)
{
	(void)p; (void)addr; (void)port;
	return false;
}

bool
proxy_child_exited(struct proxy *p, pid_t pid, int status)
{
	(void)p; (void)pid; (void)status;
	return false;
}
