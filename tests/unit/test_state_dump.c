/* test_state_dump.c - keepalived's dump files and Vigil's live status from
 * a fixed snapshot: golden strings for keepalived.stats (inventory 8.2,
 * exact) and keepalived.json (8.3: keys and order of the verified sample),
 * the status JSON and Prometheus text, and the status request parser. */
#include "config.h"

#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "conf.h"
#include "state_dump.h"

static const char CONF[] =
	"global_defs {\n"
	"    router_id nodeA\n"
	"}\n"
	"vrrp_script chk {\n"
	"    script \"/bin/chk arg\"\n"
	"    weight -60\n"
	"}\n"
	"vrrp_instance VI_1 {\n"
	"    state MASTER\n"
	"    interface eth0\n"
	"    virtual_router_id 51\n"
	"    priority 150\n"
	"    advert_int 1\n"
	"    authentication {\n"
	"        auth_type PASS\n"
	"        auth_pass s3cret\n"
	"    }\n"
	"    track_script {\n"
	"        chk\n"
	"    }\n"
	"    virtual_ipaddress {\n"
	"        192.0.2.200/24\n"
	"    }\n"
	"}\n"
	"vrrp_instance VI_2 {\n"
	"    version 3\n"
	"    state BACKUP\n"
	"    interface eth0\n"
	"    virtual_router_id 52\n"
	"    priority 100\n"
	"    advert_int 0.5\n"
	"    virtual_ipaddress {\n"
	"        192.0.2.201/24\n"
	"    }\n"
	"}\n";

struct fixture {
	struct cf_model *m;
	struct diag d;
	struct sd_instance vi[2];
	struct sd_track track;
	struct sd_script script;
	struct sd_sock sock;
	struct sd_snapshot s;
	struct sd_buf b;
};

static struct cf_inaddr
ip4(const char *s)
{
	struct cf_inaddr a = { .family = AF_INET };
	inet_pton(AF_INET, s, a.a);
	return a;
}

static void
garp_defaults(struct sd_instance *v)
{
	v->garp = (struct cf_garp){ .master_delay = 5, .master_repeat = 5,
				    .master_refresh = 0, .master_refresh_repeat = 1,
				    .lower_prio_delay = 5, .lower_prio_repeat = 5,
				    .extra_if = CF_UNSET };
	v->down_timer_adverts = 3;
	v->accept = true;
	v->fd = 11;
}

/* VI_1: MASTER 150 with a track script and errors of every kind */
static void
fill_master(struct fixture *f)
{
	struct sd_instance *v = &f->vi[0];
	v->cf = model_find_instance(f->m, "VI_1");
	v->state = VRRP_STATE_MASTER;
	v->base_priority = v->effective_priority = 150;
	v->src = ip4("192.0.2.11");
	v->advert_us = v->master_adver_us = 1000000;
	v->master_down_us = 3414062;
	v->last_transition_us = 1795754763929173LL;
	v->read_timeout_us = 1795754764929173LL;
	garp_defaults(v);
	f->track = (struct sd_track){ .name = "chk", .weight = -60, .status = TRACK_GOOD,
				      .cmd = &model_find_script(f->m, "chk")->script };
	v->tracks = &f->track;
	v->ntracks = 1;
	v->c = (struct sd_counters){ .adverts_rcvd = 11, .adverts_sent = 57,
				     .become_master = 2, .release_master = 1, .transitions = 4,
				     .pri_zero_rcvd = 1, .pri_zero_sent = 2,
				     .invalid_authtype = 1 };
	v->c.drops[VRRP_PKT_TOO_SHORT] = 1;
	v->c.drops[VRRP_PKT_LENGTH] = 1;
	v->c.drops[VRRP_PKT_TTL] = 3;
	v->c.drops[VRRP_PKT_TYPE] = 7;
	v->c.drops[VRRP_PKT_INTERVAL] = 6;
	v->c.drops[VRRP_PKT_ADDR_COUNT] = 2;
	v->c.drops[VRRP_PKT_ADDR_LIST] = 1;
	v->c.drops[VRRP_PKT_AUTH_TYPE] = 4;
	v->c.drops[VRRP_PKT_AUTH] = 5;
	v->c.drops[VRRP_PKT_CHECKSUM] = 9;
}

