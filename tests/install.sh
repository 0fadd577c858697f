#!/bin/bash
# `make install` as a Debian package build does it (prefix /usr, sysconfdir
# /etc, into a DESTDIR): the daemon as /usr/sbin/keepalived, both man pages,
# and keepalived.service with the installed ExecStart; then `make uninstall`
# takes every file away again.
#
# The pages must render without a groff warning, and the unit must pass
# `systemd-analyze verify` (with its man pages looked up in the DESTDIR);
# those two checks are skipped, with a message, when the tool is missing.
# The unit checks are skipped when configure was given
# --without-systemdsystemunitdir.
#
# usage: tests/install.sh   (from make check; or with top_builddir set)
# Exit: 0 pass, 1 fail.

set -u

builddir=${top_builddir:-.}
builddir=$(cd "$builddir" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vigil-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"
fails=0
unit=

fail() {
	echo "install: FAIL: $*" >&2
	fails=$((fails + 1))
}

# A make of its own: not a sub-make of `make check` (no jobserver, no
# inherited -j or variables), quiet unless it fails.
sub_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		make -C "$builddir" "$@" DESTDIR="$dest" prefix=/usr sysconfdir=/etc \
		>"$tmp/make.log" 2>&1
}

if ! sub_make install; then
	cat "$tmp/make.log" >&2
	echo "install: FAIL: make install DESTDIR=... prefix=/usr sysconfdir=/etc" >&2
	exit 1
fi

# ---- the daemon and the man pages ----
bin="$dest/usr/sbin/keepalived"
[ -x "$bin" ] || fail "usr/sbin/keepalived missing or not executable"
if [ -x "$bin" ]; then
	"$bin" --version 2>&1 | grep -q '^Keepalived v2.2.7 compatible' ||
		fail "installed keepalived --version does not answer"
fi
man8="$dest/usr/share/man/man8/keepalived.8"
man5="$dest/usr/share/man/man5/keepalived.conf.5"
for page in "$man8" "$man5"; do
	if [ ! -s "$page" ]; then
		fail "${page#"$dest"/} missing"
		continue
	fi
	if command -v groff >/dev/null; then
		warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
		[ -z "$warnings" ] || fail "${page#"$dest"/} renders with warnings: $warnings"
	fi
done
command -v groff >/dev/null || echo "install: groff not found: man pages not rendered" >&2

# ---- the systemd unit ----
units=$(find "$dest" -name keepalived.service)
if ! grep -q '^systemdsystemunitdir = ..*' "$builddir/Makefile"; then
	echo "install: configured --without-systemdsystemunitdir: no unit to check" >&2
	[ -z "$units" ] || fail "a unit was installed anyway: $units"
elif [ "$(echo "$units" | grep -c .)" != 1 ]; then
	fail "expected one installed keepalived.service, found: ${units:-none}"
else
	unit=$units
	grep -qx 'ExecStart=/usr/sbin/keepalived --dont-fork $DAEMON_ARGS' "$unit" ||
		fail "unit's ExecStart is not the installed binary: $(grep ExecStart= "$unit")"
	grep -qx 'ConditionFileNotEmpty=/etc/keepalived/keepalived.conf' "$unit" ||
		fail "unit's config path is not /etc/keepalived/keepalived.conf"
	for line in 'Type=notify' 'EnvironmentFile=-/etc/default/keepalived' \
		    'ExecReload=/bin/kill -HUP $MAINPID' 'PIDFile=/run/keepalived.pid' \
		    'After=network-online.target'; do
		grep -qxF "$line" "$unit" || fail "unit lacks '$line'"
	done
	! grep -q '@[a-z_]*@' "$unit" || fail "unit keeps unsubstituted @variables@"
	if command -v systemd-analyze >/dev/null; then
		# the same unit, pointing at the binary and man pages in DESTDIR
		mkdir -p "$tmp/verify"
		sed "s|^ExecStart=/usr/sbin/|ExecStart=$dest/usr/sbin/|" "$unit" \
			>"$tmp/verify/keepalived.service"
		if ! out=$(MANPATH="$dest/usr/share/man" \
			   systemd-analyze verify "$tmp/verify/keepalived.service" 2>&1); then
			fail "systemd-analyze verify: $out"
		fi
	else
		echo "install: systemd-analyze not found: unit not verified" >&2
	fi
fi

# ---- and away again ----
if ! sub_make uninstall; then
	cat "$tmp/make.log" >&2
	fail "make uninstall"
else
	left=$(find "$dest" -type f -o -type l)
	[ -z "$left" ] || fail "make uninstall left: $left"
fi

if [ "$fails" -gt 0 ]; then
	echo "install: $fails check(s) failed" >&2
	exit 1
fi
echo "install: PASS (binary, keepalived.8, keepalived.conf.5${unit:+, keepalived.service})"
exit 0
