/* test_health.c - the pure parts of the proxy's health checks: keepalived's
 * HTTP_GET request and verdicts (inventory 4.11), the checker parameters'
 * inheritance and defaults, the retry/up/down arithmetic on a fake clock,
 * nginx's passive max_fails/fail_timeout, and a virtual server's health
 * summary. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "check.h"
#include "check_http.h"
#include "conf.h"
#include "proxy.h"

#define SEC 1000000ULL

static struct sockaddr_storage
v4(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *s = (struct sockaddr_in *)&ss;
	s->sin_family = AF_INET;
	s->sin_port = htons(port);
	inet_pton(AF_INET, ip, &s->sin_addr);
	return ss;
}

static struct sockaddr_storage
v6(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	inet_pton(AF_INET6, ip, &s->sin6_addr);
	return ss;
}

/* ---- the request ----------------------------------------------------- */

static void
test_request_default_is_http10_with_address_host(void **state)
{
	char buf[512];
	struct sockaddr_storage dst = v4("192.0.2.201", 80);
	int n = http_check_request(buf, sizeof(buf), "/", NULL, (struct sockaddr *)&dst, 10);
	/* byte for byte what keepalived 2.2.7 sends (strace of a real run) */
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: 192.0.2.201:80\r\n\r\n");
	assert_int_equal(n, (int)strlen(buf));
}

static void
test_request_virtualhost_has_no_port(void **state)
{
	char buf[512];
	struct sockaddr_storage dst = v4("192.0.2.201", 8080);
	http_check_request(buf, sizeof(buf), "/health", "www.example.com",
			   (struct sockaddr *)&dst, 10);
	assert_string_equal(buf, "GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: www.example.com\r\n\r\n");
}

static void
test_request_ipv6_host_in_brackets(void **state)
{
	char buf[512];
	struct sockaddr_storage dst = v6("2001:db8::5", 8000);
	http_check_request(buf, sizeof(buf), "/", NULL, (struct sockaddr *)&dst, 10);
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Host: [2001:db8::5]:8000\r\n\r\n");
}

static void
test_request_protocols(void **state)
{
	char buf[512];
	struct sockaddr_storage dst = v4("192.0.2.201", 80);
	http_check_request(buf, sizeof(buf), "/", "h", (struct sockaddr *)&dst, 11);
	assert_string_equal(buf, "GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\n"
				 "Connection: close\r\nHost: h\r\n\r\n");
	http_check_request(buf, sizeof(buf), "/", "h", (struct sockaddr *)&dst, 12);	/* 1.0C */
	assert_string_equal(buf, "GET / HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\n"
				 "Connection: close\r\nHost: h\r\n\r\n");
}

static void
test_request_too_long(void **state)
{
	char buf[32];
	struct sockaddr_storage dst = v4("192.0.2.201", 80);
	assert_int_equal(http_check_request(buf, sizeof(buf), "/a/long/path/indeed", NULL,
					    (struct sockaddr *)&dst, 10), -1);
}

static void
test_vhost_precedence(void **state)
{
	struct cf_url url = { .path = "/" };
	struct cf_checker chk = { 0 };
	struct cf_virtual_server vs = { 0 };
	assert_null(http_check_vhost(&url, &chk, &vs));
	vs.virtualhost = "vs";
	assert_string_equal(http_check_vhost(&url, &chk, &vs), "vs");
	chk.virtualhost = "chk";
	assert_string_equal(http_check_vhost(&url, &chk, &vs), "chk");
	url.virtualhost = "url";
	assert_string_equal(http_check_vhost(&url, &chk, &vs), "url");
}

/* ---- the response ---------------------------------------------------- */

static enum http_verdict
judge_text(const struct cf_url *url, const pcre2_code *re, const char *text)
{
	struct http_check_resp r;
	http_check_parse(text, strlen(text), &r);
	return http_check_judge(url, re, &r);
}

static void
test_default_codes_are_2xx(void **state)
{
	struct cf_url url = { .path = "/" };
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 200 OK\r\n\r\nhi"), HTTP_OK);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.1 204 No Content\r\n\r\n"), HTTP_OK);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.1 301 Moved\r\n\r\n"), HTTP_BAD_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.1 503 Busy\r\n\r\n"), HTTP_BAD_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.1 199 Odd\r\n\r\n"), HTTP_BAD_STATUS);
}

