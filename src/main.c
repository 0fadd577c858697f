/* main.c - keepalived-compatible command line.
 *
 * Accepts every keepalived 2.2.7 option.  `-t` checks the configuration
 * the way keepalived's does (same exit codes), printing diagnostics as
 * FILE:LINE:COL: level: message.  `-d/--dump-conf` prints the parsed model.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <syslog.h>

#include "conf.h"
#include "daemon.h"
#include "diag.h"
#include "engine.h"
#include "log.h"
#include "sdnotify.h"

#define DEFAULT_CONF SYSCONFDIR "/keepalived/keepalived.conf"

struct cli {
	const char *conf_file;
	const char *config_id;
	const char *test_log;		/* -t LOGFILE */
	bool config_test;
	bool dump_conf;
	bool all_config;
	bool dont_fork;
	bool log_console;
	bool no_syslog;
	bool keep_vips;
	int log_detail;
	int facility;
	int umask;			/* -u; -1: the config's (default 0177) */
	const char *pid_file, *vrrp_pid_file, *checkers_pid_file, *bfd_pid_file;
};

static void
usage(FILE *out, const char *prog)
{
	fprintf(out,
		"Usage: %s [OPTION...]\n"
		"  -f, --use-file=FILE          Use the specified configuration file\n"
		"  -P, --vrrp                   Only run with VRRP subsystem\n"
		"  -C, --check                  Only run with Health-checker subsystem\n"
		"  -B, --no_bfd                 Don't run BFD subsystem\n"
		"      --all                    Force all child processes to run\n"
		"  -l, --log-console            Log messages to local console\n"
		"  -D, --log-detail             Detailed log messages\n"
		"  -S, --log-facility=[0-7]     Set syslog facility to LOG_LOCAL[0-7]\n"
		"  -G, --no-syslog              Don't log via syslog\n"
		"  -u, --umask=MASK             umask for file creation\n"
		"  -X, --release-vips           Drop VIP on transition from signal\n"
		"  -V, --dont-release-vrrp      Don't remove VRRP VIPs and VROUTEs on daemon stop\n"
		"  -I, --dont-release-ipvs      Don't remove IPVS topology on daemon stop\n"
		"  -R, --dont-respawn           Don't respawn child processes\n"
		"  -n, --dont-fork              Don't fork the daemon process\n"
		"  -d, --dump-conf              Dump the configuration data\n"
		"  -p, --pid=FILE               Use specified pidfile for parent process\n"
		"  -r, --vrrp_pid=FILE          Use specified pidfile for VRRP child process\n"
		"  -c, --checkers_pid=FILE      Use specified pidfile for checkers child process\n"
		"  -a, --address-monitoring     Report all address additions/deletions notified by netlink\n"
		"  -b, --bfd_pid=FILE           Use specified pidfile for BFD child process\n"
		"  -s, --namespace=NAME         Run in network namespace NAME (overrides config)\n"
		"  -m, --core-dump              Produce core dump if terminate abnormally\n"
		"  -M, --core-dump-pattern=PATN Also set /proc/sys/kernel/core_pattern to PATN\n"
		"  -i, --config-id id           Skip any configuration lines beginning '@' that don't match id\n"
		"                                or any lines beginning @^ that do match.\n"
		"  -x, --snmp                   Enable SNMP subsystem\n"
		"  -A, --snmp-agent-socket=FILE Use the specified socket for master agent\n"
		"  -e, --all-config             Error if any configuration file missing\n"
		"  -t, --config-test[=LOG_FILE] Check the configuration for obvious errors, output to\n"
		"                                stderr by default\n"
		"      --signum=SIGFUNC         Return signal number for STOP, RELOAD, DATA, STATS, STATS_CLEAR, JSON\n"
		"  -v, --version                Display the version number\n"
		"  -h, --help                   Display this help message\n",
		prog);
}

static void
version(void)
{
	fprintf(stderr, "Keepalived v2.2.7 compatible (Vigil %s)\n\n"
		"Vigil: a keepalived-compatible high-availability daemon.\n\n"
		"Build options: VRRP VRRP_AUTH%s%s\n",
		PACKAGE_VERSION,
#ifdef ENABLE_PROXY
		" PROXY",
#else
		"",
#endif
#ifdef HAVE_LIBCURL
		" SMTP_TLS"
#else
		""
#endif
		);
}

static int
signum(const char *name)
{
	static const struct { const char *n; int sig; } map[] = {
		{ "STOP", SIGTERM }, { "RELOAD", SIGHUP }, { "DATA", SIGUSR1 },
		{ "STATS", SIGUSR2 },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(name, map[i].n))
			return map[i].sig;
	if (!strcmp(name, "STATS_CLEAR"))
		return SIGRTMAX - 1;
	if (!strcmp(name, "JSON"))
		return SIGRTMIN + 2;
	return -1;
}

enum { OPT_ALL = 256, OPT_SIGNUM, OPT_CONFIG_FD };

