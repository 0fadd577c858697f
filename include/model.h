/* model.h - the typed configuration model: what keepalived.conf says,
 * after parsing, defaults and keepalived's cross-checks.
 *
 * Read-only once loaded.  Every object remembers where it was defined.
 * All strings and arrays live in the model's pool and go with model_free().
 * Unset optional values use the sentinel documented on each field, so the
 * engine can apply keepalived's inheritance (instance -> group -> global).
 */
#ifndef VIGIL_MODEL_H
#define VIGIL_MODEL_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "strpool.h"

#define CF_UNSET (-1)		/* for int fields that inherit */

struct cf_loc {
	const char *file;
	unsigned line;
};

struct cf_inaddr {
	sa_family_t family;	/* AF_UNSPEC when unset */
	uint8_t a[16];		/* network byte order; 4 bytes for AF_INET */
};

/* A command as keepalived runs it: argv split shell-style, plus the user. */
struct cf_script {
	char *cmd;		/* command string as written (quotes removed) */
	char **argv;		/* NULL-terminated */
	int argc;
	char *user;		/* NULL: global script_user */
	char *group;
	struct cf_loc loc;
};

/* Keywords that Vigil parses and keeps but does not act on. */
struct cf_unsupported {
	const char *keyword;
	char **args;
	unsigned nargs;
	struct cf_loc loc;
};

struct cf_unsupported_list {
	struct cf_unsupported *v;
	size_t n;
};

/* ---- addresses, routes, rules ---------------------------------------- */

enum cf_brd {
	CF_BRD_NONE,		/* no broadcast attribute */
	CF_BRD_ADDR,
	CF_BRD_SET,		/* brd + */
	CF_BRD_CLEAR,		/* brd - */
};

struct cf_ipaddress {
	struct cf_inaddr addr;
	uint8_t prefix;
	char dev[IF_NAMESIZE];	/* "" = instance interface / default_interface */
	enum cf_brd brd_mode;
	struct cf_inaddr brd;
	int scope;		/* rt scope number; CF_UNSET = global default */
	char label[IF_NAMESIZE];
	struct cf_inaddr peer;
	uint8_t peer_prefix;
	/* nodad is the "-nodad" keyword: keep DAD on (keepalived turns DAD
	 * off on IPv6 VIPs unless it is given) */
	bool home, nodad, mngtmpaddr, noprefixroute, autojoin, no_track;
	bool use_vmac;
	int64_t preferred_lft;	/* CF_UNSET = kernel default, -2 = forever */
	char *track_group;
	struct cf_loc loc;
};

struct cf_ipaddress_list {
	struct cf_ipaddress *v;
	size_t n;
};

/* Routes and rules keep their words: the engine hands them to netlink
 * builders; the parser checks the keywords and the addresses it knows. */
struct cf_route {
	char **words;
	unsigned nwords;
	struct cf_inaddr dst;
	uint8_t dst_prefix;
	char dev[IF_NAMESIZE];
	bool no_track;
	struct cf_loc loc;
};

struct cf_route_list {
	struct cf_route *v;
	size_t n;
};

/* ---- trackers ---------------------------------------------------------- */

/* A reference from an instance or sync group to a tracked object. */
struct cf_track_ref {
	char *name;
	int weight;		/* valid if has_weight */
	bool has_weight;
	int reverse;		/* CF_UNSET = object's own, 0/1 */
	struct cf_loc loc;
};

struct cf_track_list {
	struct cf_track_ref *v;
	size_t n;
};

struct cf_vrrp_script {
	char *name;
	struct cf_script script;	/* script.cmd == NULL: none set */
	unsigned interval;		/* seconds, default 1 */
	unsigned timeout;		/* seconds; 0 = the interval */
	int weight;			/* default 0 */
	bool weight_reverse;
	int rise, fall;			/* default 1 */
	bool init_fail;
	bool removed;			/* invalid: dropped as keepalived does */
	bool used;			/* referenced by an instance or group */
	struct cf_loc loc, end;
};