/* VI_2: v3 BACKUP 100 following a master at 192.0.2.12, stepped down */
static void
fill_backup(struct fixture *f)
{
	struct sd_instance *v = &f->vi[1];
	v->cf = model_find_instance(f->m, "VI_2");
	v->state = VRRP_STATE_BACKUP;
	v->base_priority = v->effective_priority = 100;
	v->master = ip4("192.0.2.12");
	v->master_priority = 200;
	v->src = ip4("192.0.2.11");
	v->advert_us = 500000;
	v->master_adver_us = 1000000;
	v->master_down_us = 3609375;
	v->stepped_down = true;
	v->last_transition_us = 1795754700000001LL;
	garp_defaults(v);
	v->c = (struct sd_counters){ .adverts_rcvd = 40, .transitions = 1 };
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cf_options o = { .config_id = "main" };
	diag_init(&f->d);
	f->m = cf_load_buffer("t.conf", CONF, strlen(CONF), &o, &f->d);
	assert_non_null(f->m);
	fill_master(f);
	fill_backup(f);
	f->script = (struct sd_script){ .cf = model_find_script(f->m, "chk"),
					.status = TRACK_GOOD, .result = 1 };
	f->sock = (struct sd_sock){ .fd = 11, .ifname = "eth0", .family = AF_INET };
	f->s = (struct sd_snapshot){ .m = f->m, .pid = 4242, .router_id = "nodeA",
				     .vi = f->vi, .nvi = 2, .scripts = &f->script,
				     .nscripts = 1, .socks = &f->sock, .nsocks = 1 };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	sd_buf_free(&f->b);
	model_free(f->m);
	diag_free(&f->d);
	free(f);
	return 0;
}

/* ---- keepalived.stats ---- */

static const char STATS_VI_1[] =
	"VRRP Instance: VI_1\n"
	"  Advertisements:\n"
	"    Received: 11\n"
	"    Sent: 57\n"
	"  Became master: 2\n"
	"  Released master: 1\n"
	"  Packet Errors:\n"
	"    Length: 2\n"
	"    TTL: 3\n"
	"    Invalid Type: 7\n"
	"    Advertisement Interval: 6\n"
	"    Address List: 3\n"
	"  Authentication Errors:\n"
	"    Invalid Type: 1\n"
	"    Type Mismatch: 3\n"
	"    Failure: 5\n"
	"  Priority Zero:\n"
	"    Received: 1\n"
	"    Sent: 2\n";

static const char STATS_VI_2[] =
	"VRRP Instance: VI_2\n"
	"  Advertisements:\n"
	"    Received: 40\n"
	"    Sent: 0\n"
	"  Became master: 0\n"
	"  Released master: 0\n"
	"  Packet Errors:\n"
	"    Length: 0\n"
	"    TTL: 0\n"
	"    Invalid Type: 0\n"
	"    Advertisement Interval: 0\n"
	"    Address List: 0\n"
	"  Authentication Errors:\n"
	"    Invalid Type: 0\n"
	"    Type Mismatch: 0\n"
	"    Failure: 0\n"
	"  Priority Zero:\n"
	"    Received: 0\n"
	"    Sent: 0\n";

static void
test_stats_file(void **state)
{
	struct fixture *f = *state;
	sd_format_stats(&f->s, &f->b);
	char want[sizeof(STATS_VI_1) + sizeof(STATS_VI_2)];
	snprintf(want, sizeof(want), "%s%s", STATS_VI_1, STATS_VI_2);
	assert_false(f->b.failed);
	assert_string_equal(f->b.p, want);
}

/* ---- keepalived.json ---- */