/* -S: 0-7 (LOG_LOCALn), local0-local7, user, daemon */
static int
parse_facility(const char *s)
{
	static const int local[] = { LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2, LOG_LOCAL3,
				     LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7 };
	if (s[0] >= '0' && s[0] <= '7' && !s[1])
		return local[s[0] - '0'];
	if (!strncmp(s, "local", 5) && s[5] >= '0' && s[5] <= '7' && !s[6])
		return local[s[5] - '0'];
	if (!strcmp(s, "user"))
		return LOG_USER;
	if (!strcmp(s, "daemon"))
		return LOG_DAEMON;
	fprintf(stderr, "Invalid log facility '%s'\n", s);
	return LOG_DAEMON;
}

static const struct option long_opts[] = {
	{ "use-file", required_argument, NULL, 'f' },
	{ "vrrp", no_argument, NULL, 'P' },
	{ "check", no_argument, NULL, 'C' },
	{ "no_bfd", no_argument, NULL, 'B' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "log-console", no_argument, NULL, 'l' },
	{ "log-detail", no_argument, NULL, 'D' },
	{ "log-facility", required_argument, NULL, 'S' },
	{ "log-file", optional_argument, NULL, 'g' },
	{ "no-syslog", no_argument, NULL, 'G' },
	{ "umask", required_argument, NULL, 'u' },
	{ "release-vips", no_argument, NULL, 'X' },
	{ "dont-release-vrrp", no_argument, NULL, 'V' },
	{ "dont-release-ipvs", no_argument, NULL, 'I' },
	{ "dont-respawn", no_argument, NULL, 'R' },
	{ "dont-fork", no_argument, NULL, 'n' },
	{ "dump-conf", no_argument, NULL, 'd' },
	{ "pid", required_argument, NULL, 'p' },
	{ "vrrp_pid", required_argument, NULL, 'r' },
	{ "checkers_pid", required_argument, NULL, 'c' },
	{ "bfd_pid", required_argument, NULL, 'b' },
	{ "genhash", no_argument, NULL, 'T' },
	{ "address-monitoring", no_argument, NULL, 'a' },
	{ "snmp", no_argument, NULL, 'x' },
	{ "snmp-agent-socket", required_argument, NULL, 'A' },
	{ "namespace", required_argument, NULL, 's' },
	{ "core-dump", no_argument, NULL, 'm' },
	{ "core-dump-pattern", optional_argument, NULL, 'M' },
	{ "all-config", no_argument, NULL, 'e' },
	{ "config-id", required_argument, NULL, 'i' },
	{ "signum", required_argument, NULL, OPT_SIGNUM },
	{ "config-test", optional_argument, NULL, 't' },
	{ "config-fd", required_argument, NULL, OPT_CONFIG_FD },
	{ "version", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Returns -1 to go on, or an exit code. */
static int
parse_args(int argc, char **argv, struct cli *c)
{
	int opt, bad = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":vhlndu:DRS:f:p:i:es:mM::g::Gt::PCr:VXac:ITBb:xA:",
				  long_opts, NULL)) != -1) {
		switch (opt) {
		case 'v': version(); return 0;
		case 'h': usage(stderr, argv[0]); return 0;
		case 'f': c->conf_file = optarg; break;
		case 'i': c->config_id = optarg; break;
		case 'e': c->all_config = true; break;
		case 'd': c->dump_conf = true; break;
		case 'n': c->dont_fork = true; break;
		case 'l': c->log_console = true; break;
		case 'D': c->log_detail++; break;
		case 'p': c->pid_file = optarg; break;
		case 'r': c->vrrp_pid_file = optarg; break;
		case 'c': c->checkers_pid_file = optarg; break;
		case 'b': c->bfd_pid_file = optarg; break;
		case 't':
			c->config_test = true;
			c->test_log = optarg;
			break;
		case 'g':
			fprintf(stderr, "-g requires configure option --enable-log-file\n");
			return 1;
		case OPT_SIGNUM: {
			int s = signum(optarg);
			if (s < 0) {
				fprintf(stderr, "Unknown sigfunc %s\n", optarg);
				return 1;
			}
			printf("%d\n", s);
			return 0;
		}
		case 'G': c->no_syslog = true; break;
		case 'V': c->keep_vips = true; break;
		case 'S': c->facility = parse_facility(optarg); break;
		case 'u': {
			char *end;
			long v = strtol(optarg, &end, 0);
			if (!*optarg || *end || v < 0 || v > 0777)
				fprintf(stderr, "Invalid --umask option %s\n", optarg);
			else	/* keepalived goes on without it */
				c->umask = (int)v;
			break;
		}
		case 'T':
			fprintf(stderr, "genhash (-T, --genhash) is not supported by Vigil: "
				"use curl to read a page's digest\n");
			return 1;
		case 's': case 'A': case 'M': case OPT_CONFIG_FD:
		case 'P': case 'C': case 'B': case OPT_ALL: case 'X':
		case 'I': case 'R': case 'a': case 'x': case 'm':
			break;	/* accepted; acted on by the daemon once it runs */
		case ':':
			if (optopt)
				fprintf(stderr, "Missing parameter for option -%c\n", optopt);
			else
				fprintf(stderr, "Missing parameter for option %s\n",
					argv[optind - 1]);
			bad = 1;
			break;
		default:
			if (optopt)
				fprintf(stderr, "Unknown option -%c\n", optopt);
			else
				fprintf(stderr, "Unknown option %s\n", argv[optind - 1]);
			bad = 1;
			break;
		}
	}
	if (optind < argc) {
		printf("Unexpected argument(s): ");
		for (int i = optind; i < argc; i++)
			printf("%s ", argv[i]);
		printf("\n");
	}
	return bad ? 1 : -1;
}

