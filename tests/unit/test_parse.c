/* test_parse.c - the typed model: keepalived 2.2.7's defaults, range rules,
 * messages, line numbers and `keepalived -t` exit codes.
 *
 * Every expectation here was checked against keepalived 2.2.7 (`keepalived
 * -t -f FILE` and the `-d` dump, run in a network namespace with eth0..eth2)
 * unless the comment says it is a Vigil extension.
 */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"

/* ---- helpers ------------------------------------------------------------ */

static struct cf_model *
load_with(const char *text, struct diag *d, struct cf_options *o)
{
	diag_init(d);
	struct cf_model *m = cf_load_buffer("t.conf", text, strlen(text), o, d);
	assert_non_null(m);
	return m;
}

static struct cf_model *
load(const char *text, struct diag *d)
{
	struct cf_options o = { .config_id = "main", .have_seed = true,
				.random_seed = 1 };
	return load_with(text, d, &o);
}

static void
unload(struct cf_model *m, struct diag *d)
{
	model_free(m);
	diag_free(d);
}

/*
 * One instance on eth0 with VRID 51 and one VIP; EXTRA goes in at line 4.
 *   1 vrrp_instance VI_1 {
 *   2   interface eth0
 *   3   virtual_router_id 51
 *   4 <EXTRA...>
 *   . virtual_ipaddress { 192.0.2.100 }
 */
static const char *
inst(const char *extra)
{
	static char buf[4096];
	snprintf(buf, sizeof(buf),
		 "vrrp_instance VI_1 {\n"
		 "  interface eth0\n"
		 "  virtual_router_id 51\n"
		 "%s"
		 "  virtual_ipaddress {\n"
		 "    192.0.2.100\n"
		 "  }\n"
		 "}\n", extra);
	return buf;
}

static const struct diag_entry *
find_msg(const struct diag *d, const char *sub)
{
	for (size_t i = 0; i < d->n; i++)
		if (strstr(d->v[i].msg, sub))
			return &d->v[i];
	return NULL;
}

static size_t
count_msg(const struct diag *d, const char *sub)
{
	size_t n = 0;
	for (size_t i = 0; i < d->n; i++)
		n += strstr(d->v[i].msg, sub) != NULL;
	return n;
}

static const struct diag_entry *
need_msg(const struct diag *d, const char *sub)
{
	const struct diag_entry *e = find_msg(d, sub);
	if (!e) {
		diag_print(d, stderr);
		fail_msg("no diagnostic containing \"%s\"", sub);
	}
	return e;
}

/* A diagnostic containing SUB, reported at LINE (0 = no line, as keepalived
 * prints its post-parse checks). */
#define assert_diag_at(d, sub, ln) \
	assert_int_equal(need_msg((d), (sub))->line, (ln))

#define assert_diag(d, sub) ((void)need_msg((d), (sub)))

#define assert_no_diag(d, sub) do { \
	const struct diag_entry *e_ = find_msg((d), (sub)); \
	if (e_) { \
		diag_print((d), stderr); \
		fail_msg("unexpected diagnostic \"%s\"", e_->msg); \
	} \
} while (0)

#define assert_clean(d) do { \
	if ((d)->n && diag_count((d), DIAG_ERROR) + diag_count((d), DIAG_WARNING)) { \
		diag_print((d), stderr); \
		fail_msg("expected no errors or warnings"); \
	} \
	assert_int_equal(diag_exit_code(d), 0); \
} while (0)

static const struct cf_vrrp_instance *
vi1(const struct cf_model *m)
{
	const struct cf_vrrp_instance *vi = model_find_instance(m, "VI_1");
	assert_non_null(vi);
	return vi;
}

static const char *
addr(const struct cf_inaddr *a)
{
	static char buf[64];
	return cf_inaddr_str(a, buf, sizeof(buf));
}

static const struct cf_track_ref *
track(const struct cf_track_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].name, name))
			return &l->v[i];
	fail_msg("no tracker %s", name);
	return NULL;
}

/* ---- instance defaults, state and priority ------------------------------ */

