#!/bin/bash
# Vigil's SMTP extensions against a real SMTP server (aiosmtpd) in a
# throwaway namespace, with a throwaway self-signed certificate:
#   1. smtp_starttls + smtp_auth_* + smtp_tls_ca_file: the MASTER mail
#      arrives over TLS from an authenticated client, and its bytes (but
#      the Date value) are the plain client's;
#   2. a wrong password: nothing delivered, one failure line per attempt
#      (smtp_retries 2: three), one "giving up" line, the daemon still up
#      and still MASTER;
#   3. the plain client, nobody listening at first: the first attempt
#      fails, a server comes up, the retry delivers; its DATA is compared
#      with case 1's content;
#   4. no smtp_tls_ca_file: the certificate can't be verified, no AUTH is
#      even tried, nothing is delivered.
# Without libcurl in the build, cases 1, 2 and 4 are skipped.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
SINK="$SRC/tests/netns/smtp_sink.py"
SERVER="$SRC/tests/netns/smtp_tls_server.py"
SRV_IP=192.0.2.1
VIP=192.0.2.100

PY=""
for p in /usr/bin/python3 python3; do
	if "$p" -c 'import aiosmtpd' 2>/dev/null; then PY=$p; break; fi
done
command -v openssl >/dev/null || { echo "FAIL: openssl not installed"; exit 1; }