static const char JSON_VI_1[] =
	"{\"data\":{\"iname\":\"VI_1\",\"dont_track_primary\":0,\"skip_check_adv_addr\":0,"
	"\"strict_mode\":0,\"vmac_ifname\":\"\",\"ifp_ifname\":\"eth0\",\"master_priority\":0,"
	"\"last_transition\":1795754763.929173,\"garp_delay\":5,\"garp_refresh\":0,"
	"\"garp_rep\":5,\"garp_refresh_rep\":1,\"garp_lower_prio_delay\":5,"
	"\"garp_lower_prio_rep\":5,\"lower_prio_no_advert\":0,\"higher_prio_send_advert\":0,"
	"\"vrid\":51,\"base_priority\":150,\"effective_priority\":150,\"vipset\":true,"
	"\"promote_secondaries\":false,\"adver_int\":1,\"master_adver_int\":1,\"accept\":1,"
	"\"nopreempt\":false,\"preempt_delay\":0,\"state\":2,\"wantstate\":2,\"version\":2,"
	"\"smtp_alert\":false,\"notify_deleted\":false,"
	"\"vips\":[\"192.0.2.200\\/24 dev eth0 scope global set\"],"
	"\"track_script\":[\"'\\/bin\\/chk' 'arg'\"],\"auth_type\":1,\"auth_data\":\"s3cret\"},"
	"\"stats\":{\"advert_rcvd\":11,\"advert_sent\":57,\"become_master\":2,"
	"\"release_master\":1,\"packet_len_err\":2,\"advert_interval_err\":6,\"ip_ttl_err\":3,"
	"\"invalid_type_rcvd\":7,\"addr_list_err\":3,\"invalid_authtype\":1,"
	"\"authtype_mismatch\":3,\"auth_failure\":5,\"pri_zero_rcvd\":1,\"pri_zero_sent\":2}}";

static const char JSON_VI_2[] =
	"{\"data\":{\"iname\":\"VI_2\",\"dont_track_primary\":0,\"skip_check_adv_addr\":0,"
	"\"strict_mode\":0,\"vmac_ifname\":\"\",\"ifp_ifname\":\"eth0\",\"master_priority\":200,"
	"\"last_transition\":1795754700.000001,\"garp_delay\":5,\"garp_refresh\":0,"
	"\"garp_rep\":5,\"garp_refresh_rep\":1,\"garp_lower_prio_delay\":5,"
	"\"garp_lower_prio_rep\":5,\"lower_prio_no_advert\":0,\"higher_prio_send_advert\":0,"
	"\"vrid\":52,\"base_priority\":100,\"effective_priority\":100,\"vipset\":false,"
	"\"promote_secondaries\":false,\"adver_int\":0.5,\"master_adver_int\":1,\"accept\":1,"
	"\"nopreempt\":false,\"preempt_delay\":0,\"state\":1,\"wantstate\":1,\"version\":3,"
	"\"smtp_alert\":false,\"notify_deleted\":false,"
	"\"vips\":[\"192.0.2.201\\/24 dev eth0 scope global\"],\"auth_type\":0},"
	"\"stats\":{\"advert_rcvd\":40,\"advert_sent\":0,\"become_master\":0,"
	"\"release_master\":0,\"packet_len_err\":0,\"advert_interval_err\":0,\"ip_ttl_err\":0,"
	"\"invalid_type_rcvd\":0,\"addr_list_err\":0,\"invalid_authtype\":0,"
	"\"authtype_mismatch\":0,\"auth_failure\":0,\"pri_zero_rcvd\":0,\"pri_zero_sent\":0}}";

static void
test_json_file(void **state)
{
	struct fixture *f = *state;
	sd_format_json(&f->s, &f->b);
	char want[sizeof(JSON_VI_1) + sizeof(JSON_VI_2) + 8];
	snprintf(want, sizeof(want), "[%s,%s]\n", JSON_VI_1, JSON_VI_2);
	assert_string_equal(f->b.p, want);
}