struct cf_track_file {
	char *name;
	char *file;
	int weight;			/* default 1 */
	bool weight_reverse;
	bool init_file;
	int init_value;
	bool init_overwrite;
	bool removed;
	struct cf_loc loc, end;
};

enum cf_param_match {
	CF_PARAM_NONE,
	CF_PARAM_EXACT,
	CF_PARAM_INITIAL,
	CF_PARAM_PARTIAL,
};

struct cf_track_process {
	char *name;
	char *process;
	char *params;			/* NULL if none */
	enum cf_param_match param_match;
	bool full_command;
	int weight;
	bool weight_reverse;
	unsigned quorum;		/* default 1 */
	int quorum_max;			/* CF_UNSET = unlimited */
	uint32_t terminate_delay_us, fork_delay_us;
	bool removed;
	struct cf_loc loc, end;
};

/* ---- VRRP ------------------------------------------------------------ */

enum cf_state {
	CF_STATE_UNSET,
	CF_STATE_BACKUP,
	CF_STATE_MASTER,
};

enum cf_auth {
	CF_AUTH_NONE,
	CF_AUTH_PASS,
	CF_AUTH_AH,
};

struct cf_notify {
	struct cf_script *master, *backup, *fault, *stop, *deleted;
	struct cf_script *notify, *master_rx_lower_pri;
	bool deleted_set;		/* notify_deleted without a script */
};

struct cf_unicast_peer {
	struct cf_inaddr addr;
	int min_ttl, max_ttl;		/* CF_UNSET */
	struct cf_loc loc;
};

struct cf_garp {
	int master_delay;		/* seconds; CF_UNSET inherits */
	int master_repeat;
	int master_refresh;
	int master_refresh_repeat;
	int lower_prio_delay;
	int lower_prio_repeat;
	int extra_if;			/* seconds; CF_UNSET */
	bool extra_if_all;
};

struct cf_vrrp_instance {
	char *name;
	struct cf_loc loc;

	enum cf_state state;
	char ifname[IF_NAMESIZE];	/* "" = none */
	struct cf_loc if_loc;
	int vrid;			/* 0 = not set (invalid) */
	int priority;			/* 1..255 */
	bool priority_set;
	struct cf_loc state_loc, nopreempt_loc;
	uint32_t advert_us;		/* microseconds, default 1 s */
	int version;			/* 2 or 3 (after validation) */
	int family;			/* AF_INET/AF_INET6 (after validation) */
	bool native_ipv6;
	bool nopreempt;
	uint32_t preempt_delay_us;

	enum cf_auth auth_type;
	char auth_pass[9];

	struct cf_ipaddress_list vips, evips;
	struct cf_route_list vroutes, vrules;
	bool promote_secondaries;

	struct cf_track_list track_if, track_script, track_file;
	struct cf_track_list track_process, track_bfd;
	bool dont_track_primary;
	struct cf_vs_ref *track_vs;	/* track_virtual_server */
	size_t ntrack_vs;

	struct cf_inaddr mcast_src;	/* mcast_src_ip / unicast_src_ip */
	bool unicast_src_set;
	struct cf_unicast_peer *peers;
	size_t npeers;
	int unicast_ttl;		/* CF_UNSET = 255 */
	bool unicast_fault_no_peer;
	bool check_unicast_src;
	int old_unicast_checksum;	/* CF_UNSET auto, 0 never, 1 yes */
	struct cf_inaddr mcast_dst;
	bool track_src_ip;

	bool use_vmac;
	char vmac_ifname[IF_NAMESIZE];
	bool use_vmac_addr, vmac_xmit_base;

	int accept;			/* CF_UNSET: keepalived's default */
	bool skip_check_adv_addr;
	int strict_mode;		/* CF_UNSET: global vrrp_strict */
	int debug;

	struct cf_notify notify;
	int smtp_alert;			/* CF_UNSET inherits */
	int notify_priority_changes;	/* CF_UNSET inherits */

	struct cf_garp garp;
	int down_timer_adverts;		/* CF_UNSET inherits (3) */
	int lower_prio_no_advert;	/* CF_UNSET inherits */
	int higher_prio_send_advert;
	uint32_t kernel_rx_buf_size;