static void
test_instance_defaults(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst(""), &d);
	const struct cf_vrrp_instance *vi = vi1(m);
	assert_int_equal(vi->vrid, 51);
	assert_int_equal(vi->priority, 100);
	assert_int_equal(vi->advert_us, 1000000);
	assert_int_equal(vi->state, CF_STATE_BACKUP);
	assert_int_equal(vi->version, 2);
	assert_int_equal(vi->family, AF_INET);
	assert_false(vi->nopreempt);
	assert_int_equal(vi->preempt_delay_us, 0);
	assert_int_equal(vi->auth_type, CF_AUTH_NONE);
	assert_string_equal(vi->ifname, "eth0");
	assert_int_equal(vi->unicast_ttl, CF_UNSET);
	assert_int_equal(vi->npeers, 0);
	assert_int_equal(vi->vips.n, 1);
	assert_string_equal(addr(&vi->vips.v[0].addr), "192.0.2.100");
	assert_int_equal(vi->vips.v[0].prefix, 32);
	assert_int_equal(vi->vips.v[0].dev[0], '\0');
	assert_int_equal(vi->loc.line, 1);
	assert_int_equal(vi->end.line, 7);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_state_master_without_priority_is_owner(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  state MASTER\n"), &d);
	assert_int_equal(vi1(m)->priority, 255);
	assert_int_equal(vi1(m)->state, CF_STATE_MASTER);
	assert_int_equal(vi1(m)->state_loc.line, 4);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_priority_255_implies_master(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priority 255\n"), &d);
	assert_int_equal(vi1(m)->priority, 255);
	assert_int_equal(vi1(m)->state, CF_STATE_MASTER);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_state_master_with_priority_keeps_it(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priority 150\n  state MASTER\n"), &d);
	assert_int_equal(vi1(m)->priority, 150);
	assert_int_equal(vi1(m)->state, CF_STATE_MASTER);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_state_is_case_sensitive(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  state master\n"), &d);
	assert_int_equal(vi1(m)->state, CF_STATE_BACKUP);
	assert_int_equal(vi1(m)->priority, 100);
	assert_diag_at(&d, "(VI_1) unknown state 'master', defaulting to BACKUP", 4);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
check_bad_priority(const char *value, const char *first)
{
	char extra[64];
	snprintf(extra, sizeof(extra), "  priority %s\n", value);
	struct diag d;
	struct cf_model *m = load(inst(extra), &d);
	assert_int_equal(vi1(m)->priority, 100);
	assert_int_equal(vi1(m)->state, CF_STATE_BACKUP);
	assert_diag_at(&d, first, 4);
	assert_diag_at(&d, "(VI_1) Priority not valid! must be between 1 & 255. Using default 100",
		       4);
	assert_int_equal(diag_count(&d, DIAG_ERROR), 2);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_priority_0_rejected(void **state)
{
	check_bad_priority("0", "number '0' outside range [1, 255]");
}

static void
test_priority_256_rejected(void **state)
{
	check_bad_priority("256", "number '256' outside range [1, 255]");
}

static void
test_priority_300_rejected(void **state)
{
	check_bad_priority("300", "number '300' outside range [1, 255]");
}

static void
test_priority_abc_rejected(void **state)
{
	check_bad_priority("abc", "invalid number 'abc'");
}

/* ---- virtual_router_id --------------------------------------------------- */

static void
check_bad_vrid(const char *value)
{
	char text[512], msg[128];
	snprintf(text, sizeof(text),
		 "vrrp_instance VI_1 {\n"
		 "  interface eth0\n"
		 "  virtual_router_id %s\n"
		 "  virtual_ipaddress {\n"
		 "    192.0.2.100\n"
		 "  }\n"
		 "}\n", value);
	struct diag d;
	struct cf_model *m = load(text, &d);
	assert_int_equal(vi1(m)->vrid, 0);
	snprintf(msg, sizeof(msg), "number '%s' outside range [1, 255]", value);
	assert_diag_at(&d, msg, 3);
	snprintf(msg, sizeof(msg), "(VI_1): VRID '%s' not valid - must be between 1 & 255",
		 value);
	assert_diag_at(&d, msg, 3);
	/* printed after parsing, without a line */
	assert_diag_at(&d, "(VI_1) the virtual router id must be set", 0);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_vrid_0_rejected(void **state)
{
	check_bad_vrid("0");
}

static void
test_vrid_256_rejected(void **state)
{
	check_bad_vrid("256");
}

static void
test_vrid_missing_from_instance(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_instance VI_1 {\n"
				  "  interface eth0\n"
				  "  virtual_ipaddress {\n"
				  "    192.0.2.100\n"
				  "  }\n"
				  "}\n", &d);
	assert_int_equal(vi1(m)->vrid, 0);
	assert_diag(&d, "(VI_1) the virtual router id must be set");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- advert_int ---------------------------------------------------------- */

static void
test_advert_int_0_ignored(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  advert_int 0\n"), &d);
	assert_int_equal(vi1(m)->advert_us, 1000000);
	assert_diag_at(&d, "number '0' outside range [0.010000, 255.000000]", 4);
	assert_diag_at(&d, "(VI_1) Advert interval (0) not valid! Must be > 0 - ignoring", 4);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_advert_int_v2_fraction_rounded(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  advert_int 1.5\n"), &d);
	assert_int_equal(vi1(m)->advert_us, 2000000);
	assert_diag(&d, "(VI_1) VRRPv2 advertisement interval 1.500000s must be an integer. rounding");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_advert_int_v2_half_rounds_up_to_1(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  advert_int 0.5\n"), &d);
	assert_int_equal(vi1(m)->advert_us, 1000000);
	assert_diag(&d, "VRRPv2 advertisement interval 0.500000s must be an integer. rounding");
	unload(m, &d);
}

static void
test_advert_int_v3_rounded_to_10ms(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  version 3\n  advert_int 0.015\n"), &d);
	assert_int_equal(vi1(m)->version, 3);
	assert_int_equal(vi1(m)->advert_us, 20000);
	assert_diag(&d, "(VI_1) VRRPv3 advertisement interval 0.015000s must be in units of 10ms - rounding");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_advert_int_v3_above_40_95_clamped(void **state)
{
	/* keepalived: "(VI_1) VRRPv3 advertisement interval 50.00s is out of
	 * range. Must be less than 40.96s. Setting to 40.95s", rc 5 */
	struct diag d;
	struct cf_model *m = load(inst("  version 3\n  advert_int 50\n"), &d);
	assert_int_equal(vi1(m)->advert_us, 40950000);
	assert_diag(&d, "VRRPv3 advertisement interval 50.00s is out of range. Must be less than 40.96s. Setting to 40.95s");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_global_vrrp_version_3_applies(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n  vrrp_version 3\n}\n"
				  "vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 51\n  virtual_ipaddress {\n"
				  "    192.0.2.100\n  }\n}\n", &d);
	assert_int_equal(m->global.vrrp_version, 3);
	assert_int_equal(vi1(m)->version, 3);
	assert_int_equal(vi1(m)->advert_us, 1000000);
	assert_clean(&d);
	unload(m, &d);
}

/* ---- authentication, preemption ------------------------------------------ */

static void
test_auth_pass_truncated_to_8(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  authentication {\n"
				       "    auth_type PASS\n"
				       "    auth_pass 0123456789abc\n"
				       "  }\n"), &d);
	assert_int_equal(vi1(m)->auth_type, CF_AUTH_PASS);
	assert_string_equal(vi1(m)->auth_pass, "01234567");
	assert_diag_at(&d, "Truncating auth_pass to 8 characters", 6);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_auth_pass_short_kept(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  authentication {\n"
				       "    auth_type PASS\n"
				       "    auth_pass s3cret\n"
				       "  }\n"), &d);
	assert_int_equal(vi1(m)->auth_type, CF_AUTH_PASS);
	assert_string_equal(vi1(m)->auth_pass, "s3cret");
	assert_clean(&d);
	unload(m, &d);
}

static void
test_auth_ignored_for_v3(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  version 3\n"
				       "  authentication {\n"
				       "    auth_type PASS\n"
				       "    auth_pass secret\n"
				       "  }\n"), &d);
	assert_int_equal(vi1(m)->version, 3);
	assert_int_equal(vi1(m)->auth_type, CF_AUTH_NONE);
	assert_diag_at(&d, "(VI_1) VRRP version 3 does not support authentication. Ignoring.", 0);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_nopreempt_kept_for_backup(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priority 150\n  nopreempt\n"), &d);
	assert_true(vi1(m)->nopreempt);
	assert_int_equal(vi1(m)->nopreempt_loc.line, 5);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_nopreempt_cleared_by_state_master(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  state MASTER\n  priority 150\n  nopreempt\n"), &d);
	assert_false(vi1(m)->nopreempt);
	assert_int_equal(vi1(m)->state, CF_STATE_MASTER);
	assert_int_equal(vi1(m)->priority, 150);
	assert_diag(&d, "(VI_1) Warning - nopreempt will not work with initial state MASTER - clearing");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_nopreempt_reset_by_priority_255(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priority 255\n  nopreempt\n"), &d);
	assert_false(vi1(m)->nopreempt);
	assert_int_equal(vi1(m)->state, CF_STATE_MASTER);
	assert_diag(&d, "(VI_1) nopreempt is incompatible with priority 255. resetting nopreempt");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_debug_out_of_range(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  debug 5\n"), &d);
	assert_int_equal(vi1(m)->debug, 0);
	assert_diag_at(&d, "number '5' outside range [0, 4]", 4);
	assert_diag_at(&d, "(VI_1) Debug value '5' not valid; must be between 0-4", 4);
	unload(m, &d);
}

static void
test_unicast_ttl_without_peers_reset(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  unicast_ttl 10\n"), &d);
	assert_int_equal(vi1(m)->unicast_ttl, CF_UNSET);
	/* keepalived reports it at the instance's closing brace */
	assert_diag_at(&d, "(VI_1): Cannot use unicast_ttl without unicast peers - resetting", 8);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_duplicate_instance_skipped(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 51\n  virtual_ipaddress {\n"
				  "    192.0.2.100\n  }\n}\n"
				  "vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 52\n  virtual_ipaddress {\n"
				  "    192.0.2.101\n  }\n}\n", &d);
	assert_int_equal(m->ninstances, 1);
	assert_int_equal(vi1(m)->vrid, 51);
	assert_diag_at(&d, "vrrp instance VI_1 already defined", 8);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- vrrp_script and track_script ---------------------------------------- */

static const char scripts_conf[] =
	"vrrp_script chk_a {\n"			/* 1 */
	"  script \"/bin/true\"\n"
	"}\n"
	"vrrp_script chk_b {\n"			/* 4 */
	"  script \"/bin/true\"\n"
	"  interval 0\n"			/* 6 */
	"  weight 300\n"			/* 7 */
	"}\n"
	"vrrp_script chk_c {\n"			/* 9 */
	"  script \"/bin/true\"\n"
	"  weight 10 reverse\n"			/* 11 */
	"  rise 0\n"				/* 12 */
	"  fall 3\n"				/* 13 */
	"}\n"
	"vrrp_instance VI_1 {\n"		/* 15 */
	"  interface eth0\n"
	"  virtual_router_id 51\n"
	"  track_script {\n"			/* 18 */
	"    chk_a\n"				/* 19 */
	"    chk_b weight 254\n"		/* 20 */
	"    chk_c weight 300\n"		/* 21 */
	"  }\n"
	"  virtual_ipaddress {\n"
	"    192.0.2.100\n"
	"  }\n"
	"}\n";

static void
test_vrrp_script_defaults(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_vrrp_script *s = model_find_script(m, "chk_a");
	assert_non_null(s);
	assert_string_equal(s->script.cmd, "/bin/true");
	assert_int_equal(s->script.argc, 1);
	assert_string_equal(s->script.argv[0], "/bin/true");
	assert_null(s->script.argv[1]);
	assert_int_equal(s->interval, 1);
	assert_int_equal(s->timeout, 0);
	assert_int_equal(s->rise, 1);
	assert_int_equal(s->fall, 1);
	assert_int_equal(s->weight, 0);
	assert_false(s->weight_reverse);
	assert_false(s->init_fail);
	assert_true(s->used);
	assert_int_equal(s->loc.line, 1);
	assert_int_equal(s->end.line, 3);
	unload(m, &d);
}

static void
test_vrrp_script_interval_0_becomes_1(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_vrrp_script *s = model_find_script(m, "chk_b");
	assert_non_null(s);
	assert_int_equal(s->interval, 1);
	assert_diag_at(&d, "(chk_b): vrrp script interval must be greater than 0, setting to 1", 6);
	unload(m, &d);
}

static void
test_vrrp_script_weight_300_kept_with_error(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_vrrp_script *s = model_find_script(m, "chk_b");
	assert_non_null(s);
	assert_int_equal(s->weight, 300);
	assert_false(s->weight_reverse);
	assert_diag_at(&d, "number '300' outside range [-253, 253]", 7);
	assert_diag_at(&d, "vrrp_script chk_b weight 300 must be in [-253, 253]", 7);
	unload(m, &d);
}

static void
test_vrrp_script_weight_reverse(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_vrrp_script *s = model_find_script(m, "chk_c");
	assert_non_null(s);
	assert_int_equal(s->weight, 10);
	assert_true(s->weight_reverse);
	assert_int_equal(s->fall, 3);
	unload(m, &d);
}

static void
test_vrrp_script_rise_0_defaults_to_1(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_vrrp_script *s = model_find_script(m, "chk_c");
	assert_non_null(s);
	assert_int_equal(s->rise, 1);
	assert_diag_at(&d, "number '0' outside range [1, 2147483647]", 12);
	/* keepalived's exact wording */
	assert_diag_at(&d, "(chk_c): vrrp script rise value '0' invalid, defaulting to 1", 12);
	unload(m, &d);
}

static void
test_track_script_weight_254_becomes_253(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_track_ref *r = track(&vi1(m)->track_script, "chk_b");
	assert_true(r->has_weight);
	assert_int_equal(r->weight, 253);
	assert_int_equal(r->loc.line, 20);
	assert_diag_at(&d, "(VI_1) weight for chk_b cannot be +/-254. Setting to +/-253", 20);
	unload(m, &d);
}

static void
test_track_script_without_weight_uses_script(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_track_ref *r = track(&vi1(m)->track_script, "chk_a");
	assert_false(r->has_weight);
	assert_int_equal(r->reverse, CF_UNSET);
	assert_int_equal(vi1(m)->track_script.n, 3);
	/* no script checks requested: nothing host-dependent, but rc 5 from
	 * the range errors above */
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_track_script_weight_out_of_range_ignored(void **state)
{
	struct diag d;
	struct cf_model *m = load(scripts_conf, &d);
	const struct cf_track_ref *r = track(&vi1(m)->track_script, "chk_c");
	/* the script's own weight (10 reverse) stays in force */
	assert_false(r->has_weight);
	assert_diag_at(&d, "number '300' outside range [-254, 254]", 21);
	assert_diag_at(&d, "(VI_1) track script chk_c: weight must be between [-253..253] inclusive, ignoring...",
		       21);
	unload(m, &d);
}

static const char track_conf[] =
	"vrrp_script chk_a {\n"			/* 1 */
	"  script \"/bin/true\"\n"
	"  weight 5\n"
	"}\n"
	"vrrp_instance VI_1 {\n"		/* 5 */
	"  interface eth0\n"
	"  virtual_router_id 51\n"
	"  track_script {\n"
	"    chk_a weight -254\n"		/* 9 */
	"  }\n"
	"  track_interface {\n"
	"    eth1 weight 254\n"			/* 12 */
	"    eth2\n"				/* 13 */
	"  }\n"
	"  virtual_ipaddress {\n"
	"    192.0.2.100\n"
	"  }\n"
	"}\n"
	"vrrp_instance VI_2 {\n"		/* 19 */
	"  interface eth0\n"
	"  virtual_router_id 52\n"
	"  track_script {\n"
	"    chk_a weight 20 reverse\n"		/* 23 */
	"    nosuch\n"				/* 24 */
	"  }\n"
	"  virtual_ipaddress {\n"
	"    192.0.2.101\n"
	"  }\n"
	"}\n";

static void
test_track_script_minus_254_and_override(void **state)
{
	struct diag d;
	struct cf_model *m = load(track_conf, &d);
	const struct cf_track_ref *r = track(&vi1(m)->track_script, "chk_a");
	assert_true(r->has_weight);
	assert_int_equal(r->weight, -253);
	assert_diag_at(&d, "(VI_1) weight for chk_a cannot be +/-254. Setting to +/-253", 9);

	const struct cf_vrrp_instance *v2 = model_find_instance(m, "VI_2");
	assert_non_null(v2);
	r = track(&v2->track_script, "chk_a");
	assert_true(r->has_weight);
	assert_int_equal(r->weight, 20);
	assert_int_equal(r->reverse, 1);
	assert_int_equal(model_find_script(m, "chk_a")->weight, 5);
	unload(m, &d);
}

static void
test_track_script_unknown_dropped(void **state)
{
	struct diag d;
	struct cf_model *m = load(track_conf, &d);
	const struct cf_vrrp_instance *v2 = model_find_instance(m, "VI_2");
	assert_non_null(v2);
	assert_int_equal(v2->track_script.n, 1);
	assert_string_equal(v2->track_script.v[0].name, "chk_a");
	assert_diag_at(&d, "(VI_2) track script nosuch not found, ignoring...", 24);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_track_interface(void **state)
{
	struct diag d;
	struct cf_model *m = load(track_conf, &d);
	const struct cf_track_list *l = &vi1(m)->track_if;
	assert_int_equal(l->n, 2);
	const struct cf_track_ref *r = track(l, "eth1");
	assert_true(r->has_weight);
	assert_int_equal(r->weight, 253);
	assert_int_equal(r->loc.line, 12);
	assert_diag_at(&d, "(VI_1) weight for eth1 cannot be +/-254. Setting to +/-253", 12);
	r = track(l, "eth2");
	assert_false(r->has_weight);
	assert_int_equal(r->loc.line, 13);
	unload(m, &d);
}

static void
test_track_interface_weight_out_of_range(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  track_interface {\n"
				       "    eth1 weight 300\n"
				       "  }\n"), &d);
	const struct cf_track_ref *r = track(&vi1(m)->track_if, "eth1");
	assert_int_equal(r->weight, 0);
	assert_diag_at(&d, "number '300' outside range [-254, 254]", 5);
	assert_diag_at(&d, "(VI_1) weight 300 for eth1 must be between [-253..253] inclusive. Ignoring...",
		       5);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_vrrp_script_without_script_removed(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_script chk_n {\n"
				  "  interval 2\n"
				  "}\n"
				  "vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 51\n"
				  "  track_script {\n"
				  "    chk_n\n"
				  "  }\n"
				  "  virtual_ipaddress {\n    192.0.2.100\n  }\n}\n", &d);
	assert_null(model_find_script(m, "chk_n"));
	assert_diag_at(&d, "No script set for vrrp_script chk_n - removing", 3);
	assert_diag_at(&d, "(VI_1) track script chk_n not found, ignoring...", 8);
	assert_int_equal(vi1(m)->track_script.n, 0);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- unknown keywords, missing parameters -------------------------------- */

static void
test_unknown_keyword_suggestion_and_column(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priorty 120\n"), &d);
	const struct diag_entry *e = need_msg(&d, "Unknown keyword 'priorty'");
	assert_int_equal(e->line, 4);
	assert_int_equal(e->col, 3);
	assert_int_equal(e->class, DC_UNKNOWN_KEYWORD);
	assert_int_equal(e->level, DIAG_ERROR);
	assert_non_null(strstr(e->msg, "did you mean 'priority'"));
	assert_string_equal(e->file, "t.conf");
	assert_int_equal(vi1(m)->priority, 100);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_unknown_keyword_is_case_sensitive(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  Priority 120\n"), &d);
	assert_diag_at(&d, "Unknown keyword 'Priority'", 4);
	assert_int_equal(vi1(m)->priority, 100);
	unload(m, &d);
}

static void
test_unknown_block_contents_go_to_enclosing_block(void **state)
{
	/* inventory 3.8, verified with keepalived */
	struct diag d;
	struct cf_model *m = load("global_defs {\n"
				  "  foo_block {\n"
				  "    router_id inner\n"
				  "  }\n"
				  "  router_id after\n"
				  "}\n", &d);
	assert_non_null(m->global.router_id);
	assert_string_equal(m->global.router_id, "inner");
	assert_diag_at(&d, "Unknown keyword 'foo_block'", 2);
	assert_diag_at(&d, "Unexpected '{' - ignoring", 2);
	assert_diag_at(&d, "Unknown keyword 'router_id'", 5);
	assert_diag_at(&d, "Unknown keyword '}'", 6);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_missing_parameter_exit_2(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_instance VI_1 {\n"
				  "  interface eth0\n"
				  "  virtual_router_id\n"
				  "  priority 300\n"
				  "  virtual_ipaddress {\n"
				  "    192.0.2.100\n"
				  "  }\n"
				  "}\n", &d);
	assert_true(d.missing_param);
	assert_diag_at(&d, "*** Configuration line starting `virtual_router_id` is missing a parameter after keyword `virtual_router_id` at word position 2",
		       3);
	assert_int_equal(diag_exit_code(&d), 2);
	/* keepalived stops at the first missing parameter; Vigil deliberately
	 * goes on so one run lists every problem (doc/parser.md) */
	assert_diag_at(&d, "(VI_1) Priority not valid! must be between 1 & 255. Using default 100", 4);
	unload(m, &d);
}

/* ---- global_defs ----------------------------------------------------------- */

static void
test_global_defaults(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n}\n", &d);
	const struct cf_global *g = &m->global;
	assert_null(g->router_id);
	assert_int_equal(g->nemails, 0);
	assert_null(g->smtp_server);
	assert_int_equal(g->smtp_port, 25);
	assert_int_equal(g->smtp_connect_timeout, 30);
	assert_int_equal(g->smtp_alert, CF_UNSET);
	assert_int_equal(g->vrrp_version, 2);
	assert_int_equal(g->garp.master_delay, 5);
	assert_int_equal(g->garp.master_repeat, 5);
	assert_int_equal(g->garp.master_refresh, 0);
	assert_int_equal(g->garp.master_refresh_repeat, 1);
	assert_int_equal(g->down_timer_adverts, 3);
	assert_string_equal(addr(&g->mcast_group4), "224.0.0.18");
	assert_string_equal(addr(&g->mcast_group6), "ff02::12");
	assert_int_equal(g->umask, 0177);
	assert_int_equal(g->startup_script_timeout, 10);
	assert_int_equal(g->max_auto_priority, 0);
	assert_false(g->strict);
	assert_false(g->enable_script_security);
	assert_null(g->default_interface);
	assert_int_equal(m->child_wait_time, 5);
	assert_clean(&d);
	unload(m, &d);
}

static const char global_conf[] =
	"global_defs {\n"				/* 1 */
	"  router_id r1\n"
	"  notification_email {\n"			/* 3 */
	"    ops@example.com noc@example.com\n"
	"    admin@example.com\n"
	"  }\n"
	"  notification_email_from vrrp@example.com\n"
	"  smtp_server 192.0.2.25 2525\n"		/* 8 */
	"  smtp_connect_timeout 0\n"			/* 9 */
	"  vrrp_garp_master_repeat 0\n"			/* 10 */
	"  vrrp_version 4\n"				/* 11 */
	"  vrrp_garp_master_delay 10\n"			/* 12 */
	"}\n";

static void
test_global_values(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	const struct cf_global *g = &m->global;
	assert_string_equal(g->router_id, "r1");
	assert_string_equal(g->email_from, "vrrp@example.com");
	assert_int_equal(g->garp.master_delay, 10);
	unload(m, &d);
}

static void
test_notification_email_every_word(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	const struct cf_global *g = &m->global;
	assert_int_equal(g->nemails, 3);
	assert_string_equal(g->emails[0], "ops@example.com");
	assert_string_equal(g->emails[1], "noc@example.com");
	assert_string_equal(g->emails[2], "admin@example.com");
	unload(m, &d);
}

static void
test_smtp_server_with_port(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	const struct cf_global *g = &m->global;
	assert_string_equal(g->smtp_server, "192.0.2.25");
	assert_string_equal(addr(&g->smtp_addr), "192.0.2.25");
	assert_int_equal(g->smtp_port, 2525);
	unload(m, &d);
}

static void
test_smtp_server_default_port(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n  smtp_server 2001:db8::25\n}\n", &d);
	assert_string_equal(m->global.smtp_server, "2001:db8::25");
	assert_int_equal(m->global.smtp_addr.family, AF_INET6);
	assert_int_equal(m->global.smtp_port, 25);
	assert_int_equal(m->global.smtp_connect_timeout, 30);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_rlimit_rttime(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n  vrrp_rt_priority 10\n"
				  "  vrrp_rlimit_rtime 5000\n}\n", &d);
	assert_int_equal(m->global.vrrp_rt_priority, 10);
	assert_int_equal(m->global.vrrp_rlimit_rttime_us, 5000);
	assert_clean(&d);
	unload(m, &d);
	/* keepalived: the number's own error, then "Invalid vrrp real-time
	 * limit - 0"; the default stays */
	m = load("global_defs {\n  vrrp_rlimit_rttime 0\n  checker_rlimit_rttime x\n}\n", &d);
	assert_int_equal(m->global.vrrp_rlimit_rttime_us, 10000);
	assert_int_equal(diag_count(&d, DIAG_ERROR), 4);
	unload(m, &d);
}

static void
test_smtp_connect_timeout_0_becomes_1(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	assert_int_equal(m->global.smtp_connect_timeout, 1);
	/* the typo is keepalived's */
	assert_diag_at(&d, "smtp_conect_timeout must be greater than 0, setting to 1", 9);
	unload(m, &d);
}

static void
test_garp_master_repeat_0_becomes_1(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	assert_int_equal(m->global.garp.master_repeat, 1);
	assert_diag_at(&d, "vrrp_garp_master_repeat must be greater than 0, setting to 1", 10);
	unload(m, &d);
}

static void
test_vrrp_version_4_rejected(void **state)
{
	struct diag d;
	struct cf_model *m = load(global_conf, &d);
	assert_int_equal(m->global.vrrp_version, 2);
	assert_diag_at(&d, "number '4' outside range [2, 3]", 11);
	assert_diag_at(&d, "VRRP Error: Version must be either 2 or 3", 11);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_empty_notification_email_and_refresh_repeat(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n"
				  "  smtp_server 192.0.2.25\n"
				  "  notification_email {\n"
				  "  }\n"
				  "  vrrp_garp_master_refresh_repeat 0\n"
				  "}\n", &d);
	assert_int_equal(m->global.nemails, 0);
	assert_diag_at(&d, "Warning - empty notification_email block", 4);
	assert_int_equal(m->global.garp.master_refresh_repeat, 1);
	assert_diag_at(&d, "vrrp_garp_master_refresh_repeat must be greater than 0, setting to 1", 5);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- addresses and unicast ------------------------------------------------- */

static const char vip_conf[] =
	"vrrp_instance VI_1 {\n"						/* 1 */
	"  interface eth0\n"
	"  virtual_router_id 51\n"
	"  virtual_ipaddress {\n"
	"    192.0.2.100/24 dev eth1 brd 192.0.2.255 scope link label eth1:vip\n" /* 5 */
	"    192.0.2.101/33\n"							/* 6 */
	"    192.0.2.300\n"							/* 7 */
	"    2001:db8::100/64\n"						/* 8 */
	"    192.0.2.102 brd + scope host\n"					/* 9 */
	"    192.0.2.103/25\n"							/* 10 */
	"  }\n"
	"  virtual_ipaddress_excluded {\n"
	"    2001:db8::200\n"							/* 13 */
	"  }\n"
	"  unicast_src_ip 192.0.2.10\n"						/* 15 */
	"  unicast_peer {\n"
	"    192.0.2.11\n"							/* 17 */
	"    198.51.100.12 min_ttl 2 max_ttl 10\n"				/* 18 */
	"    2001:db8::5\n"							/* 19 */
	"  }\n"
	"}\n";

static void
test_vip_full_spec(void **state)
{
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	const struct cf_ipaddress_list *l = &vi1(m)->vips;
	assert_int_equal(l->n, 4);
	const struct cf_ipaddress *a = &l->v[0];
	assert_string_equal(addr(&a->addr), "192.0.2.100");
	assert_int_equal(a->prefix, 24);
	assert_string_equal(a->dev, "eth1");
	assert_int_equal(a->brd_mode, CF_BRD_ADDR);
	assert_string_equal(addr(&a->brd), "192.0.2.255");
	assert_int_equal(a->scope, 253);
	assert_string_equal(a->label, "eth1:vip");
	assert_int_equal(a->loc.line, 5);
	assert_string_equal(addr(&l->v[3].addr), "192.0.2.103");
	assert_int_equal(l->v[3].prefix, 25);
	assert_int_equal(l->v[3].scope, CF_UNSET);
	unload(m, &d);
}

static void
test_vip_prefix_33_uses_32(void **state)
{
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	const struct cf_ipaddress *a = &vi1(m)->vips.v[1];
	assert_string_equal(addr(&a->addr), "192.0.2.101");
	assert_int_equal(a->prefix, 32);
	assert_diag_at(&d, "number '33' outside range [0, 32]", 6);
	assert_diag_at(&d, "Invalid address prefix len 33 for address 192.0.2.101/33 - using 32", 6);
	unload(m, &d);
}

static void
test_vip_invalid_ip_dropped(void **state)
{
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	for (size_t i = 0; i < vi1(m)->vips.n; i++)
		assert_int_not_equal(vi1(m)->vips.v[i].loc.line, 7);
	assert_diag_at(&d, "VRRP parsed invalid IP 192.0.2.300. skipping IP...", 7);
	unload(m, &d);
}

static void
test_vip_family_mismatch_dropped(void **state)
{
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	const struct cf_vrrp_instance *vi = vi1(m);
	assert_int_equal(vi->family, AF_INET);
	for (size_t i = 0; i < vi->vips.n; i++)
		assert_int_equal(vi->vips.v[i].addr.family, AF_INET);
	/* excluded addresses may mix families */
	assert_int_equal(vi->evips.n, 1);
	assert_string_equal(addr(&vi->evips.v[0].addr), "2001:db8::200");
	assert_int_equal(vi->evips.v[0].prefix, 128);
	assert_diag_at(&d, "address family must match VRRP instance [2001:db8::100", 8);
	/* keepalived prints the address with its prefix */
	assert_diag_at(&d, "(VI_1): address family must match VRRP instance [2001:db8::100/64] - ignoring",
		       8);
	unload(m, &d);
}

static void
test_vip_brd_plus_on_host_prefix(void **state)
{
	/* keepalived: "Address prefix length 32 too long for broadcast"; the
	 * address is kept, scope host, without a broadcast */
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	const struct cf_ipaddress *a = &vi1(m)->vips.v[2];
	assert_string_equal(addr(&a->addr), "192.0.2.102");
	assert_int_equal(a->scope, 254);
	assert_diag_at(&d, "Address prefix length 32 too long for broadcast", 9);
	assert_int_equal(a->brd_mode, CF_BRD_NONE);
	unload(m, &d);
}

static void
test_vip_brd_plus_with_prefix(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  virtual_ipaddress_excluded {\n"
				       "    192.0.2.110/24 brd +\n"
				       "  }\n"), &d);
	const struct cf_vrrp_instance *vi = vi1(m);
	assert_int_equal(vi->evips.n, 1);
	assert_int_equal(vi->evips.v[0].prefix, 24);
	assert_int_equal(vi->evips.v[0].brd_mode, CF_BRD_SET);
	assert_clean(&d);
	unload(m, &d);
}

static void
test_ipv6_instance(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_instance VI_6 {\n"
				  "  interface eth0\n"
				  "  virtual_router_id 61\n"
				  "  virtual_ipaddress {\n"
				  "    2001:db8::1/64\n"
				  "    192.0.2.50\n"
				  "  }\n"
				  "}\n", &d);
	const struct cf_vrrp_instance *vi = model_find_instance(m, "VI_6");
	assert_non_null(vi);
	assert_int_equal(vi->family, AF_INET6);
	assert_int_equal(vi->version, 3);
	assert_int_equal(vi->vips.n, 1);
	assert_string_equal(addr(&vi->vips.v[0].addr), "2001:db8::1");
	assert_int_equal(vi->vips.v[0].prefix, 64);
	assert_diag_at(&d, "(VI_6): address family must match VRRP instance [192.0.2.50] - ignoring", 6);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_unicast_peers(void **state)
{
	struct diag d;
	struct cf_model *m = load(vip_conf, &d);
	const struct cf_vrrp_instance *vi = vi1(m);
	assert_true(vi->unicast_src_set);
	assert_string_equal(addr(&vi->mcast_src), "192.0.2.10");
	assert_int_equal(vi->npeers, 2);
	assert_string_equal(addr(&vi->peers[0].addr), "192.0.2.11");
	assert_int_equal(vi->peers[0].min_ttl, CF_UNSET);
	assert_int_equal(vi->peers[0].max_ttl, CF_UNSET);
	assert_string_equal(addr(&vi->peers[1].addr), "198.51.100.12");
	assert_int_equal(vi->peers[1].min_ttl, 2);
	assert_int_equal(vi->peers[1].max_ttl, 10);
	assert_int_equal(vi->peers[1].loc.line, 18);
	assert_diag_at(&d, "Configuration error: VRRP instance[VI_1] and unicast peer address[2001:db8::5] MUST be of the same family !!! Skipping...",
		       19);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- virtual_server ---------------------------------------------------------- */

static const char vs_conf[] =
	"virtual_server 192.0.2.80 80 {\n"		/* 1 */
	"  lb_algo rr\n"
	"  real_server 198.51.100.1 8080 {\n"		/* 3 */
	"    weight 3\n"
	"    HTTP_GET {\n"				/* 5 */
	"      url {\n"
	"        path /health\n"
	"        status_code 200 301-302 600\n"		/* 8 */
	"      }\n"
	"      connect_timeout 3\n"
	"    }\n"
	"  }\n"
	"  real_server 198.51.100.2 8080 {\n"		/* 13 */
	"    weight -1\n"				/* 14 */
	"    TCP_CHECK {\n"
	"      connect_port 8081\n"
	"    }\n"
	"  }\n"
	"}\n"
	"virtual_server 192.0.2.81 443 {\n"		/* 20 */
	"  protocol TCP\n"
	"  lb_kind DR\n"
	"  delay_loop 0\n"				/* 23 */
	"  real_server 198.51.100.3 443 {\n"
	"  }\n"
	"}\n";

static void
test_virtual_server_defaults(void **state)
{
	struct diag d;
	struct cf_model *m = load(vs_conf, &d);
	assert_int_equal(m->nvs, 2);
	const struct cf_virtual_server *vs = &m->vs[0];
	assert_int_equal(vs->kind, CF_VS_ADDR);
	assert_string_equal(addr(&vs->addr), "192.0.2.80");
	assert_int_equal(vs->port, 80);
	assert_string_equal(vs->lb_algo, "rr");
	assert_int_equal(vs->delay_loop_us, 60000000);
	assert_int_equal(vs->connect_timeout_us, 5000000);
	assert_int_equal(vs->quorum, 1);
	assert_int_equal(vs->weight, 1);
	assert_int_equal(vs->persistence_timeout, 0);
	/* no protocol: UDP, no method: NAT (both with keepalived's messages) */
	assert_int_equal(vs->protocol, CF_PROTO_UDP);
	assert_diag_at(&d, "Virtual server [192.0.2.80]:none:80: no protocol set - defaulting to UDP", 0);
	assert_int_equal(vs->lb_kind, CF_LB_NAT);
	/* the second one had a method: only the scheduler is defaulted */
	assert_int_equal(m->vs[1].protocol, CF_PROTO_TCP);
	assert_int_equal(m->vs[1].lb_kind, CF_LB_DR);
	assert_string_equal(m->vs[1].lb_algo, "wlc");
	assert_diag(&d, "Virtual server [192.0.2.81]:tcp:443: no scheduler set, setting default 'wlc'");
	assert_int_equal(count_msg(&d, "no forwarding method set"), 1);
	assert_int_equal(count_msg(&d, "no protocol set"), 1);
	assert_int_equal(diag_exit_code(&d), 5);
	/* keepalived names the service with the protocol it just defaulted */
	assert_diag(&d, "Virtual server [192.0.2.80]:udp:80: no forwarding method set, setting default NAT");
	unload(m, &d);
}

static void
test_virtual_server_delay_loop_0_ignored(void **state)
{
	struct diag d;
	struct cf_model *m = load(vs_conf, &d);
	assert_int_equal(m->vs[1].delay_loop_us, 60000000);
	assert_diag_at(&d, "virtual server delay loop '0' invalid - ignoring", 23);
	unload(m, &d);
}

static void
test_real_server_weights(void **state)
{
	struct diag d;
	struct cf_model *m = load(vs_conf, &d);
	const struct cf_virtual_server *vs = &m->vs[0];
	assert_int_equal(vs->nrs, 2);
	assert_string_equal(addr(&vs->rs[0].addr), "198.51.100.1");
	assert_int_equal(vs->rs[0].port, 8080);
	assert_int_equal(vs->rs[0].weight, 3);
	assert_int_equal(vs->rs[0].loc.line, 3);
	/* -1 rejected: the default weight stays */
	assert_int_equal(vs->rs[1].weight, 1);
	/* a real server without weight takes the VS weight (default 1) */
	assert_int_equal(m->vs[1].rs[0].weight, 1);
	assert_diag_at(&d, "Real server weight -1 is outside range 0-2147483647", 14);
	assert_diag_at(&d, "negative number '-1'", 14);
	unload(m, &d);
}

static void
test_http_get_checker(void **state)
{
	struct diag d;
	struct cf_model *m = load(vs_conf, &d);
	const struct cf_real_server *rs = &m->vs[0].rs[0];
	assert_int_equal(rs->nchecks, 1);
	const struct cf_checker *c = &rs->checkers[0];
	assert_int_equal(c->type, CF_CHK_HTTP_GET);
	assert_int_equal(c->loc.line, 5);
	assert_int_equal(c->connect_timeout_us, 3000000);
	assert_int_equal(c->nurls, 1);
	assert_string_equal(c->urls[0].path, "/health");
	assert_int_equal(c->urls[0].ncodes, 2);
	assert_int_equal(c->urls[0].codes[0].lo, 200);
	assert_int_equal(c->urls[0].codes[0].hi, 200);
	assert_int_equal(c->urls[0].codes[1].lo, 301);
	assert_int_equal(c->urls[0].codes[1].hi, 302);
	assert_diag_at(&d, "Invalid HTTP_GET status code '600'", 8);
	unload(m, &d);
}

static void
test_tcp_check_connect_port(void **state)
{
	struct diag d;
	struct cf_model *m = load(vs_conf, &d);
	const struct cf_real_server *rs = &m->vs[0].rs[1];
	assert_int_equal(rs->nchecks, 1);
	assert_int_equal(rs->checkers[0].type, CF_CHK_TCP);
	assert_int_equal(rs->checkers[0].connect_port, 8081);
	assert_int_equal(rs->checkers[0].retry, CF_UNSET);
	unload(m, &d);
}

static void
test_lb_kind_proxy_vigil_extension(void **state)
{
	/* Vigil extension (keepalived has no PROXY method): accepted, and a
	 * proxy service defaults to TCP without the UDP message */
	struct diag d;
	struct cf_model *m = load("virtual_server 192.0.2.90 8080 {\n"
				  "  lb_kind PROXY\n"
				  "  real_server 198.51.100.9 80 {\n"
				  "    weight 2\n"
				  "  }\n"
				  "}\n", &d);
	assert_int_equal(m->nvs, 1);
	assert_int_equal(m->vs[0].lb_kind, CF_LB_PROXY);
	assert_int_equal(m->vs[0].protocol, CF_PROTO_TCP);
	assert_int_equal(m->vs[0].rs[0].weight, 2);
	assert_no_diag(&d, "routing method");
	assert_no_diag(&d, "no protocol set");
	assert_clean(&d);
	unload(m, &d);
}

static void
test_lb_kind_unknown_rejected(void **state)
{
	struct diag d;
	struct cf_model *m = load("virtual_server 192.0.2.90 8080 {\n"
				  "  protocol TCP\n"
				  "  lb_kind BOGUS\n"
				  "  real_server 198.51.100.9 80 {\n"
				  "  }\n"
				  "}\n", &d);
	assert_int_equal(m->vs[0].lb_kind, CF_LB_NAT);
	assert_diag_at(&d, "PARSER : unknown [BOGUS] routing method for virtual server.", 3);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

/* ---- sync groups ------------------------------------------------------------- */

static void
test_sync_group_member_checks(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_sync_group G1 {\n"
				  "  group {\n"
				  "    VI_1 VI_X\n"
				  "  }\n"
				  "}\n"
				  "vrrp_sync_group G2 {\n"
				  "  group {\n"
				  "    VI_1\n"
				  "    VI_2\n"
				  "  }\n"
				  "}\n"
				  "vrrp_sync_group G3 {\n"
				  "  group {\n"
				  "    NOPE\n"
				  "  }\n"
				  "}\n"
				  "vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 51\n"
				  "  virtual_ipaddress {\n    192.0.2.100\n  }\n}\n"
				  "vrrp_instance VI_2 {\n  interface eth0\n"
				  "  virtual_router_id 52\n"
				  "  virtual_ipaddress {\n    192.0.2.101\n  }\n}\n", &d);
	assert_int_equal(m->ngroups, 3);
	assert_diag(&d, "Virtual router VI_X specified in sync group G1 doesn't exist - ignoring");
	assert_diag(&d, "Sync group G1 has only 1 virtual router(s) - this probably isn't what you want");
	assert_diag(&d, "Virtual router VI_1 cannot exist in more than one sync group; ignoring G2");
	assert_diag(&d, "Sync group G2 has only 1 virtual router(s) - this probably isn't what you want");
	assert_diag(&d, "Virtual router NOPE specified in sync group G3 doesn't exist - ignoring");
	assert_diag(&d, "Sync group G3, no matching virtual router found in group declaration - removing");
	assert_false(m->groups[0].removed);
	assert_int_equal(m->groups[0].nmembers, 1);
	assert_string_equal(m->groups[0].members[0], "VI_1");
	assert_int_equal(m->groups[1].nmembers, 1);
	assert_string_equal(m->groups[1].members[0], "VI_2");
	assert_true(m->groups[2].removed);
	assert_string_equal(vi1(m)->sync_group, "G1");
	assert_string_equal(model_find_instance(m, "VI_2")->sync_group, "G2");
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_sync_group_two_members_clean(void **state)
{
	struct diag d;
	struct cf_model *m = load("vrrp_sync_group G1 {\n"
				  "  group {\n"
				  "    VI_1\n"
				  "    VI_2\n"
				  "  }\n"
				  "}\n"
				  "vrrp_instance VI_1 {\n  interface eth0\n"
				  "  virtual_router_id 51\n"
				  "  virtual_ipaddress {\n    192.0.2.100\n  }\n}\n"
				  "vrrp_instance VI_2 {\n  interface eth1\n"
				  "  virtual_router_id 52\n"
				  "  virtual_ipaddress {\n    192.0.2.101\n  }\n}\n", &d);
	assert_int_equal(m->groups[0].nmembers, 2);
	assert_int_equal(m->groups[0].loc.line, 1);
	assert_string_equal(model_find_instance(m, "VI_2")->sync_group, "G1");
	assert_clean(&d);
	unload(m, &d);
}

/* ---- exit codes ---------------------------------------------------------------- */

static void
test_exit_code_0_clean(void **state)
{
	struct diag d;
	struct cf_model *m = load(inst("  priority 120\n  advert_int 2\n"), &d);
	assert_int_equal(vi1(m)->priority, 120);
	assert_int_equal(vi1(m)->advert_us, 2000000);
	assert_int_equal(diag_count(&d, DIAG_ERROR), 0);
	assert_int_equal(diag_exit_code(&d), 0);
	unload(m, &d);
}

static void
test_exit_code_4_fatal_interface(void **state)
{
	struct cf_options o = { .config_id = "main", .have_seed = true,
				.check_interfaces = true };
	struct diag d;
	struct cf_model *m = load_with("linkbeat_interfaces {\n"
				       "  vgutnoif0\n"
				       "}\n", &d, &o);
	assert_diag_at(&d, "unknown interface vgutnoif0 specified for linkbeat interface", 2);
	assert_int_equal(diag_exit_code(&d), 4);
	unload(m, &d);
}

static void
test_exit_code_warning_masks_fatal(void **state)
{
	/* keepalived keeps the numerically highest class: an unknown keyword
	 * after a fatal error gives rc 5 */
	struct cf_options o = { .config_id = "main", .have_seed = true,
				.check_interfaces = true };
	struct diag d;
	struct cf_model *m = load_with("linkbeat_interfaces {\n"
				       "  vgutnoif0\n"
				       "}\n"
				       "global_defs {\n"
				       "  bogus_kw\n"
				       "}\n", &d, &o);
	assert_diag_at(&d, "Unknown keyword 'bogus_kw'", 5);
	assert_diag_at(&d, "unknown interface vgutnoif0", 2);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

static void
test_exit_code_6_missing_include_with_all_config(void **state)
{
	const char *text = "include /nonexistent-vgut/x.conf\n";
	struct cf_options o = { .config_id = "main", .have_seed = true };
	struct diag d;
	struct cf_model *m = load_with(text, &d, &o);
	/* without -e: reported, rc 0 */
	assert_diag_at(&d, "Config files missing '/nonexistent-vgut/x.conf'.", 1);
	assert_int_equal(diag_exit_code(&d), 0);
	unload(m, &d);

	o.all_config = true;
	m = load_with(text, &d, &o);
	assert_int_equal(diag_exit_code(&d), 6);
	unload(m, &d);
}

static void
test_exit_code_6_script_security(void **state)
{
	/* only with script checks: /bin/sh exists on every POSIX host */
	struct cf_options o = { .config_id = "main", .have_seed = true,
				.check_scripts = true };
	struct diag d;
	struct cf_model *m = load_with("vrrp_script chk {\n"
				       "  script \"/bin/sh -c true\"\n"
				       "}\n"
				       "vrrp_instance VI_1 {\n  interface eth0\n"
				       "  virtual_router_id 51\n"
				       "  track_script {\n    chk\n  }\n"
				       "  virtual_ipaddress {\n    192.0.2.100\n  }\n}\n",
				       &d, &o);
	const struct cf_vrrp_script *s = model_find_script(m, "chk");
	assert_non_null(s);
	assert_int_equal(s->script.argc, 3);
	assert_string_equal(s->script.argv[2], "true");
	assert_diag(&d, "SECURITY VIOLATION - scripts are being executed but script_security not enabled.");
	assert_int_equal(diag_exit_code(&d), 6);
	unload(m, &d);
}

static void
test_diagnostics_in_order_with_lines(void **state)
{
	struct diag d;
	struct cf_model *m = load("global_defs {\n"		/* 1 */
				  "  vrrp_version 7\n"		/* 2 */
				  "}\n"
				  "\n"
				  "# comment\n"
				  "vrrp_instance VI_1 {\n"	/* 6 */
				  "  interface eth0\n"
				  "  virtual_router_id 51\n"
				  "  priority 999\n"		/* 9 */
				  "  bogus yes\n"			/* 10 */
				  "  virtual_ipaddress {\n"
				  "    192.0.2.1/40\n"		/* 12 */
				  "  }\n"
				  "}\n", &d);
	const unsigned want[] = { 2, 9, 10, 12 };
	const char *what[] = { "VRRP Error: Version", "Priority not valid",
			       "Unknown keyword 'bogus'", "Invalid address prefix len 40" };
	for (size_t i = 0; i < 4; i++) {
		const struct diag_entry *e = need_msg(&d, what[i]);
		assert_int_equal(e->line, want[i]);
		assert_string_equal(e->file, "t.conf");
	}
	/* recorded in file order */
	size_t last = 0;
	for (size_t i = 0; i < 4; i++) {
		size_t k;
		for (k = 0; k < d.n; k++)
			if (strstr(d.v[k].msg, what[i]))
				break;
		assert_true(k >= last);
		last = k;
	}
	assert_int_equal(need_msg(&d, "Unknown keyword 'bogus'")->col, 3);
	assert_int_equal(vi1(m)->priority, 100);
	assert_int_equal(vi1(m)->vips.v[0].prefix, 32);
	assert_int_equal(diag_exit_code(&d), 5);
	unload(m, &d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instance_defaults),
		cmocka_unit_test(test_state_master_without_priority_is_owner),
		cmocka_unit_test(test_priority_255_implies_master),
		cmocka_unit_test(test_state_master_with_priority_keeps_it),
		cmocka_unit_test(test_state_is_case_sensitive),
		cmocka_unit_test(test_priority_0_rejected),
		cmocka_unit_test(test_priority_256_rejected),
		cmocka_unit_test(test_priority_300_rejected),
		cmocka_unit_test(test_priority_abc_rejected),
		cmocka_unit_test(test_vrid_0_rejected),
		cmocka_unit_test(test_vrid_256_rejected),
		cmocka_unit_test(test_vrid_missing_from_instance),
		cmocka_unit_test(test_advert_int_0_ignored),
		cmocka_unit_test(test_advert_int_v2_fraction_rounded),
		cmocka_unit_test(test_advert_int_v2_half_rounds_up_to_1),
		cmocka_unit_test(test_advert_int_v3_rounded_to_10ms),
		cmocka_unit_test(test_advert_int_v3_above_40_95_clamped),
		cmocka_unit_test(test_global_vrrp_version_3_applies),
		cmocka_unit_test(test_auth_pass_truncated_to_8),
		cmocka_unit_test(test_auth_pass_short_kept),
		cmocka_unit_test(test_auth_ignored_for_v3),
		cmocka_unit_test(test_nopreempt_kept_for_backup),
		cmocka_unit_test(test_nopreempt_cleared_by_state_master),
		cmocka_unit_test(test_nopreempt_reset_by_priority_255),
		cmocka_unit_test(test_debug_out_of_range),
		cmocka_unit_test(test_unicast_ttl_without_peers_reset),
		cmocka_unit_test(test_duplicate_instance_skipped),
		cmocka_unit_test(test_vrrp_script_defaults),
		cmocka_unit_test(test_vrrp_script_interval_0_becomes_1),
		cmocka_unit_test(test_vrrp_script_weight_300_kept_with_error),
		cmocka_unit_test(test_vrrp_script_weight_reverse),
		cmocka_unit_test(test_vrrp_script_rise_0_defaults_to_1),
		cmocka_unit_test(test_track_script_weight_254_becomes_253),
		cmocka_unit_test(test_track_script_without_weight_uses_script),
		cmocka_unit_test(test_track_script_weight_out_of_range_ignored),
		cmocka_unit_test(test_track_script_minus_254_and_override),
		cmocka_unit_test(test_track_script_unknown_dropped),
		cmocka_unit_test(test_track_interface),
		cmocka_unit_test(test_track_interface_weight_out_of_range),
		cmocka_unit_test(test_vrrp_script_without_script_removed),
		cmocka_unit_test(test_unknown_keyword_suggestion_and_column),
		cmocka_unit_test(test_unknown_keyword_is_case_sensitive),
		cmocka_unit_test(test_unknown_block_contents_go_to_enclosing_block),
		cmocka_unit_test(test_missing_parameter_exit_2),
		cmocka_unit_test(test_global_defaults),
		cmocka_unit_test(test_global_values),
		cmocka_unit_test(test_rlimit_rttime),
		cmocka_unit_test(test_notification_email_every_word),
		cmocka_unit_test(test_smtp_server_with_port),
		cmocka_unit_test(test_smtp_server_default_port),
		cmocka_unit_test(test_smtp_connect_timeout_0_becomes_1),
		cmocka_unit_test(test_garp_master_repeat_0_becomes_1),
		cmocka_unit_test(test_vrrp_version_4_rejected),
		cmocka_unit_test(test_empty_notification_email_and_refresh_repeat),
		cmocka_unit_test(test_vip_full_spec),
		cmocka_unit_test(test_vip_prefix_33_uses_32),
		cmocka_unit_test(test_vip_invalid_ip_dropped),
		cmocka_unit_test(test_vip_family_mismatch_dropped),
		cmocka_unit_test(test_vip_brd_plus_on_host_prefix),
		cmocka_unit_test(test_vip_brd_plus_with_prefix),
		cmocka_unit_test(test_ipv6_instance),
		cmocka_unit_test(test_unicast_peers),
		cmocka_unit_test(test_virtual_server_defaults),
		cmocka_unit_test(test_virtual_server_delay_loop_0_ignored),
		cmocka_unit_test(test_real_server_weights),
		cmocka_unit_test(test_http_get_checker),
		cmocka_unit_test(test_tcp_check_connect_port),
		cmocka_unit_test(test_lb_kind_proxy_vigil_extension),
		cmocka_unit_test(test_lb_kind_unknown_rejected),
		cmocka_unit_test(test_sync_group_member_checks),
		cmocka_unit_test(test_sync_group_two_members_clean),
		cmocka_unit_test(test_exit_code_0_clean),
		cmocka_unit_test(test_exit_code_4_fatal_interface),
		cmocka_unit_test(test_exit_code_warning_masks_fatal),
		cmocka_unit_test(test_exit_code_6_missing_include_with_all_config),
		cmocka_unit_test(test_exit_code_6_script_security),
		cmocka_unit_test(test_diagnostics_in_order_with_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
