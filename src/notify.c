/* notify.c - notify scripts and FIFOs (see notify.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "script.h"
#include "spawner.h"

/* keepalived hands a FIFO it created to the configured user and group */
static void
fifo_chown(const struct cf_fifo *cf)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	const struct passwd *pw = cf->user ? getpwnam(cf->user) : NULL;
	const struct group *gr = cf->group ? getgrnam(cf->group) : NULL;
	if (pw) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (gr)
		gid = gr->gr_gid;
	if ((pw || gr) && chown(cf->path, uid, gid) < 0)
		log_info("Unable to set owner of notify fifo %s: %s", cf->path, strerror(errno));
}

static void
fifo_open(struct notify_fifo *f, const struct cf_fifo *cf)
{
	f->fd = -1;
	f->path = NULL;
	f->created = false;
	f->script_pid = 0;
	if (!cf->path)
		return;
	struct stat st;
	if (stat(cf->path, &st) < 0) {
		/* keepalived creates it (0644 under the umask) and removes it at exit */
		if (mkfifo(cf->path, 0644) < 0) {
			log_info("Unable to create notify fifo %s: %s", cf->path, strerror(errno));
			return;
		}
		f->created = true;
		fifo_chown(cf);
	} else if (!S_ISFIFO(st.st_mode)) {
		log_info("notify fifo %s is not a FIFO", cf->path);
		return;
	}
	/* O_RDWR: no reader needed, and writes never block */
	f->fd = open(cf->path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (f->fd < 0) {
		log_info("Unable to open notify fifo %s: %s", cf->path, strerror(errno));
		return;
	}
	f->path = strdup(cf->path);
}

static void
fifo_close(struct notify_fifo *f)
{
	/* the reader would see EOF once we close, but a script blocked on
	 * something else must still go: keepalived stops it too */
	if (f->script_pid > 0)
		script_kill(f->script_pid, SIGTERM);
	f->script_pid = 0;
	if (f->fd >= 0)
		close(f->fd);
	if (f->created && f->path)
		unlink(f->path);
	free(f->path);
	f->fd = -1;
	f->path = NULL;
}

static void
fifo_write(struct notify_fifo *f, const char *line)
{
	if (f->fd < 0)
		return;
	size_t len = strlen(line);
	if (write(f->fd, line, len) != (ssize_t)len)
		log_detail("notify fifo %s: line lost (%s)", f->path, strerror(errno));
}

/* *_fifo_script: started once, with the FIFO's path as its last
 * argument, from this thread: its pid is needed to stop it */
static void
fifo_script_start(struct notifier *n, struct notify_fifo *f, const struct cf_fifo *cf)
{
	if (f->fd < 0 || !cf->script)
		return;
	const char *extra[] = { f->path, NULL };
	pid_t pid = spawner_run_now(cf->script, extra, n->g);
	f->script_pid = pid > 0 ? pid : 0;
}

void
notify_open(struct notifier *n, const struct cf_global *g, struct spawner *sp)
{
	n->g = g;
	n->sp = sp;
	fifo_open(&n->fifo, &g->notify_fifo);
	/* the same path for both: keepalived ignores the VRRP-specific one */
	static const struct cf_fifo none;
	bool same = g->vrrp_notify_fifo.path && g->notify_fifo.path &&
		    !strcmp(g->vrrp_notify_fifo.path, g->notify_fifo.path);
	if (same)
		log_info("notify FIFO %s has been specified for global and vrrp FIFO - ignoring vrrp FIFO",
			 g->notify_fifo.path);
	fifo_open(&n->vrrp_fifo, same ? &none : &g->vrrp_notify_fifo);
	fifo_script_start(n, &n->fifo, &g->notify_fifo);
	fifo_script_start(n, &n->vrrp_fifo, &g->vrrp_notify_fifo);
}

bool
notify_fifo_script_exited(struct notifier *n, pid_t pid)
{
	struct notify_fifo *fs[] = { &n->fifo, &n->vrrp_fifo };
	for (size_t i = 0; i < 2; i++)
		if (fs[i]->script_pid == pid) {
			fs[i]->script_pid = 0;
			return true;
		}
	return false;
}

void
notify_close(struct notifier *n)
{
	fifo_close(&n->fifo);
	fifo_close(&n->vrrp_fifo);
}

/* A notify script: queued for the spawner thread, never waited for */
static void
run(struct notifier *n, const struct cf_script *sc, const char *const *extra)
{
	if (sc && spawner_submit(n->sp, sc, extra, n->g) < 0)
		log_info("cannot run notify script %s: out of memory", sc->cmd);
}

static const struct cf_script *
state_script(const struct cf_notify *cf, const char *state)
{
	return !strcmp(state, "MASTER") ? cf->master :
	       !strcmp(state, "BACKUP") ? cf->backup :
	       !strcmp(state, "FAULT") ? cf->fault :
	       !strcmp(state, "STOP") ? cf->stop : NULL;
}

void
notify_group(struct notifier *n, const struct cf_sync_group *g, const char *state)
{
	run(n, state_script(&g->notify, state), NULL);
	/* keepalived reports priority 0 for groups */
	const char *extra[] = { "GROUP", g->name, state, "0", NULL };
	run(n, g->notify.notify, extra);
	char line[256];
	snprintf(line, sizeof(line), "GROUP \"%s\" %s 0\n", g->name, state);
	fifo_write(&n->fifo, line);
	fifo_write(&n->vrrp_fifo, line);
}

void
notify_instance(struct notifier *n, const struct cf_vrrp_instance *vi,
		const char *state, int priority)
{
	const struct cf_notify *cf = &vi->notify;
	run(n, state_script(cf, state), NULL);

	char prio[16];
	snprintf(prio, sizeof(prio), "%d", priority);
	const char *extra[] = { "INSTANCE", vi->name, state, prio, NULL };
	run(n, cf->notify, extra);

	notify_instance_event(n, vi, state, priority);
}

void
notify_instance_event(struct notifier *n, const struct cf_vrrp_instance *vi,
		      const char *event, int priority)
{
	char line[256];
	snprintf(line, sizeof(line), "INSTANCE \"%s\" %s %d\n", vi->name, event, priority);
	fifo_write(&n->fifo, line);
	fifo_write(&n->vrrp_fifo, line);
}

void
notify_master_rx_lower_pri(struct notifier *n, const struct cf_vrrp_instance *vi,
			   int priority)
{
	run(n, vi->notify.master_rx_lower_pri, NULL);
	notify_instance_event(n, vi, "MASTER_RX_LOWER_PRI", priority);
}