conf() { # conf NAME [GLOBAL_DEFS_LINE...] : a node that becomes MASTER at once
	local name=$1 line
	shift
	{
		cat <<EOC
global_defs {
    router_id node_a
    notification_email {
        ops1@example.com
        ops2@example.com
    }
    notification_email_from vigil@example.com
    smtp_server $SRV_IP 2525
    smtp_helo_name vm
    smtp_connect_timeout 2
EOC
		for line in "$@"; do echo "    $line"; done
		cat <<EOC
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    smtp_alert
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	} >"$VG_WORK/$name.conf"
	echo "$VG_WORK/$name.conf"
}

# wait_for SECONDS COMMAND... : poll every 50 ms, bounded
wait_for() {
	local n=$(($1 * 20)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

has() { grep -qF -- "$2" "$1" 2>/dev/null; }
count() { grep -cF -- "$2" "$1" 2>/dev/null; }

# tls_server OUT [PASSWORD] : aiosmtpd on $SRV_IP:2525, alice/PASSWORD
tls_server() {
	rm -f "$VG_WORK/ready"
	ip netns exec "$ns" "$PY" "$SERVER" "$VG_WORK/$1" --host $SRV_IP --port 2525 \
		--cert "$VG_WORK/cert.pem" --key "$VG_WORK/key.pem" \
		--user alice --password "s3cret" --ready "$VG_WORK/ready" --seconds 50 \
		>"$VG_WORK/$1.server.log" 2>&1 &
	SRV_PID=$!
	VG_PIDS+=("$SRV_PID")
	wait_for 10 test -e "$VG_WORK/ready"
}

stop_server() {
	kill "$SRV_PID" 2>/dev/null
	local i
	for i in $(seq 1 100); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.05; done
	kill -9 "$SRV_PID" 2>/dev/null
	wait "$SRV_PID" 2>/dev/null
}

# run_vigil NAME CONF ... end_vigil: the daemon's log of this case stays
# as NAME.log (the old a.log goes first: the new daemon opens it a little
# later, and a wait must not find the last case's lines in it)
run_vigil() { rm -f "$VG_WORK/a.log"; vg_start_vigil a "$2"; CASE=$1; }
end_vigil() { vg_stop a; cp "$VG_WORK/a.log" "$VG_WORK/$CASE.log"; }

vigil_t() { ip netns exec "$ns" "$VIGIL" -t -f "$1" >"$VG_WORK/t.out" 2>&1; }

# The plain client's DATA part, from a sink's raw capture
raw_data() {
	python3 -c 'import sys
raw = open(sys.argv[1], "rb").read()
d = raw.split(b"DATA\r\n", 1)[1]
sys.stdout.buffer.write(d[:d.index(b"\r\n.\r\n") + 2])' "$1"
}
DATE_RE='^Date: [A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\r$'
undate() { sed -E "s/$DATE_RE/Date: <date>\r/"; }
expected() {
	printf 'Date: <date>\r\nFrom: vigil@example.com\r\n'
	printf 'Subject: [node_a] VRRP Instance VI_1 - Entering MASTER state\r\n'
	printf 'X-Mailer: Keepalived\r\nTo: ops1@example.com, ops2@example.com\r\n\r\n'
	printf '=> VRRP Instance is now owning VRRP VIPs <=\r\n\r\n'
}

vg_setup a >/dev/null || { echo "namespace setup failed"; exit 1; }
ns=$(vg_ns a)

TLS=yes
vigil_t "$(conf probe smtp_starttls)"
if grep -q "built without libcurl" "$VG_WORK/t.out"; then
	TLS=no
	echo "ok: # SKIP Vigil built without libcurl: TLS cases skipped"
elif [ -z "$PY" ]; then
	echo "FAIL: python3-aiosmtpd not installed"
	exit 1
fi

if [ $TLS = yes ]; then
	openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mail.test -days 1 \
		-addext "subjectAltName=DNS:mail.test,IP:$SRV_IP" \
		-keyout "$VG_WORK/key.pem" -out "$VG_WORK/cert.pem" >/dev/null 2>&1 ||
		{ echo "FAIL: openssl req"; exit 1; }

	# ---- 1. STARTTLS + AUTH, certificate checked against the CA file ----
	c=$(conf tls smtp_starttls "smtp_auth_user alice" "smtp_auth_password s3cret" \
		"smtp_tls_ca_file $VG_WORK/cert.pem")
	vg_check "-t accepts the TLS keywords" vigil_t "$c"
	tls_server mail || echo "  TLS server did not start"
	run_vigil tls "$c"
	wait_for 10 test -e "$VG_WORK/mail.1"
	end_vigil
	stop_server
	vg_check "TLS: the MASTER mail was delivered" test -e "$VG_WORK/mail.1"
	vg_check "TLS: over STARTTLS, after AUTH as alice" has "$VG_WORK/mail.1.meta" "tls=1 auth=alice"
	vg_check "TLS: envelope from and both recipients" \
		has "$VG_WORK/mail.1.meta" "from=vigil@example.com rcpt=ops1@example.com,ops2@example.com"
	vg_check "TLS: the message is keepalived's, byte for byte (but Date)" \
		cmp -s <(expected) <(undate <"$VG_WORK/mail.1" 2>/dev/null)
	vg_check "TLS: logged as sent" has "$VG_WORK/tls.log" "SMTP alert successfully sent."

	# ---- 2. a wrong password: bounded attempts, then giving up ----
	c=$(conf badpw smtp_starttls "smtp_auth_user alice" "smtp_auth_password wrong" \
		"smtp_tls_ca_file $VG_WORK/cert.pem" "smtp_retries 2" "smtp_retry_delay 1")
	tls_server bad || echo "  TLS server did not start"
	run_vigil badpw "$c"
	wait_for 15 has "$VG_WORK/a.log" "giving up"
	sleep 1.5	# a fourth attempt would come within the retry delay
	alive=no
	kill -0 "$(vg_pid a)" 2>/dev/null && alive=yes
	holder=$(vg_holders $VIP a)
	# counted before the stop: stopping mails "Stopping", one more attempt
	fails=$(count "$VG_WORK/a.log" "Error sending SMTP alert to [$SRV_IP]:2525")
	denied=$(count "$VG_WORK/bad.auth" "denied alice")
	end_vigil
	stop_server
	vg_check "wrong password: nothing delivered" test ! -e "$VG_WORK/bad.1"
	vg_check "wrong password: 3 attempts logged ($fails), 3 AUTH refused ($denied)" \
		test "$fails" = 3 -a "$denied" = 3
	vg_check "wrong password: one giving-up line" \
		test "$(count "$VG_WORK/badpw.log" "not sent after 3 attempts - giving up")" = 1
	vg_check "wrong password: the daemon stayed up, MASTER" test $alive = yes -a "$holder" = a

	# ---- 4. the server's certificate can't be verified ----
	c=$(conf noca smtp_starttls "smtp_auth_user alice" "smtp_auth_password s3cret" \
		"smtp_retries 0")
	tls_server noca || echo "  TLS server did not start"
	run_vigil noca "$c"
	wait_for 10 has "$VG_WORK/a.log" "Error sending SMTP alert"
	end_vigil
	stop_server
	vg_check "unverified certificate: nothing delivered, no AUTH tried" \
		test ! -e "$VG_WORK/noca.1" -a ! -e "$VG_WORK/noca.auth"
	vg_check "unverified certificate: one failure line, no retry" \
		test "$(count "$VG_WORK/noca.log" "Error sending SMTP alert")" = 1
fi

# ---- 3. the plain client: the server comes up after the first failure ----
c=$(conf retry "smtp_retries 3" "smtp_retry_delay 2")
vg_check "-t accepts smtp_retries and smtp_retry_delay" vigil_t "$c"
run_vigil retry "$c"
wait_for 10 has "$VG_WORK/a.log" "SMTP connection ERROR to [$SRV_IP]:2525."
ip netns exec "$ns" python3 "$SINK" "$VG_WORK/plain" --host $SRV_IP --port 2525 \
	--conns 1 --ready "$VG_WORK/sink.ready" &
VG_PIDS+=($!)
wait_for 10 has "$VG_WORK/plain.1" "QUIT"
end_vigil
vg_check "retry: the first attempt failed (connection refused)" \
	has "$VG_WORK/retry.log" "SMTP connection ERROR to [$SRV_IP]:2525."
vg_check "retry: a later attempt delivered the mail" has "$VG_WORK/plain.1" "QUIT"
vg_check "retry: logged as sent, no giving up" \
	eval 'has "$VG_WORK/retry.log" "SMTP alert successfully sent." && ! has "$VG_WORK/retry.log" "giving up"'
if [ $TLS = yes ] && [ -e "$VG_WORK/mail.1" ] && [ -e "$VG_WORK/plain.1" ]; then
	vg_check "the TLS mail's bytes = the plain client's DATA (but Date)" \
		cmp -s <(undate <"$VG_WORK/mail.1") <(raw_data "$VG_WORK/plain.1" | undate)
fi
vg_summary smtp_tls