static void
test_configured_code_ranges(void **state)
{
	struct cf_status_range codes[] = { { 200, 200 }, { 300, 302 } };
	struct cf_url url = { .path = "/", .codes = codes, .ncodes = 2 };
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 200 OK\r\n\r\n"), HTTP_OK_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 302 Found\r\n\r\n"), HTTP_OK_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 204 None\r\n\r\n"), HTTP_BAD_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 303 Other\r\n\r\n"), HTTP_BAD_STATUS);
	assert_true(http_check_status_ok(&url, 301));
	assert_false(http_check_status_ok(&url, 201));
}

static void
test_no_header_end_is_no_data(void **state)
{
	struct cf_url url = { .path = "/" };
	assert_int_equal(judge_text(&url, NULL, ""), HTTP_NO_DATA);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 200 OK\r\nServer: x\r\n"), HTTP_NO_DATA);
	assert_string_equal(http_verdict_reason(HTTP_NO_DATA), "Read, no data received from ");
	assert_string_equal(http_verdict_reason(HTTP_BAD_STATUS), "HTTP status code error to");
}

static void
test_garbage_status_line_fails(void **state)
{
	struct cf_url url = { .path = "/" };
	assert_int_equal(judge_text(&url, NULL, "SSH-2.0-OpenSSH\r\n\r\n"), HTTP_BAD_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 2000 OK\r\n\r\n"), HTTP_BAD_STATUS);
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 20 OK\r\n\r\n"), HTTP_BAD_STATUS);
	/* bare LF line ends are taken too */
	assert_int_equal(judge_text(&url, NULL, "HTTP/1.0 200 OK\n\nbody"), HTTP_OK);
}

static void
test_content_length_completes(void **state)
{
	const char *t = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX: y\r\n\r\nhel";
	struct http_check_resp r;
	assert_true(http_check_parse(t, strlen(t), &r));
	assert_int_equal(r.content_length, 5);
	assert_false(http_check_complete(&r));
	t = "HTTP/1.1 200 OK\r\ncontent-length:5\r\n\r\nhello";
	assert_true(http_check_parse(t, strlen(t), &r));
	assert_true(http_check_complete(&r));
	assert_int_equal(r.body_len, 5);
	assert_memory_equal(r.body, "hello", 5);
	t = "HTTP/1.0 200 OK\r\n\r\nuntil EOF";
	assert_true(http_check_parse(t, strlen(t), &r));
	assert_int_equal(r.content_length, -1);
	assert_false(http_check_complete(&r));
}

static void
test_regex_on_body(void **state)
{
	char err[200];
	pcre2_code *re = http_check_compile("status: (ok|fine)", err, sizeof(err));
	assert_non_null(re);
	struct cf_url url = { .path = "/", .regex = "status: (ok|fine)" };
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\n\r\nstatus: fine\n"),
			 HTTP_OK_REGEX);
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\n\r\nstatus: bad\n"),
			 HTTP_REGEX_FAILED);
	/* the headers are not the body */
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\nX: status: ok\r\n\r\nnope"),
			 HTTP_REGEX_FAILED);
	/* the status is judged first */
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 500 E\r\n\r\nstatus: ok"),
			 HTTP_BAD_STATUS);
	url.regex_no_match = true;
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\n\r\nstatus: bad\n"),
			 HTTP_OK_REGEX);
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\n\r\nstatus: ok\n"),
			 HTTP_REGEX_FAILED);
	/* bytes past Content-Length are not the body */
	url.regex_no_match = false;
	assert_int_equal(judge_text(&url, re, "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n"
					      "xxstatus: ok"), HTTP_REGEX_FAILED);
	pcre2_code_free(re);
	assert_null(http_check_compile("(unclosed", err, sizeof(err)));
	assert_true(strlen(err) > 0);
}

/* ---- parameters -------------------------------------------------------- */