static void
test_json_escapes(void **state)
{
	struct fixture *f = *state;
	sd_json_str(&f->b, "a/b\"c\\d\n\x01");
	assert_string_equal(f->b.p, "\"a\\/b\\\"c\\\\d\\n\\u0001\"");
}

/* ---- keepalived.data ---- */

static void
assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing: %s", needle);
}

static void
test_data_file(void **state)
{
	struct fixture *f = *state;
	setenv("TZ", "UTC", 1);
	tzset();
	sd_format_data(&f->s, &f->b);
	const char *d = f->b.p;
	const char *head = "------< Global definitions >------\n"
			   " Network namespace = (default)\n"
			   " Network namespace ipvs = (main namespace)\n"
			   " Router ID = nodeA\n";
	assert_true(!strncmp(d, head, strlen(head)));
	assert_contains(d, "\n umask = 0177\n------< VRRP Topology >------\n"
			   " VRRP Instance = VI_1\n   VRRP Version = 2\n   State = MASTER\n"
			   "   Flags: none\n   Wantstate = MASTER\n");
	assert_contains(d, "   Last transition = 1795754763.929173 "
			   "(Fri Nov 27 04:46:03.929173 2026)\n"
			   "   Read timeout = 1795754764.929173 (Fri Nov 27 04:46:04.929173 2026)\n"
			   "   Master down timer = 3414062 usecs\n   Interface = eth0\n"
			   "   Using src_ip = 192.0.2.11\n   Multicast address 224.0.0.18\n");
	assert_contains(d, "   Authentication type = SIMPLE_PASSWORD\n   Password = s3cret\n"
			   "   Virtual IP (1):\n     192.0.2.200/24 dev eth0 scope global set\n"
			   "   fd_in 11, fd_out 11\n   Tracked scripts :\n     chk weight -60\n"
			   "   Using smtp notification = no\n   Notify deleted = Fault\n"
			   "   Notify priority changes = false\n");
	/* a v3 backup: the master, its interval, no authentication line */
	assert_contains(d, "   State = BACKUP\n   Master router = 192.0.2.12\n"
			   "   Master priority = 200\n   Master advert int = 1.00 sec\n");
	assert_contains(d, "   Advert interval = 500 milli-sec\n"
			   "   Master advert interval = 1000 milli-sec\n   Accept = enabled\n"
			   "   Preempt = enabled\n   Promote_secondaries = disabled\n"
			   "   Virtual IP (1):\n");
	assert_contains(d, "   Read timeout = DISABLED\n");
	assert_contains(d, "------< VRRP Sockpool >------\n fd_in 11 fd_out = 11\n"
			   "   Interface = eth0\n   Family = IPv4\n   Protocol = VRRP\n"
			   "   Type = Multicast\n   Rx buf size = 0\n   VRRP instances\n"
			   "     VI_1 vrid 51\n     VI_2 vrid 52\n");
	assert_contains(d, "------< VRRP Scripts >------\n VRRP Script = chk\n"
			   "   Command = '/bin/chk' 'arg'\n");
	assert_contains(d, "   Tracking instances :\n     VI_1, weight -60\n   State = idle\n");
}

/* ---- status and metrics ---- */

