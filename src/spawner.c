/* spawner.c - notify scripts started from a thread of their own (see
 * spawner.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "script.h"
#include "spawner.h"

/* One queued script: its strings live in the same allocation. */
struct job {
	struct job *next;
	char **argv;
	const char *cmd;		/* the command as configured, for the log */
	const char *user, *group;	/* as script_cred_names() takes them */
};

struct spawner {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct job *head, **tail;
	bool stop;
};

static pid_t
run_job(const struct job *j)
{
	struct script_cred cred;
	if (script_cred_names(j->user, j->group, &cred) < 0) {
		log_info("notify script %s: unknown user or group - not run", j->cmd);
		return -ENOENT;
	}
	pid_t pid = script_spawn_argv(j->argv, &cred);
	if (pid < 0)
		log_info("cannot run notify script %s: %s", j->cmd, strerror((int)-pid));
	return pid;
}

static void *
spawner_thread(void *arg)
{
	struct spawner *s = arg;
	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct job *j = s->head;
		if (!j) {
			if (s->stop)
				break;
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		s->head = j->next;
		if (!s->head)
			s->tail = &s->head;
		pthread_mutex_unlock(&s->lock);
		run_job(j);
		free(j);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct spawner *
spawner_start(void)
{
	struct spawner *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->tail = &s->head;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->wake, NULL);
	/* no signal for this thread: the loop reads them from a signalfd,
	 * which only works while every thread blocks them.  It keeps the
	 * creator's capabilities: its children switch to script_user. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int r = pthread_create(&s->thread, NULL, spawner_thread, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		log_info("cannot start the notify script thread: %s - scripts start from the VRRP thread",
			 strerror(r));
		pthread_cond_destroy(&s->wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return NULL;
	}
	return s;
}

/* Copy S into the block at *P and step past it (NULL stays NULL). */
static const char *
put(char **p, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s) + 1;
	const char *at = memcpy(*p, s, len);
	*p += len;
	return at;
}

/* SC's argv, EXTRA, its command and the user and group names, copied into
 * one block */
static struct job *
job_new(const struct cf_script *sc, const char *const *extra, const char *user,
	const char *group)
{
	int nextra = 0;
	while (extra && extra[nextra])
		nextra++;
	size_t n = (size_t)sc->argc + (size_t)nextra;
	const char *tail[] = { sc->cmd, user, group };
	size_t bytes = sizeof(struct job) + (n + 1) * sizeof(char *);
	for (size_t i = 0; i < n; i++)
		bytes += strlen(i < (size_t)sc->argc ? sc->argv[i] : extra[i - (size_t)sc->argc]) + 1;
	for (size_t i = 0; i < 3; i++)
		bytes += tail[i] ? strlen(tail[i]) + 1 : 0;
	struct job *j = calloc(1, bytes);
	if (!j)
		return NULL;
	j->argv = (char **)(j + 1);
	char *p = (char *)(j->argv + n + 1);
	for (size_t i = 0; i < n; i++)
		j->argv[i] = (char *)put(&p, i < (size_t)sc->argc ? sc->argv[i]
								 : extra[i - (size_t)sc->argc]);
	j->cmd = put(&p, tail[0]);
	j->user = put(&p, tail[1]);
	j->group = put(&p, tail[2]);
	return j;
}

static struct job *
job_for(const struct cf_script *sc, const char *const *extra, const struct cf_global *g)
{
	const char *user, *group;
	script_identity(sc, g, &user, &group);
	return job_new(sc, extra, user, group);
}

pid_t
spawner_run_now(const struct cf_script *sc, const char *const *extra,
		const struct cf_global *g)
{
	struct job *j = job_for(sc, extra, g);
	if (!j)
		return -ENOMEM;
	pid_t pid = run_job(j);
	free(j);
	return pid;
}

int
spawner_submit(struct spawner *s, const struct cf_script *sc, const char *const *extra,
	       const struct cf_global *g)
{
	if (!s) {
		pid_t pid = spawner_run_now(sc, extra, g);
		return pid == -ENOMEM ? pid : 0;
	}
	struct job *j = job_for(sc, extra, g);
	if (!j)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	*s->tail = j;
	s->tail = &j->next;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	return 0;
}

void
spawner_stop(struct spawner *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->wake);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