	char *sync_group;		/* name of the group it belongs to */
	bool removed;			/* dropped during validation */
	struct cf_loc end;		/* closing brace */
	struct cf_unsupported_list unsupported;
};

struct cf_sync_group {
	char *name;
	char **members;
	size_t nmembers;
	bool members_set;
	struct cf_track_list track_if, track_script, track_file;
	struct cf_track_list track_process, track_bfd;
	struct cf_notify notify;
	int smtp_alert;
	int notify_priority_changes;
	bool sync_group_tracking_weight;
	bool removed;
	struct cf_loc loc, end;
};

/* ---- global_defs ------------------------------------------------------ */

struct cf_fifo {
	char *path;
	char *user, *group;
	struct cf_script *script;
};

struct cf_global {
	char *router_id;		/* NULL = host name */
	char **emails;
	size_t nemails;
	char *email_from;
	char *smtp_server;		/* host as written, NULL = no mail */
	struct cf_inaddr smtp_addr;	/* resolved if a literal */
	uint16_t smtp_port;		/* default 25 */
	char *smtp_helo_name;
	unsigned smtp_connect_timeout;	/* default 30 */
	int smtp_alert, smtp_alert_vrrp, smtp_alert_checker;	/* CF_UNSET */
	bool no_email_faults;
	/* Vigil extensions (doc/engine.md), all zero when not configured:
	 * a bounded retry, and STARTTLS/AUTH (mail then goes through libcurl) */
	unsigned smtp_attempts;		/* smtp_retries + 1; 0 = default */
	unsigned smtp_retry_delay;	/* seconds; 0 = default backoff */
	bool smtp_starttls;
	char *smtp_auth_user, *smtp_auth_password;
	char *smtp_tls_ca_file;		/* NULL = libcurl's default CA bundle */
	bool smtp_tls_noverify;		/* smtp_tls_verify off */

	struct cf_script *startup_script, *shutdown_script;
	unsigned startup_script_timeout, shutdown_script_timeout;

	char *default_interface;	/* NULL = eth0 */
	bool dynamic_interfaces;
	struct cf_inaddr mcast_group4, mcast_group6;
	int vrrp_version;		/* 2 */
	struct cf_garp garp;		/* fully defaulted */
	uint32_t garp_interval_us, gna_interval_us;
	bool min_garp;
	int down_timer_adverts;		/* 3 */
	bool lower_prio_no_advert, higher_prio_send_advert;
	bool check_unicast_src, skip_check_adv_addr, strict;
	bool notify_priority_changes;
	bool fifo_write_states_on_reload;
	uint32_t startup_delay_us;
	int vrrp_priority;		/* nice value */
	bool vrrp_priority_set;		/* else Vigil's default for the VRRP thread */
	int vrrp_rt_priority;		/* 0 = not real-time */
	uint32_t vrrp_rlimit_rttime_us;	/* with vrrp_rt_priority; 10000 */
	bool vrrp_no_swap;

	struct cf_fifo notify_fifo, vrrp_notify_fifo, lvs_notify_fifo;

	char *script_user, *script_group;	/* NULL = root */
	bool script_user_set;
	bool enable_script_security;

	int max_auto_priority;		/* 0 off, -1 disabled, 1..99 */
	unsigned umask;			/* 0177 */
	bool umask_set;
	unsigned random_seed;
	bool random_seed_set;
	char *vmac_prefix;
	unsigned proxy_workers;		/* Vigil: proxy threads, 0 = one per core */
	/* Vigil: live status (doc/engine.md); unset: NULL / port 0 */
	char *status_socket;		/* Unix stream socket path, mode 0600 */
	struct cf_inaddr status_addr;	/* status_listen ADDR:PORT */
	uint16_t status_port;
	bool status_control;		/* status_listen ... control: step-down allowed */
	bool log_unknown_vrids;
	char *reload_check_config;	/* NULL = off */
	char *reload_file;
	char *config_save_dir;
	bool data_use_instance;
	unsigned include_check;

	struct cf_unsupported_list unsupported;
};

/* ---- LVS / proxy (virtual_server) ------------------------------------ */

