/* dump_files.c - keepalived's dump files on its signals (inventory 2.3, 8):
 *
 *   SIGUSR1      keepalived.data   "Printing VRRP data for process(<pid>) on signal"
 *   SIGUSR2      keepalived.stats  "Printing VRRP stats for process(<pid>) on signal"
 *   SIGRTMAX-1   keepalived.stats, then the counters are zeroed
 *                "Printing and clearing VRRP stats for process(<pid>) on signal"
 *   SIGRTMIN+2   keepalived.json   "Printing VRRP as json for process(<pid>) on signal"
 *
 * in $TMPDIR when it is an absolute path, else /tmp.  A file is written
 * whole to a fresh mkstemp() name (mode 0600 under the umask) and renamed
 * over the old one: a reader sees the old file or the new one, never half,
 * and a symlink or someone else's file planted at the name is replaced, not
 * followed or written into.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "status_int.h"

typedef void format_fn(const struct sd_snapshot *s, struct sd_buf *b);

void
dump_signals_add(sigset_t *set)
{
	sigaddset(set, SIGRTMIN + 2);
	sigaddset(set, SIGRTMAX - 1);
}

static const char *
dump_dir(void)
{
	const char *t = getenv("TMPDIR");
	return t && t[0] == '/' ? t : "/tmp";
}

static bool
write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* DIR/NAME replaced by BUF's bytes; 0 or -errno. */
static int
replace_file(const char *dir, const char *name, const struct sd_buf *buf)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	int fd = mkstemp(tmp);
	if (fd < 0)
		return -errno;
	bool ok = write_all(fd, buf->p ? buf->p : "", buf->len);
	int err = ok ? 0 : errno ? errno : EIO;
	if (close(fd) < 0 && ok) {
		ok = false;
		err = errno;
	}
	if (ok && rename(tmp, path) < 0) {
		ok = false;
		err = errno;
	}
	if (!ok)
		unlink(tmp);
	return ok ? 0 : -err;
}

/* keepalived.data, or with data_use_instance keepalived.[<ns>_]<instance>.data */
static void
data_name(const struct cf_model *m, char *buf, size_t len)
{
	if (!m->global.data_use_instance || !m->instance_name) {
		snprintf(buf, len, "keepalived.data");
		return;
	}
	snprintf(buf, len, "keepalived.%s%s%s.data", m->net_namespace ? m->net_namespace : "",
		 m->net_namespace ? "_" : "", m->instance_name);
}

static void
write_dump(struct engine *e, const char *name, format_fn *format)
{
	struct state_snap snap;
	if (!state_snap_take(e, &snap)) {
		log_info("Unable to write %s: out of memory", name);
		return;
	}
	struct sd_buf b = { 0 };
	format(&snap.s, &b);
	state_snap_free(&snap);
	int rc = b.failed ? -ENOMEM : replace_file(dump_dir(), name, &b);
	if (rc < 0)
		log_info("Unable to write %s/%s: %s", dump_dir(), name, strerror(-rc));
	sd_buf_free(&b);
}

bool
dump_on_signal(struct engine *e, int signo)
{
	int pid = (int)getpid();
	if (signo == SIGUSR1) {
		char name[NAME_MAX];
		data_name(e->m, name, sizeof(name));
		log_info("Printing VRRP data for process(%d) on signal", pid);
		write_dump(e, name, sd_format_data);
	} else if (signo == SIGUSR2) {
		log_info("Printing VRRP stats for process(%d) on signal", pid);
		write_dump(e, "keepalived.stats", sd_format_stats);
	} else if (signo == SIGRTMAX - 1) {
		log_info("Printing and clearing VRRP stats for process(%d) on signal", pid);
		write_dump(e, "keepalived.stats", sd_format_stats);
		for (size_t i = 0; i < e->nvi; i++)
			stats_clear(&e->vi[i]);
	} else if (signo == SIGRTMIN + 2) {
		log_info("Printing VRRP as json for process(%d) on signal", pid);
		/* keepalived writes no JSON file without instances */
		if (e->nvi)
			write_dump(e, "keepalived.json", sd_format_json);
	} else {
		return false;
	}
	return true;
}