static void
test_status_json(void **state)
{
	struct fixture *f = *state;
	sd_format_status(&f->s, &f->b);
	const char *head = "{\"pid\":4242,\"router_id\":\"nodeA\",\"instances\":["
			   "{\"name\":\"VI_1\",\"state\":\"MASTER\",\"vrid\":51,"
			   "\"version\":2,\"interface\":\"eth0\","
			   "\"priority\":{\"effective\":150,\"base\":150},"
			   "\"master\":\"192.0.2.11\",\"master_priority\":150,";
	assert_true(!strncmp(f->b.p, head, strlen(head)));
	assert_contains(f->b.p, "\"counters\":{\"adverts_received\":11,\"adverts_sent\":57,"
				"\"became_master\":2,\"released_master\":1,\"transitions\":4,"
				"\"priority_zero_received\":1,\"priority_zero_sent\":2,"
				"\"malformed\":{\"too_short\":1,\"ip_header\":0,\"protocol\":0,"
				"\"ttl\":3,\"version\":0,\"type\":7,\"length\":1,\"checksum\":9,");
	assert_contains(f->b.p, "\"track_scripts\":[{\"name\":\"chk\",\"status\":\"GOOD\","
				"\"weight\":-60}]}");
	assert_contains(f->b.p, "{\"name\":\"VI_2\",\"state\":\"BACKUP\"");
	assert_contains(f->b.p, "\"master\":\"192.0.2.12\",\"master_priority\":200,"
				"\"advert_interval_ms\":500,\"master_advert_interval_ms\":1000,"
				"\"stepped_down\":true,");
	assert_contains(f->b.p, "],\"virtual_servers\":[]}\n");
}

static void
test_metrics(void **state)
{
	struct fixture *f = *state;
	sd_format_metrics(&f->s, &f->b);
	assert_contains(f->b.p, "# TYPE vigil_vrrp_state gauge\n"
				"vigil_vrrp_state{instance=\"VI_1\"} 2\n"
				"vigil_vrrp_state{instance=\"VI_2\"} 1\n");
	assert_contains(f->b.p, "vigil_vrrp_priority{instance=\"VI_1\",kind=\"effective\"} 150\n"
				"vigil_vrrp_priority{instance=\"VI_1\",kind=\"base\"} 150\n");
	assert_contains(f->b.p, "# TYPE vigil_vrrp_adverts_received_total counter\n"
				"vigil_vrrp_adverts_received_total{instance=\"VI_1\"} 11\n");
	assert_contains(f->b.p, "vigil_vrrp_adverts_sent_total{instance=\"VI_1\"} 57\n");
	assert_contains(f->b.p, "vigil_vrrp_malformed_total{instance=\"VI_1\",reason=\"ttl\"} 3\n");
	assert_contains(f->b.p, "vigil_vrrp_transitions_total{instance=\"VI_1\"} 4\n");
	assert_contains(f->b.p, "vigil_vrrp_stepped_down{instance=\"VI_2\"} 1\n");
	assert_contains(f->b.p, "vigil_vrrp_track_script_up{instance=\"VI_1\",script=\"chk\"} 1\n");
	/* every family declared once, before its samples */
	assert_null(strstr(strstr(f->b.p, "# TYPE vigil_vrrp_state ") + 1,
			   "# TYPE vigil_vrrp_state "));
}

/* ---- requests ---- */

static void
check_req(const char *line, enum sd_req_kind kind, bool http, const char *inst)
{
	struct sd_request r;
	sd_parse_request(line, strlen(line), &r);
	if (r.kind != kind || r.http != http || strcmp(r.instance, inst))
		fail_msg("'%s': kind %d http %d instance '%s'", line, r.kind, r.http, r.instance);
}