enum cf_checker_type {
	CF_CHK_HTTP_GET,
	CF_CHK_SSL_GET,
	CF_CHK_TCP,
	CF_CHK_SMTP,
	CF_CHK_DNS,
	CF_CHK_MISC,
	CF_CHK_PING,
	CF_CHK_UDP,
	CF_CHK_BFD,
	CF_CHK_FILE,
};

struct cf_status_range {
	uint16_t lo, hi;
};

struct cf_url {
	char *path;
	char *digest;
	struct cf_status_range *codes;
	size_t ncodes;			/* 0 = 200-299 */
	char *virtualhost;
	char *regex;
	bool regex_no_match;
	struct cf_loc loc;
};

struct cf_checker {
	enum cf_checker_type type;
	struct cf_inaddr connect_ip;
	int connect_port;		/* CF_UNSET = real server's */
	struct cf_inaddr bindto;
	int bind_port;
	char bind_if[IF_NAMESIZE];
	uint32_t connect_timeout_us;	/* 0 = inherit */
	int retry;			/* CF_UNSET = checker default */
	uint64_t delay_before_retry_us;	/* 0 = checker default */
	uint64_t warmup_us;
	uint64_t delay_loop_us;
	bool alpha;
	bool log_all_failures;
	/* HTTP_GET / SSL_GET */
	struct cf_url *urls;
	size_t nurls;
	char *virtualhost;
	int http_protocol;		/* 10 = 1.0, 11 = 1.1; 12 = 1.0C */
	bool enable_sni, fast_recovery;
	/* MISC_CHECK */
	struct cf_script *misc;
	uint32_t misc_timeout_s;	/* 0 = delay_loop */
	bool misc_dynamic;
	/* SMTP_CHECK */
	char *helo_name;
	/* DNS_CHECK */
	char *dns_type, *dns_name;
	/* FILE_CHECK */
	bool file_track_set;
	struct cf_loc loc;
	struct cf_unsupported_list unsupported;
};

struct cf_real_server {
	struct cf_inaddr addr;
	uint16_t port;
	int weight;			/* default 1 (or VS weight) */
	bool weight_set;
	int max_fails;			/* proxy: CF_UNSET = the VS's */
	uint32_t fail_timeout_us;	/* proxy: 0 = the VS's */
	struct cf_script *notify_up, *notify_down;
	bool inhibit_on_failure;
	int smtp_alert;
	uint64_t delay_loop_us;
	struct cf_checker *checkers;
	size_t nchecks;
	struct cf_loc loc, end;
	struct cf_unsupported_list unsupported;
};

enum cf_vs_kind {
	CF_VS_ADDR,
	CF_VS_FWMARK,
	CF_VS_GROUP,
};

enum cf_lb_kind {
	CF_LB_UNSET,
	CF_LB_NAT,
	CF_LB_DR,
	CF_LB_TUN,
	CF_LB_PROXY,			/* Vigil extension: built-in proxy */
};

enum cf_proto {
	CF_PROTO_UNSET,
	CF_PROTO_TCP,
	CF_PROTO_UDP,
	CF_PROTO_SCTP,
};

/* The built-in proxy's settings for a virtual_server with lb_kind PROXY
 * (Vigil extensions, named after the nginx directives they replace). */
struct cf_proxy_header {
	char *name, *value;		/* value may hold $host, $remote_addr, ... */
};

struct cf_proxy {
	bool tcp;			/* proxy_mode tcp (default http) */
	struct cf_proxy_header *headers;	/* proxy_set_header, config order */
	size_t nheaders;
	uint32_t connect_timeout_us;	/* proxy_connect_timeout; 0 = the VS's
					 * connect_timeout (5 s) */
	uint32_t read_timeout_us;	/* proxy_read_timeout, 60 s */
	uint32_t send_timeout_us;	/* proxy_send_timeout, 60 s */
	uint32_t client_timeout_us;	/* client_timeout (header/body), 60 s */
	uint32_t keepalive_timeout_us;	/* client keep-alive idle, 75 s */
	unsigned keepalive_requests;	/* per client connection, 1000 */
	unsigned upstream_keepalive;	/* proxy_keepalive: idle pooled
					 * connections per worker, 32 */
	unsigned max_fails;		/* passive failures, 1 (0 = off) */
	uint32_t fail_timeout_us;	/* 10 s */
	unsigned next_upstream_tries;	/* 0 = every real server */
	uint32_t max_header_size;	/* client request head, 32 KiB */
	char *access_log;		/* nginx combined format; NULL = off */
	struct cf_loc loc;		/* first proxy keyword */
};