static void
test_params_defaults_per_type(void **state)
{
	struct cf_virtual_server vs = { .delay_loop_us = 60 * SEC, .connect_timeout_us = 5 * SEC,
					.retry = CF_UNSET };
	struct cf_real_server rs = { 0 };
	struct cf_checker c = { .type = CF_CHK_HTTP_GET, .retry = CF_UNSET,
				.connect_port = CF_UNSET };
	struct check_params p;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.retry, 1);
	assert_int_equal(p.delay_before_retry, 3 * SEC);
	assert_int_equal(p.delay_loop, 60 * SEC);
	assert_int_equal(p.warmup, 60 * SEC);	/* = delay_loop */
	assert_int_equal(p.connect_timeout, 5 * SEC);
	c.type = CF_CHK_TCP;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.retry, 1);
	assert_int_equal(p.delay_before_retry, 1 * SEC);
	c.type = CF_CHK_MISC;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.retry, 0);
	assert_int_equal(p.misc_timeout, 60 * SEC);	/* the VS delay_loop */
	c.misc_timeout_s = 7;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.misc_timeout, 7 * SEC);
}

static void
test_params_inheritance(void **state)
{
	struct cf_virtual_server vs = { .delay_loop_us = 10 * SEC, .connect_timeout_us = 2 * SEC,
					.retry = 4, .delay_before_retry_us = 2 * SEC,
					.warmup_us = 0, .warmup_set = true, .alpha = true };
	struct cf_real_server rs = { .delay_loop_us = 6 * SEC };
	struct cf_checker c = { .type = CF_CHK_HTTP_GET, .retry = CF_UNSET };
	struct check_params p;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.delay_loop, 6 * SEC);		/* RS over VS */
	assert_int_equal(p.connect_timeout, 2 * SEC);
	assert_int_equal(p.retry, 4);
	assert_int_equal(p.delay_before_retry, 2 * SEC);
	assert_int_equal(p.warmup, 0);				/* VS warmup 0 */
	assert_true(p.alpha);
	c.delay_loop_us = 1 * SEC;
	c.connect_timeout_us = SEC / 2;
	c.retry = 0;
	c.delay_before_retry_us = SEC / 4;
	c.warmup_us = 3 * SEC;
	check_params_resolve(&vs, &rs, &c, &p);
	assert_int_equal(p.delay_loop, 1 * SEC);		/* the checker's own */
	assert_int_equal(p.connect_timeout, SEC / 2);
	assert_int_equal(p.retry, 0);
	assert_int_equal(p.delay_before_retry, SEC / 4);
	assert_int_equal(p.warmup, 3 * SEC);
	assert_int_equal(p.misc_timeout, 10 * SEC);		/* VS delay_loop */
}

static void
test_first_delay_within_warmup(void **state)
{
	struct check_params p = { .warmup = 5 * SEC };
	for (uint64_t r = 0; r < 100000; r += 997) {
		uint64_t d = check_first_delay(&p, r * 0x9e3779b97f4a7c15ULL);
		assert_true(d <= 5 * SEC);
	}
	p.warmup = 0;
	assert_int_equal(check_first_delay(&p, 12345), 0);
}

/* ---- the retry / up / down arithmetic ------------------------------------ */

/* A fake clock: run a checker's schedule over a list of results. */
struct run {
	struct check_state st;
	struct check_params p;
	uint64_t now;
};

static struct check_outcome
step(struct run *r, bool ok)
{
	struct check_outcome o = check_result(&r->st, &r->p, ok);
	r->now += o.delay;
	return o;
}

static void
test_success_at_start_is_reported_once(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .delay_before_retry = 1 * SEC, .retry = 1 } };
	check_state_init(&r.st, false);
	struct check_outcome o = step(&r, true);
	/* keepalived logs the first success though the server starts up */
	assert_int_equal(o.report, CHECK_UP);
	assert_false(o.changed);
	assert_int_equal(o.delay, 5 * SEC);
	o = step(&r, true);
	assert_int_equal(o.report, CHECK_QUIET);
}

static void
test_failure_is_retried_then_down(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .delay_before_retry = 1 * SEC, .retry = 2 } };
	check_state_init(&r.st, false);
	step(&r, true);
	uint64_t t0 = r.now;
	struct check_outcome o = step(&r, false);
	assert_int_equal(o.report, CHECK_RETRY);
	assert_int_equal(o.delay, 1 * SEC);
	assert_true(r.st.up);
	o = step(&r, false);
	assert_int_equal(o.report, CHECK_RETRY);
	o = step(&r, false);
	assert_int_equal(o.report, CHECK_DOWN);
	assert_true(o.changed);
	assert_true(o.after_retries);
	assert_false(r.st.up);
	/* down after retry * delay_before_retry, then back to delay_loop */
	assert_int_equal(r.now - t0, 2 * SEC + 5 * SEC);
	/* while down, failures are not retried and not reported */
	o = step(&r, false);
	assert_int_equal(o.report, CHECK_QUIET);
	assert_int_equal(o.delay, 5 * SEC);
	assert_false(o.changed);
	/* one success brings it back */
	o = step(&r, true);
	assert_int_equal(o.report, CHECK_UP);
	assert_true(o.changed);
	assert_true(r.st.up);
}