static void
test_requests(void **state)
{
	check_req("GET /status HTTP/1.1\r", SD_REQ_STATUS, true, "");
	check_req("GET /status?x=1 HTTP/1.0", SD_REQ_STATUS, true, "");
	check_req("GET /metrics HTTP/1.1", SD_REQ_METRICS, true, "");
	check_req("POST /stepdown/VI_1 HTTP/1.1", SD_REQ_STEPDOWN, true, "VI_1");
	check_req("POST /stepup/VI_1 HTTP/1.1", SD_REQ_STEPUP, true, "VI_1");
	check_req("GET /stepdown/VI_1 HTTP/1.1", SD_REQ_METHOD, true, "VI_1");
	check_req("POST /status HTTP/1.1", SD_REQ_METHOD, true, "");
	check_req("GET /nothing HTTP/1.1", SD_REQ_NOT_FOUND, true, "");
	check_req("POST /stepdown/ HTTP/1.1", SD_REQ_NOT_FOUND, true, "");
	check_req("POST /stepdown/a/b HTTP/1.1", SD_REQ_NOT_FOUND, true, "");
	check_req("GET status HTTP/1.1", SD_REQ_BAD, true, "");
	check_req("status", SD_REQ_STATUS, false, "");
	check_req("status\r", SD_REQ_STATUS, false, "");
	check_req("metrics", SD_REQ_METRICS, false, "");
	check_req("stepdown VI_1", SD_REQ_STEPDOWN, false, "VI_1");
	check_req("stepup  VI_1 ", SD_REQ_STEPUP, false, "VI_1");
	check_req("stepdown", SD_REQ_BAD, false, "");
	check_req("stepdown VI_1 VI_2", SD_REQ_BAD, false, "");
	check_req("status now", SD_REQ_NOT_FOUND, false, "");
	check_req("hello", SD_REQ_NOT_FOUND, false, "");
	check_req("", SD_REQ_BAD, false, "");
	char longname[100];
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "stepdown ", 9);
	longname[sizeof(longname) - 1] = '\0';
	check_req(longname, SD_REQ_BAD, false, "");
}

static void
test_frame_reply(void **state)
{
	struct fixture *f = *state;
	struct sd_buf body = { 0 };
	struct sd_request http = { .kind = SD_REQ_STATUS, .http = true };
	struct sd_request plain = { .kind = SD_REQ_STATUS };
	sd_puts(&body, "{}\n");
	sd_frame_reply(&f->b, &http, 200, "application/json", &body);
	assert_string_equal(f->b.p, "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
				    "Content-Length: 3\r\nConnection: close\r\n\r\n{}\n");
	sd_buf_free(&f->b);
	sd_frame_reply(&f->b, &plain, 404, "application/json", &body);
	assert_string_equal(f->b.p, "{}\n");
	sd_buf_free(&body);
}

static void
test_buffer_bound(void **state)
{
	struct sd_buf b = { .max = 8 };
	sd_puts(&b, "12345678");
	assert_false(b.failed);
	sd_puts(&b, "9");
	assert_true(b.failed);
	assert_string_equal(b.p, "12345678");
	sd_buf_free(&b);
}

static void
test_vip_rendering(void **state)
{
	struct fixture *f = *state;
	struct cf_ipaddress a = { .addr = ip4("192.0.2.102"), .prefix = 24,
				  .brd_mode = CF_BRD_SET, .scope = CF_UNSET, .home = true,
				  .nodad = true, .noprefixroute = true };
	sd_format_vip(&f->b, &a, "eth0");
	assert_string_equal(f->b.p, "192.0.2.102/24 brd 192.0.2.255 dev eth0 scope global "
				    "home -nodad noprefixroute");
	sd_buf_free(&f->b);
	struct cf_ipaddress b = { .addr = ip4("192.0.2.101"), .prefix = 32, .scope = 253,
				  .no_track = true, .label = "eth0:v" };
	sd_format_vip(&f->b, &b, "eth1");
	assert_string_equal(f->b.p, "192.0.2.101 dev eth1 scope link label eth0:v no_track");
	sd_buf_free(&f->b);
	struct cf_ipaddress c = { .addr = { .family = AF_INET6 }, .prefix = 64,
				  .scope = CF_UNSET, .preferred_lft = CF_UNSET };
	inet_pton(AF_INET6, "2001:db8::100", c.addr.a);
	sd_format_vip(&f->b, &c, "eth0");
	assert_string_equal(f->b.p, "2001:db8::100/64 dev eth0 scope global preferred_lft forever");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_metrics, setup, teardown),
		cmocka_unit_test(test_requests),
		cmocka_unit_test_setup_teardown(test_frame_reply, setup, teardown),
		cmocka_unit_test(test_buffer_bound),
		cmocka_unit_test_setup_teardown(test_vip_rendering, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
