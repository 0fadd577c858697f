/* test_reader.c - the meta-syntax: comments, quoting, braces, @, $, ~SEQ. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cf_reader.h"

struct fixture {
	struct strpool pool;
	struct cf_lines lines;
	struct diag d;
};

static struct fixture *
read_text(const char *text, const char *id)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cf_reader_opts o = { .config_id = id ? id : "main", .have_seed = true,
				    .random_seed = 7 };
	strpool_init(&f->pool);
	diag_init(&f->d);
	cf_read_buffer("t.conf", text, strlen(text), &o, &f->pool, &f->lines, &f->d);
	return f;
}

static void
fixture_free(struct fixture *f)
{
	cf_lines_free(&f->lines);
	strpool_free(&f->pool);
	diag_free(&f->d);
	free(f);
}

/* All words of all lines joined as "w w|w w|..." for compact asserts. */
static char *
flat(const struct fixture *f)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; i < f->lines.n; i++) {
		if (i)
			strcat(buf, "|");
		for (unsigned j = 0; j < f->lines.v[i].n; j++) {
			if (j)
				strcat(buf, " ");
			strcat(buf, f->lines.v[i].w[j]);
		}
	}
	return buf;
}

static void
test_comments_anywhere(void **state)
{
	struct fixture *f = read_text("router_id abc#def\nx \\#y z!w\n# all\n! bang\n"
				      "q \"a#b!c\"\n", NULL);
	assert_string_equal(flat(f), "router_id abc|x #y z|q a#b!c");
	fixture_free(f);
}

static void
test_braces_split_and_lines(void **state)
{
	struct fixture *f = read_text("global_defs { router_id x }\n\nvrrp_instance V\n{\n}\n",
				      NULL);
	assert_string_equal(flat(f), "global_defs|{|router_id x|}|vrrp_instance V|{|}");
	assert_int_equal(f->lines.v[2].lineno, 1);
	assert_int_equal(f->lines.v[2].col[0], 15);
	assert_int_equal(f->lines.v[4].lineno, 3);
	assert_int_equal(f->lines.v[6].lineno, 5);
	assert_int_equal(f->lines.open_braces, 0);
	fixture_free(f);
}

static void
test_quotes(void **state)
{
	struct fixture *f = read_text("router_id \"my router\" extra\nid \"curly{brace}\"\n",
				      NULL);
	assert_string_equal(flat(f), "router_id my router extra|id curly{brace}");
	assert_int_equal(f->lines.v[0].n, 3);
	fixture_free(f);
}

static void
test_unterminated_quote_reported(void **state)
{
	struct fixture *f = read_text("router_id \"oops\n", NULL);
	assert_int_equal(f->d.n, 2);
	assert_int_equal(f->d.v[0].line, 1);
	assert_non_null(strstr(f->d.v[0].msg, "Unterminated quote"));
	assert_string_equal(flat(f), "router_id");
	fixture_free(f);
}

static void
test_crlf_and_tabs(void **state)
{
	struct fixture *f = read_text("a\t1\r\n\tb  2 \r\n", NULL);
	assert_string_equal(flat(f), "a 1|b 2");
	fixture_free(f);
}

static void
test_conditionals(void **state)
{
	const char *t = "@main a 1\n@backup b 2\n@^main c 3\n@^backup d 4\n@main\n";
	struct fixture *f = read_text(t, "main");
	assert_string_equal(flat(f), "a 1|d 4");
	fixture_free(f);
	f = read_text(t, "other");
	assert_string_equal(flat(f), "c 3|d 4");
	fixture_free(f);
}

static void
test_definitions(void **state)
{
	struct fixture *f = read_text("$A=alpha\n$C= gamma   \nx $A ${A}-y $A-x $A$A $A,c \"$A\" \"${A}q\"\n"
				      "y $C\n$B =beta\n", NULL);
	assert_string_equal(flat(f),
			    "x alpha alpha-y $A-x $Aalpha alpha,c $A alphaq|y gamma|$B =beta");
	fixture_free(f);
}

static void
test_definitions_late_bound(void **state)
{
	struct fixture *f = read_text("$BASE=10.${SUB}\n$SUB=7\nv ${BASE}.1\n$SUB=9\nv ${BASE}.1\n",
				      NULL);
	assert_string_equal(flat(f), "v 10.7.1|v 10.9.1");
	fixture_free(f);
}