static void
test_success_between_retries_resets(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .delay_before_retry = 1 * SEC, .retry = 1 } };
	check_state_init(&r.st, false);
	step(&r, true);
	assert_int_equal(step(&r, false).report, CHECK_RETRY);
	assert_int_equal(step(&r, true).report, CHECK_QUIET);
	assert_int_equal(r.st.retry_it, 0);
	assert_int_equal(step(&r, false).report, CHECK_RETRY);	/* counts afresh */
	assert_int_equal(step(&r, false).report, CHECK_DOWN);
}

static void
test_retry_zero_goes_down_at_once(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .retry = 0 } };
	check_state_init(&r.st, false);
	struct check_outcome o = step(&r, false);
	assert_int_equal(o.report, CHECK_DOWN);
	assert_false(o.after_retries);	/* "failed." */
	assert_true(o.changed);
}

static void
test_first_failure_is_retried(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .delay_before_retry = 3 * SEC, .retry = 1 } };
	check_state_init(&r.st, false);
	assert_int_equal(step(&r, false).report, CHECK_RETRY);
	struct check_outcome o = step(&r, false);
	assert_int_equal(o.report, CHECK_DOWN);
	assert_true(o.after_retries);
}

static void
test_alpha_starts_down(void **state)
{
	struct run r = { .p = { .delay_loop = 5 * SEC, .delay_before_retry = 1 * SEC, .retry = 1 } };
	check_state_init(&r.st, true);
	assert_false(r.st.up);
	/* the first failure is told at once (nothing to retry: it is down
	 * already), and changes nothing: no "Removing service" */
	struct check_outcome o = step(&r, false);
	assert_int_equal(o.report, CHECK_DOWN);
	assert_false(o.after_retries);
	assert_false(o.changed);
	assert_int_equal(o.delay, 5 * SEC);
	assert_int_equal(step(&r, false).report, CHECK_QUIET);
	o = step(&r, true);
	assert_int_equal(o.report, CHECK_UP);
	assert_true(o.changed);
}

/* ---- passive failures (nginx max_fails / fail_timeout) --------------------- */

static void
rs_setup(struct px_rs *rs, unsigned max_fails, uint64_t fail_timeout)
{
	memset(rs, 0, sizeof(*rs));
	rs->max_fails = max_fails;
	rs->fail_timeout_us = fail_timeout;
	atomic_init(&rs->check_up, true);
	atomic_init(&rs->fails, 0);
	atomic_init(&rs->fail_window, 0);
	atomic_init(&rs->down_until, 0);
}

static void
test_max_fails_takes_it_out_for_fail_timeout(void **state)
{
	struct px_rs rs;
	rs_setup(&rs, 3, 10 * SEC);
	uint64_t t = 100 * SEC;
	px_rs_failed(&rs, t);
	px_rs_failed(&rs, t + 1 * SEC);
	assert_true(px_rs_available(&rs, t + 2 * SEC));
	px_rs_failed(&rs, t + 2 * SEC);		/* 3 within 10 s */
	assert_false(px_rs_available(&rs, t + 2 * SEC));
	assert_false(px_rs_available(&rs, t + 12 * SEC - 1));
	assert_true(px_rs_available(&rs, t + 12 * SEC));
}

static void
test_failures_outside_the_window_do_not_add_up(void **state)
{
	struct px_rs rs;
	rs_setup(&rs, 2, 10 * SEC);
	uint64_t t = 100 * SEC;
	px_rs_failed(&rs, t);
	px_rs_failed(&rs, t + 11 * SEC);	/* a new window: 1 again */
	assert_int_equal(atomic_load(&rs.fails), 1);
	assert_true(px_rs_available(&rs, t + 11 * SEC));
	px_rs_failed(&rs, t + 12 * SEC);
	assert_false(px_rs_available(&rs, t + 12 * SEC));
}