/* track_virtual_server { ADDR PORT [weight W] }: the proxy's health moves
 * the instance like a track script (Vigil extension). */
struct cf_vs_ref {
	struct cf_inaddr addr;
	uint16_t port;
	int weight;			/* 0: FAULT while unhealthy */
	struct cf_loc loc;
};

struct cf_virtual_server {
	enum cf_vs_kind kind;
	struct cf_inaddr addr;
	uint16_t port;
	uint32_t fwmark;
	char *group;
	char lb_algo[8];		/* "" = wlc default */
	enum cf_lb_kind lb_kind;
	enum cf_proto protocol;
	uint32_t persistence_timeout;
	uint64_t delay_loop_us;		/* default 60 s */
	uint32_t connect_timeout_us;	/* default 5 s */
	int retry;
	uint64_t delay_before_retry_us;
	uint64_t warmup_us;
	bool warmup_set;
	bool ha_suspend, alpha, omega, inhibit_on_failure;
	unsigned quorum, hysteresis;
	struct cf_script *quorum_up, *quorum_down;
	int weight;			/* default RS weight */
	char *virtualhost;
	int smtp_alert;
	bool has_sorry;
	struct cf_inaddr sorry_addr;
	uint16_t sorry_port;
	struct cf_proxy proxy;		/* lb_kind PROXY */
	struct cf_real_server *rs;
	size_t nrs;
	struct cf_loc loc, end;
	struct cf_unsupported_list unsupported;
};

/* ---- the whole model ------------------------------------------------- */

struct cf_model {
	struct strpool pool;
	struct cf_global global;

	struct cf_vrrp_script *scripts;
	size_t nscripts;
	struct cf_track_file *track_files;
	size_t ntrack_files;
	struct cf_track_process *track_procs;
	size_t ntrack_procs;
	struct cf_vrrp_instance *instances;
	size_t ninstances;
	struct cf_sync_group *groups;
	size_t ngroups;
	struct cf_ipaddress_list static_addrs;
	struct cf_route_list static_routes, static_rules;
	struct cf_virtual_server *vs;
	size_t nvs;

	char **bfd_names;		/* bfd_instance names (BFD is not run) */
	size_t nbfd;

	/* top level */
	char *net_namespace;
	char *instance_name;
	bool use_pid_dir;
	unsigned child_wait_time;	/* 5 */
	struct cf_unsupported_list unsupported;
};

struct cf_model *model_new(void);
void model_free(struct cf_model *m);

/* Defaults as keepalived applies them before parsing a block. */
void model_global_defaults(struct cf_global *g);
void model_instance_defaults(struct cf_vrrp_instance *vi);

const struct cf_vrrp_instance *model_find_instance(const struct cf_model *m,
						   const char *name);
const struct cf_vrrp_script *model_find_script(const struct cf_model *m,
					       const char *name);
const struct cf_track_file *model_find_track_file(const struct cf_model *m,
						  const char *name);
const struct cf_track_process *model_find_track_process(const struct cf_model *m,
							const char *name);

/* Bytes of an address of FAMILY: 4, 16, or 0 for anything else. */
size_t cf_family_len(int family);

/* keepalived's form of a script's command, each word quoted: "'arg0'
 * 'arg1' ..." ("" without words).  Malloc'd; NULL if out of memory. */
char *cf_script_cmdline(const struct cf_script *s);

/* Format an address ("192.0.2.1", "2001:db8::1"); BUF of at least 46. */
const char *cf_inaddr_str(const struct cf_inaddr *a, char *buf, size_t len);
bool cf_inaddr_eq(const struct cf_inaddr *x, const struct cf_inaddr *y);

#endif