static void
test_undefined_braces_split(void **state)
{
	/* keepalived leaves ${UNDEF} alone, so its braces become block braces */
	struct fixture *f = read_text("v ${UNDEF}\n", NULL);
	assert_string_equal(flat(f), "v $|{|UNDEF|}");
	fixture_free(f);
}

static void
test_multiline_definition(void **state)
{
	const char *t =
		"$INST= \\\n"
		"vrrp_instance VI_${NUM} { \\\n"
		"    virtual_router_id ${NUM} \\\n"
		"    priority 1${NUM}0 \\\n"
		"}\n"
		"$NUM=1\n$INST\n$NUM=2\n$INST\n";
	struct fixture *f = read_text(t, NULL);
	assert_string_equal(flat(f),
			    "vrrp_instance VI_1|{|virtual_router_id 1|priority 110|}|"
			    "vrrp_instance VI_2|{|virtual_router_id 2|priority 120|}");
	fixture_free(f);
}

static void
test_seq_and_lst(void **state)
{
	struct fixture *f = read_text("~SEQ(X, 10, 2, 14) a.${X}\n~SEQ(Y, 3) b.$Y\n"
				      "~SEQx(H, 0x0e, 0x10) h$H\n~LST({P,Q}, {1,2},{3,4}) p${P}${Q}\n"
				      "~SEQ(A, 2) ~SEQ(B, 2) n$A$B\n~LST(V, x, y) l$V\n", NULL);
	assert_string_equal(flat(f),
			    "a.10|a.12|a.14|b.1|b.2|b.3|he|hf|h10|p12|p34|"
			    "n$A1|n$A2|n$A1|n$A2|lx|ly");
	fixture_free(f);
}

static void
test_seq_invalid(void **state)
{
	struct fixture *f = read_text("~SEQ(X, 1, 0, 5) a\n~SEQ(X, 5, 1, 1) b\n", NULL);
	assert_int_equal(f->lines.n, 0);
	assert_int_equal(f->d.n, 2);
	assert_non_null(strstr(f->d.v[0].msg, "Invalid ~SEQ specification"));
	fixture_free(f);
}

static void
test_builtins(void **state)
{
	struct fixture *f = read_text("r ${_RANDOM 5 5} ${_INSTANCE} \"${_HASH}x\" \"${_BANG}\"\n",
				      "node1");
	assert_string_equal(flat(f), "r 5 node1 #x !");
	fixture_free(f);
}

static void
test_no_continuation(void **state)
{
	struct fixture *f = read_text("router_id abc \\\ndef\n", NULL);
	assert_string_equal(flat(f), "router_id abc \\|def");
	fixture_free(f);
}

static void
test_split_command(void **state)
{
	int argc;
	const char *err;
	char **argv = cf_split_command("/bin/echo 'a b' \"c\\td\" e\\ f \\x41\\101", &argc, &err);
	assert_non_null(argv);
	assert_int_equal(argc, 5);
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "c\td");
	assert_string_equal(argv[3], "e f");
	assert_string_equal(argv[4], "AA");
	assert_null(argv[5]);
	free(argv);
	assert_null(cf_split_command("x 'open", &argc, &err));
	assert_non_null(err);
}

static void
test_recursion_is_bounded(void **state)
{
	struct fixture *f = read_text("$A=$A $A\nx $A\n$M= \\\n$M\n$M\n", NULL);
	/* both self-references stop with an error instead of looping */
	assert_int_equal(f->lines.n, 0);
	assert_true(f->d.n >= 2);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comments_anywhere),
		cmocka_unit_test(test_braces_split_and_lines),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_unterminated_quote_reported),
		cmocka_unit_test(test_crlf_and_tabs),
		cmocka_unit_test(test_conditionals),
		cmocka_unit_test(test_definitions),
		cmocka_unit_test(test_definitions_late_bound),
		cmocka_unit_test(test_undefined_braces_split),
		cmocka_unit_test(test_multiline_definition),
		cmocka_unit_test(test_seq_and_lst),
		cmocka_unit_test(test_seq_invalid),
		cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_no_continuation),
		cmocka_unit_test(test_split_command),
		cmocka_unit_test(test_recursion_is_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