static void
test_success_resets_the_count(void **state)
{
	struct px_rs rs;
	rs_setup(&rs, 2, 10 * SEC);
	uint64_t t = 100 * SEC;
	px_rs_failed(&rs, t);
	px_rs_succeeded(&rs);
	px_rs_failed(&rs, t + 1 * SEC);
	assert_true(px_rs_available(&rs, t + 1 * SEC));
}

static void
test_max_fails_zero_is_off_and_checks_win(void **state)
{
	struct px_rs rs;
	rs_setup(&rs, 0, 10 * SEC);
	for (int i = 0; i < 100; i++)
		px_rs_failed(&rs, 100 * SEC + (uint64_t)i);
	assert_true(px_rs_available(&rs, 100 * SEC + 100));
	atomic_store(&rs.check_up, false);
	assert_false(px_rs_available(&rs, 100 * SEC + 100));
}

/* Real servers back from an outage: the checks passing again is newer news
 * than the connections that failed during it (the demo's step 3 waited the
 * whole fail_timeout for them). */
static void
test_checks_passing_again_forget_passive_failures(void **state)
{
	struct px_rs rs;
	rs_setup(&rs, 1, 10 * SEC);
	uint64_t t = 100 * SEC;
	px_rs_failed(&rs, t);				/* out until t + 10 s */
	px_rs_set_checked(&rs, false);
	assert_false(px_rs_available(&rs, t + 1 * SEC));
	px_rs_set_checked(&rs, true);
	assert_true(px_rs_available(&rs, t + 2 * SEC));
	assert_int_equal(atomic_load(&rs.fails), 0);
	/* a verdict of down forgets nothing */
	px_rs_failed(&rs, t + 3 * SEC);
	px_rs_set_checked(&rs, false);
	px_rs_set_checked(&rs, false);
	atomic_store(&rs.check_up, true);
	assert_false(px_rs_available(&rs, t + 4 * SEC));
}

/* ---- the virtual server's summary ---------------------------------------- */

static void
test_vs_summary(void **state)
{
	struct px_rs rs[2];
	rs_setup(&rs[0], 1, 10 * SEC);
	rs_setup(&rs[1], 1, 10 * SEC);
	struct px_rs sorry;
	rs_setup(&sorry, 1, 10 * SEC);
	atomic_uint_least64_t beat[2];
	uint64_t now = 1000 * SEC;
	atomic_init(&beat[0], now - 1 * SEC);
	atomic_init(&beat[1], now);
	struct px_vs vs = { .rs = rs, .nrs = 2 };
	atomic_init(&vs.listening, 0);
	struct px_shared sh = { .vs = &vs, .nvs = 1, .nworkers = 2, .beat = beat };

	assert_false(check_vs_healthy(&sh, &vs, now));		/* nobody listens */
	atomic_store(&vs.listening, 2);
	assert_true(check_vs_healthy(&sh, &vs, now));
	atomic_store(&rs[0].check_up, false);
	assert_true(check_vs_healthy(&sh, &vs, now));		/* one is enough */
	px_rs_failed(&rs[1], now);				/* passively out */
	assert_false(check_vs_healthy(&sh, &vs, now));
	vs.sorry = &sorry;
	assert_true(check_vs_healthy(&sh, &vs, now));		/* the sorry server */
	atomic_store(&beat[0], now - 3 * SEC);			/* a stuck worker */
	assert_false(check_vs_healthy(&sh, &vs, now));
	atomic_store(&beat[0], now + 5);			/* beat after "now" */
	assert_true(check_vs_healthy(&sh, &vs, now));
	atomic_store(&beat[1], 0);				/* never turned */
	assert_false(check_vs_healthy(&sh, &vs, now));
}

/* ---- building px_shared from a configuration ------------------------------ */

static const char conf_text[] =
	"global_defs {\n  proxy_workers 3\n}\n"
	"virtual_server 192.0.2.6 80 {\n"
	"  lb_kind PROXY\n  protocol TCP\n  max_fails 4\n  fail_timeout 20\n"
	"  sorry_server 192.0.2.9 8080\n"
	"  real_server 192.0.2.201 8000 {\n    weight 3\n    max_fails 2\n"
	"    TCP_CHECK {\n      connect_timeout 1\n    }\n  }\n"
	"  real_server 192.0.2.202 {\n  }\n"
	"}\n"
	"virtual_server 2001:db8::6 443 {\n"
	"  lb_kind PROXY\n  protocol TCP\n"
	"  real_server 2001:db8::201 443 {\n  }\n"
	"}\n"
	"virtual_server 192.0.2.7 80 {\n"
	"  lb_kind NAT\n  protocol TCP\n"
	"  real_server 192.0.2.201 80 {\n  }\n"
	"}\n";