/* Files Vigil creates (FIFOs, dumps, logs) get 0600 unless said otherwise:
 * -u wins over global_defs umask, whose default is keepalived's 0177. */
static void
apply_umask(const struct cli *c, const struct cf_global *g)
{
	if (c->umask >= 0 && g->umask_set)
		log_info("umask command line option specified, ignoring config option");
	umask((mode_t)(c->umask >= 0 ? (unsigned)c->umask : g->umask));
}

static int
config_test(const struct cli *c)
{
	FILE *out = stderr;
	if (c->test_log) {
		int fd = open(c->test_log, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0644);
		if (fd < 0 || !(out = fdopen(fd, "a"))) {
			fprintf(stderr, "Unable to open config-test log file %s %d - %s\n",
				c->test_log, errno, strerror(errno));
			return 1;
		}
	}
	struct cf_options opts = {
		.config_id = c->config_id,
		.all_config = c->all_config,
		.check_interfaces = true,
		.check_scripts = true,
	};
	struct diag d;
	diag_init(&d);
	struct cf_model *m = cf_load(c->conf_file, &opts, &d);
	diag_print(&d, out);
	if (m && c->dump_conf)
		cf_dump(m, stdout);
	int rc = diag_exit_code(&d);
	/* -e: keepalived fails a missing main file as fatal (4), a missing
	 * include as an include failure (6) */
	struct stat st;
	if (rc == 6 && c->all_config && d.include_failed && stat(c->conf_file, &st) < 0)
		rc = 4;
	model_free(m);
	diag_free(&d);
	if (out != stderr)
		fclose(out);
	return rc;
}

/* Log the configuration's problems the way keepalived's daemon does. */
static void
log_diagnostics(const struct diag *d)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct diag_entry *e = &d->v[i];
		if (e->level == DIAG_NOTE)
			continue;
		if (e->file && e->line)
			log_info("(%s: Line %u) %s", e->file, e->line, e->msg);
		else
			log_info("%s", e->msg);
	}
}

static int
run_daemon(const struct cli *c)
{
	struct log_opts lo = {
		.console = c->log_console, .syslog = !c->no_syslog,
		.detail = c->log_detail, .facility = c->facility,
	};
	log_init(&lo);
	if (!c->dont_fork && daemonize() < 0)
		return 1;
	const char *pid_file = c->pid_file ? c->pid_file : RUNSTATEDIR "/keepalived.pid";
	const char *vrrp_pid_file = c->vrrp_pid_file ? c->vrrp_pid_file : RUNSTATEDIR "/vrrp.pid";
	log_info("Starting Keepalived v2.2.7 (Vigil %s)", PACKAGE_VERSION);
	if (pidfile_running(pid_file)) {
		log_info("daemon is already running");
		return 0;
	}
	/* one process does keepalived's parent and VRRP child work */
	pidfile_write(pid_file, getpid());
	pidfile_write(vrrp_pid_file, getpid());

	struct cf_options opts = {
		.config_id = c->config_id, .all_config = c->all_config,
		.check_interfaces = true, .check_scripts = true,
	};
	struct diag d;
	diag_init(&d);
	log_info("Configuration file %s", c->conf_file);
	struct cf_model *m = cf_load(c->conf_file, &opts, &d);
	log_diagnostics(&d);
	if (m)
		apply_umask(c, &m->global);
	int rc;
	if (d.missing_param)
		rc = 2;
	else if (d.include_failed)
		rc = 6;
	else {
		struct engine_opts eo = { .keep_vips_on_stop = c->keep_vips,
					  .conf_file = c->conf_file, .parse = opts };
		log_info("Startup complete");
		sd_ready();
		rc = engine_run(m, &eo);
	}
	model_free(m);
	diag_free(&d);
	pidfile_remove(vrrp_pid_file);
	pidfile_remove(pid_file);
	log_info("Stopped Keepalived v2.2.7 (Vigil %s)", PACKAGE_VERSION);
	log_close();
	return rc;
}

int
main(int argc, char **argv)
{
	struct cli c = { .conf_file = DEFAULT_CONF, .facility = LOG_DAEMON, .umask = -1 };
	int rc = parse_args(argc, argv, &c);
	if (rc >= 0)
		return rc;
	if (c.config_test)
		return config_test(&c);
	return run_daemon(&c);
}
