/* caps.c - capability sets through the raw system calls (see caps.h);
 * libcap would add a dependency for three calls. */
#include "config.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "script.h"

#define BIT(c) (UINT64_C(1) << (c))

uint64_t
caps_daemon_keep(void)
{
	return BIT(CAP_NET_ADMIN)		/* addresses, routes, proc connector */
	     | BIT(CAP_NET_RAW)			/* VRRP and ARP sockets */
	     | BIT(CAP_NET_BIND_SERVICE)	/* proxy and status ports on reload */
	     | BIT(CAP_SETUID) | BIT(CAP_SETGID)	/* scripts as script_user */
	     | BIT(CAP_KILL)			/* their process groups, at timeout */
	     | BIT(CAP_CHOWN) | BIT(CAP_FOWNER)	/* notify FIFOs */
	     | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH)	/* track files */
	     | BIT(CAP_SYS_NICE)		/* vrrp_priority, vrrp_rt_priority */
	     | BIT(CAP_IPC_LOCK)		/* vrrp_no_swap */
	     | BIT(CAP_SYS_RESOURCE);		/* rlimits beyond the hard limit */
}

static bool
runs_as_root(const struct cf_script *sc, const struct cf_global *g)
{
	struct script_cred cred;
	/* a user that does not resolve: the script is not run at all */
	return sc && sc->argv && script_cred(sc, g, &cred) == 0 && cred.uid == 0;
}

static bool
notify_as_root(const struct cf_notify *n, const struct cf_global *g)
{
	const struct cf_script *all[] = { n->master, n->backup, n->fault, n->stop,
					  n->deleted, n->notify, n->master_rx_lower_pri };
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (runs_as_root(all[i], g))
			return true;
	return false;
}

static bool
vs_as_root(const struct cf_virtual_server *vs, const struct cf_global *g)
{
	if (runs_as_root(vs->quorum_up, g) || runs_as_root(vs->quorum_down, g))
		return true;
	for (size_t r = 0; r < vs->nrs; r++) {
		const struct cf_real_server *rs = &vs->rs[r];
		if (runs_as_root(rs->notify_up, g) || runs_as_root(rs->notify_down, g))
			return true;
		for (size_t c = 0; c < rs->nchecks; c++)
			if (runs_as_root(rs->checkers[c].misc, g))
				return true;
	}
	return false;
}

bool
caps_root_scripts(const struct cf_model *m)
{
	const struct cf_global *g = &m->global;
	const struct cf_script *globals[] = { g->startup_script, g->shutdown_script,
					      g->notify_fifo.script, g->vrrp_notify_fifo.script,
					      g->lvs_notify_fifo.script };
	for (size_t i = 0; i < sizeof(globals) / sizeof(globals[0]); i++)
		if (runs_as_root(globals[i], g))
			return true;
	for (size_t i = 0; i < m->nscripts; i++)
		if (!m->scripts[i].removed && runs_as_root(&m->scripts[i].script, g))
			return true;
	for (size_t i = 0; i < m->ninstances; i++)
		if (!m->instances[i].removed && notify_as_root(&m->instances[i].notify, g))
			return true;
	for (size_t i = 0; i < m->ngroups; i++)
		if (notify_as_root(&m->groups[i].notify, g))
			return true;
	for (size_t i = 0; i < m->nvs; i++)
		if (vs_as_root(&m->vs[i], g))
			return true;
	return false;
}

static int
last_cap(void)
{
	int last = CAP_LAST_CAP;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	if (f) {
		if (fscanf(f, "%d", &last) != 1 || last < 0 || last > 63)
			last = CAP_LAST_CAP;
		fclose(f);
	}
	return last;
}

static int
capset_all(uint64_t keep)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { 0 };
	/* a set can only shrink: what the process never had stays out
	 * (a container may withhold some of what root usually has) */
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	keep &= (uint64_t)d[1].permitted << 32 | d[0].permitted;
	d[0].inheritable = d[1].inheritable = 0;
	d[0].effective = d[0].permitted = (uint32_t)keep;
	d[1].effective = d[1].permitted = (uint32_t)(keep >> 32);
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

int
caps_limit_process(uint64_t keep)
{
	int last = last_cap();
	for (int c = 0; c <= last; c++)
		if (!(keep & BIT(c)) && prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1 &&
		    prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return -errno;
	return capset_all(keep);
}

int
caps_drop_thread(void)
{
	return capset_all(0);
}

uint64_t
caps_bounding(void)
{
	uint64_t set = 0;
	int last = last_cap();
	for (int c = 0; c <= last; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			set |= BIT(c);
	return set;
}