static void
test_shared_build(void **state)
{
	struct cf_options opts = { 0 };
	struct diag d;
	diag_init(&d);
	struct cf_model *m = cf_load_buffer("test.conf", conf_text, strlen(conf_text), &opts, &d);
	assert_non_null(m);
	struct px_shared *sh = px_shared_build(m);
	assert_non_null(sh);
	assert_int_equal(sh->nvs, 2);			/* the NAT one is not proxied */
	assert_int_equal(sh->nworkers, 3);
	assert_true(sh->event_fd >= 0);
	struct px_vs *vs = &sh->vs[0];
	assert_string_equal(vs->name, "[192.0.2.6]:tcp:80");
	assert_int_equal(vs->nrs, 2);
	assert_string_equal(vs->rs[0].name, "[192.0.2.201]:tcp:8000");
	assert_int_equal(vs->rs[0].weight, 3);
	assert_int_equal(vs->rs[0].max_fails, 2);	/* its own */
	assert_int_equal(vs->rs[0].fail_timeout_us, 20 * SEC);	/* the VS's */
	assert_string_equal(vs->rs[1].name, "[192.0.2.202]:tcp:80");	/* VS port */
	assert_int_equal(vs->rs[1].max_fails, 4);
	assert_true(atomic_load(&vs->rs[0].check_up));
	assert_non_null(vs->sorry);
	assert_null(vs->sorry->cf);
	assert_string_equal(vs->sorry->name, "[192.0.2.9]:tcp:8080");
	const struct sockaddr_in *sa = (const struct sockaddr_in *)&vs->rs[0].sa;
	assert_int_equal(sa->sin_family, AF_INET);
	assert_int_equal(ntohs(sa->sin_port), 8000);
	assert_string_equal(sh->vs[1].name, "[2001:db8::6]:tcp:443");
	assert_string_equal(sh->vs[1].rs[0].name, "[2001:db8::201]:tcp:443");
	assert_int_equal(sh->vs[1].rs[0].sa.ss_family, AF_INET6);
	assert_int_equal(sh->vs[1].rs[0].salen, sizeof(struct sockaddr_in6));
	assert_false(atomic_load(&vs->healthy));
	px_shared_free(sh);
	model_free(m);
	diag_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_default_is_http10_with_address_host),
		cmocka_unit_test(test_request_virtualhost_has_no_port),
		cmocka_unit_test(test_request_ipv6_host_in_brackets),
		cmocka_unit_test(test_request_protocols),
		cmocka_unit_test(test_request_too_long),
		cmocka_unit_test(test_vhost_precedence),
		cmocka_unit_test(test_default_codes_are_2xx),
		cmocka_unit_test(test_configured_code_ranges),
		cmocka_unit_test(test_no_header_end_is_no_data),
		cmocka_unit_test(test_garbage_status_line_fails),
		cmocka_unit_test(test_content_length_completes),
		cmocka_unit_test(test_regex_on_body),
		cmocka_unit_test(test_params_defaults_per_type),
		cmocka_unit_test(test_params_inheritance),
		cmocka_unit_test(test_first_delay_within_warmup),
		cmocka_unit_test(test_success_at_start_is_reported_once),
		cmocka_unit_test(test_failure_is_retried_then_down),
		cmocka_unit_test(test_success_between_retries_resets),
		cmocka_unit_test(test_retry_zero_goes_down_at_once),
		cmocka_unit_test(test_first_failure_is_retried),
		cmocka_unit_test(test_alpha_starts_down),
		cmocka_unit_test(test_max_fails_takes_it_out_for_fail_timeout),
		cmocka_unit_test(test_failures_outside_the_window_do_not_add_up),
		cmocka_unit_test(test_success_resets_the_count),
		cmocka_unit_test(test_max_fails_zero_is_off_and_checks_win),
		cmocka_unit_test(test_checks_passing_again_forget_passive_failures),
		cmocka_unit_test(test_vs_summary),
		cmocka_unit_test(test_shared_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
