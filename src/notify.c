/* notify.c - notify scripts and FIFOs (see notify.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"
#include "script.h"

static void
fifo_open(struct notify_fifo *f, const struct cf_fifo *cf)
{
	f->fd = -1;
	f->path = NULL;
	f->created = false;
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

void
notify_open(struct notifier *n, const struct cf_global *g)
{
	n->g = g;
	fifo_open(&n->fifo, &g->notify_fifo);
	/* the same path for both: keepalived ignores the VRRP-specific one */
	static const struct cf_fifo none;
	bool same = g->vrrp_notify_fifo.path && g->notify_fifo.path &&
		    !strcmp(g->vrrp_notify_fifo.path, g->notify_fifo.path);
	fifo_open(&n->vrrp_fifo, same ? &none : &g->vrrp_notify_fifo);
}

void
notify_close(struct notifier *n)
{
	fifo_close(&n->fifo);
	fifo_close(&n->vrrp_fifo);
}

static void
run(struct notifier *n, const struct cf_script *sc, const char *const *extra)
{
	struct script_cred cred;
	if (!sc)
		return;
	if (script_cred(sc, n->g, &cred) < 0) {
		log_info("notify script %s: unknown user or group - not run", sc->cmd);
		return;
	}
	pid_t pid = script_spawn(sc, extra, &cred);
	if (pid < 0)
		log_info("cannot run notify script %s: %s", sc->cmd, strerror((int)-pid));
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

	char line[256];
	snprintf(line, sizeof(line), "INSTANCE \"%s\" %s %d\n", vi->name, state, priority);
	fifo_write(&n->fifo, line);
	fifo_write(&n->vrrp_fifo, line);
}
