/* test_garp.c - the gratuitous ARP frame and the unsolicited NA, byte for
 * byte.  The expected bytes are what keepalived 2.2.7 sent for the same
 * MAC and VIPs (tcpdump -XX on a veth peer; the NA's checksum, which the
 * kernel computes, zeroed). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "garp.h"

static const uint8_t mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t vip4[4] = { 192, 0, 2, 100 };
static const uint8_t vip6[16] = {		/* 2001:db8::100 */
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00,
};

/* 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP, Request who-has 192.0.2.100
 * (ff:ff:ff:ff:ff:ff) tell 192.0.2.100 */
static const uint8_t keepalived_arp[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x06,
	0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
	0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x64,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0x00, 0x02, 0x64,
};

/* ICMP6 neighbor advertisement, tgt is 2001:db8::100, Flags [override],
 * destination link-address option (2): 02:00:00:00:00:01 */
static const uint8_t keepalived_na[32] = {
	0x88, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
};

static void
test_arp_bytes(void **state)
{
	uint8_t buf[64];

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(garp_build_arp(buf, sizeof(buf), mac, vip4), 42);
	assert_memory_equal(buf, keepalived_arp, 42);
	assert_int_equal(buf[42], 0xa5);	/* nothing past the frame */
}

static void
test_arp_fields(void **state)
{
	static const uint8_t mac2[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };
	static const uint8_t ip2[4] = { 198, 51, 100, 7 };
	uint8_t buf[42];

	assert_int_equal(garp_build_arp(buf, sizeof(buf), mac2, ip2), 42);
	assert_memory_equal(buf + 6, mac2, 6);		/* Ethernet source */
	assert_memory_equal(buf + 22, mac2, 6);		/* sender MAC */
	assert_memory_equal(buf + 28, ip2, 4);		/* sender IP */
	assert_memory_equal(buf + 38, ip2, 4);		/* target IP */
}

static void
test_arp_too_small(void **state)
{
	uint8_t buf[42];

	for (size_t len = 0; len < 42; len++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(garp_build_arp(buf, len, mac, vip4), 0);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
}

static void
test_na_bytes(void **state)
{
	uint8_t buf[48];

	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(garp_build_na(buf, sizeof(buf), mac, vip6, 0), 32);
	assert_memory_equal(buf, keepalived_na, 32);
	assert_int_equal(buf[32], 0xa5);
}

/* keepalived adds Router (0x80) when the interface forwards IPv6. */
static void
test_na_router(void **state)
{
	uint8_t buf[32], want[32];

	memcpy(want, keepalived_na, sizeof(want));
	want[4] = 0xa0;
	assert_int_equal(garp_build_na(buf, sizeof(buf), mac, vip6, 1), 32);
	assert_memory_equal(buf, want, 32);
}

static void
test_na_too_small(void **state)
{
	uint8_t buf[32];

	for (size_t len = 0; len < 32; len++) {
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(garp_build_na(buf, len, mac, vip6, 0), 0);
		for (size_t i = 0; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xa5);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_bytes),
		cmocka_unit_test(test_arp_fields),
		cmocka_unit_test(test_arp_too_small),
		cmocka_unit_test(test_na_bytes),
		cmocka_unit_test(test_na_router),
		cmocka_unit_test(test_na_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
