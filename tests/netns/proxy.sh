#!/bin/bash
# The built-in proxy (virtual_server ... lb_kind PROXY) end to end, in
# namespaces on one bridge (tests/netns/lib.sh):
#   lb  192.0.2.1  Vigil: a VRRP instance holding the VIP 192.0.2.6 and
#                  three proxied virtual servers on it:
#                    :80    http, wrr, b1 weight 2 + b2 weight 1 (HTTP_GET
#                           /health), proxy_set_header as the seed's nginx,
#                           client_timeout 2, access_log
#                    :8080  http, b1's python app (slow endpoint, body md5),
#                           proxy_read_timeout 1, max_fails 0
#                    :9000  proxy_mode tcp, b2's python echo server
#   b1  192.0.2.2  nginx-light on 80 ("b1", /health, /headers) + python :8080
#   b2  192.0.2.3  nginx-light on 80 ("b2", /health, /headers) + echo :9000
#   cl  192.0.2.4  curl, wrk, python3 raw sockets
# Checks (each with the numbers measured):
#   (1) 200 requests on fresh connections spread 2:1 by weight
#   (2) Host ($host), X-Real-IP, X-Forwarded-For (appended) reach the backend
#   (3) keep-alive to the client: two URLs, one connection
#   (4) wrk -t1 -c8 -d6s, b2's nginx SIGKILLed at 2 s: no error, no non-2xx
#   (5) every backend down: 502, at once and once the checkers know; b1
#       back: served again once its checks pass, before fail_timeout ends
#   (6) HTTP_GET failing (500) takes b1 out, passing again puts it back
#   (7) proxy_mode tcp: bytes both ways, server-first greeting, server close
#   (8) slow upstream: 504 after proxy_read_timeout; slow client (half a
#       head) closed after client_timeout
#   (9) smuggling shapes (CL+TE, two Content-Lengths, obs-fold, bad chunk
#       size) get 400, a 64 KiB header 431, and none reaches a backend
#   (10) request bodies (Content-Length and chunked) arrive intact (md5)
#   (11) access_log lines in nginx's combined format
#   (12) 6 MiB response bodies (Content-Length, Content-Length then close,
#        close-delimited) to a full-speed and a rate-limited client (md5)
# Documentation addresses only; every namespace carries the per-run prefix
# and is deleted on exit, failure included.  Needs root (else 77), nginx
# (nginx-light), curl, wrk and python3.  About 25 s (40 s when checks fail).
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
missing=""
for c in nginx curl wrk python3; do
	command -v "$c" >/dev/null || [ -x "/usr/sbin/$c" ] || missing="$missing $c"
done
if [ -n "$missing" ]; then
	echo "FAIL: missing:$missing (Debian packages nginx-light curl wrk python3)"
	exit 1
fi
if ! "$VIGIL" -v 2>&1 | grep -q "^Build options:.* PROXY"; then
	echo "built with --disable-proxy: skipped"
	rm -rf "$VG_WORK"
	exit 77
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
PY=$(command -v python3)

VIP=192.0.2.6
B1=192.0.2.2
B2=192.0.2.3
CL=192.0.2.4
chmod 711 "$VG_WORK"	# nginx workers (www-data) look for flag files here

vg_setup lb b1 b2 cl || { echo "namespace setup failed"; exit 1; }
trap '{ vg_cleanup; wait; } 2>/dev/null' EXIT	# reap what it kills quietly

incl() { ip netns exec "$(vg_ns cl)" "$@"; }	# run on the client
# get URL [CURL_ARGS...] : the body, bounded
get() { local u=$1; shift; incl curl -s --max-time 5 "$@" "$u"; }
# code URL [CURL_ARGS...] : "STATUS SECONDS"
code() {
	local u=$1; shift
	incl curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}\n' "$@" "$u"
}

# wait_for SECONDS COMMAND... : poll every 100 ms, bounded
wait_for() {
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# ---- the backends --------------------------------------------------------

# nginx_conf NODE : nginx on port 80 answering its name; /health is 500
# while the flag file "sick" exists; /headers echoes what the proxy set
nginx_conf() {
	local w="$VG_WORK/$1.nginx"
	mkdir -p "$w"
	chmod 711 "$w"
	cat >"$w/nginx.conf" <<EOC
daemon on;
worker_processes 1;
pid $w/nginx.pid;
error_log $w/error.log;
events {
    worker_connections 512;
}
http {
    access_log $w/access.log;
    client_body_temp_path $w/body;
    proxy_temp_path $w/proxy;
    fastcgi_temp_path $w/fastcgi;
    uwsgi_temp_path $w/uwsgi;
    scgi_temp_path $w/scgi;
    keepalive_requests 100000;
    server {
        listen 80;
        location = /health {
            access_log off;
            if (-f $w/sick) {
                return 500 "sick\n";
            }
            return 200 "ok\n";
        }
        location = /headers {
            return 200 "\$http_x_real_ip|\$http_x_forwarded_for|\$http_host\n";
        }
        location / {
            return 200 "$1\n";
        }
    }
}
EOC
}
nginx_start() { ip netns exec "$(vg_ns "$1")" "$NGINX_BIN" -c "$VG_WORK/$1.nginx/nginx.conf" -e "$VG_WORK/$1.nginx/error.log"; }
nginx_pids() {
	ip netns pids "$(vg_ns "$1")" | xargs -r ps -o pid=,comm= -p 2>/dev/null |
		awk '$2 == "nginx" { print $1 }'
}
nginx_kill() { nginx_pids "$1" | xargs -r kill -9; }

# The python side: an HTTP app (slow endpoint, body digest) and a TCP echo
# server that speaks first.
cat >"$VG_WORK/app.py" <<'EOP'
import hashlib, random, socketserver, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def read_chunked(f):
    data = bytearray()
    while True:
        line = f.readline(4096)
        if not line:
            raise ValueError("eof in chunk size")
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            while f.readline(4096) not in (b"\r\n", b"\n", b""):
                pass
            return bytes(data)
        data += f.read(size)
        f.readline(4096)

def blob(n):
    return random.Random(n).randbytes(n)

mode, port = sys.argv[1], int(sys.argv[2])
if mode == "md5":
    print(hashlib.md5(blob(port)).hexdigest())
elif mode == "http":
    logf, lock = sys.argv[3], threading.Lock()

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):
            with lock, open(logf, "a") as f:
                f.write("%s %s\n" % (self.client_address[0], fmt % args))

        def reply(self, code, body):
            body = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            try:
                if self.path.startswith("/blob/"):
                    self.blob()
                    return
                if self.path.startswith("/slow"):
                    time.sleep(3)
                self.reply(200, "app\n")
            except OSError:
                pass

        def blob(self):
            # /blob/BYTES/HOW: BYTES of blob(BYTES), framed by
            # Content-Length ("length"), by Content-Length and a close
            # right after ("length-close"), or by the close alone ("close")
            _, _, n, how = self.path.split("/")
            body = blob(int(n))
            self.send_response(200)
            if how != "close":
                self.send_header("Content-Length", str(len(body)))
            if how != "length":
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                data, how = read_chunked(self.rfile), "chunked"
            else:
                n = int(self.headers.get("Content-Length", "0"))
                data, how = self.rfile.read(n), "length"
            self.reply(200, "%s %d %s\n" % (hashlib.md5(data).hexdigest(), len(data), how))

    ThreadingHTTPServer.allow_reuse_address = True
    ThreadingHTTPServer(("0.0.0.0", port), H).serve_forever()
else:
    name = sys.argv[3]

    class E(socketserver.BaseRequestHandler):
        def handle(self):
            s = self.request
            s.settimeout(30)
            try:
                s.sendall(("hello from %s\n" % name).encode())
                first = True
                while True:
                    d = s.recv(65536)
                    if not d:
                        break
                    if first and d.startswith(b"close\n"):
                        s.sendall(b"bye\n")
                        break
                    first = False
                    s.sendall(d)
            except OSError:
                pass

    class S(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    S(("0.0.0.0", port), E).serve_forever()
EOP

# The client's raw-socket side.
cat >"$VG_WORK/client.py" <<'EOP'
import os, select, socket, sys, time

def exchange(host, port, data, timeout, stop_at_head=True):
    """Send DATA while reading; stop at a complete response head (or close,
    or TIMEOUT). -> (response bytes, seconds, closed)"""
    s = socket.create_connection((host, port), timeout=3)
    s.setblocking(False)
    t0, out, resp, closed = time.monotonic(), memoryview(data), b"", False
    while time.monotonic() - t0 < timeout:
        r, w, _ = select.select([s], [s] if len(out) else [], [], 0.05)
        if w:
            try:
                out = out[s.send(out[:65536]):]
            except BlockingIOError:
                pass
            except OSError:
                out = out[:0]          # reset by the peer: keep reading
        if r:
            try:
                d = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                closed = True
                break
            if not d:
                closed = True
                break
            resp += d
            if stop_at_head and b"\r\n\r\n" in resp:
                break
    el = time.monotonic() - t0
    s.close()
    return resp, el, closed

def status(resp):
    p = resp.split(b"\r\n", 1)[0].split()
    return p[1].decode() if len(p) > 1 and resp.startswith(b"HTTP/") else "none"

def main(host, port, what):
    H = b"Host: " + host.encode() + b"\r\n"
    cases = {
        "cl_te": b"POST /smuggle-clte HTTP/1.1\r\n" + H +
                 b"Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                 b"0\r\n\r\nGET /smuggle-inner HTTP/1.1\r\nHost: x\r\n\r\n",
        "dup_cl": b"POST /smuggle-dupcl HTTP/1.1\r\n" + H +
                  b"Content-Length: 4\r\nContent-Length: 44\r\n\r\n"
                  b"abcdGET /smuggle-inner HTTP/1.1\r\nHost: x\r\n\r\n",
        "obs_fold": b"GET /smuggle-fold HTTP/1.1\r\n" + H +
                    b"X-Folded: a\r\n b\r\n\r\n",
        "bad_chunk": b"POST /smuggle-chunk HTTP/1.1\r\n" + H +
                     b"Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "big_header": b"GET /smuggle-big HTTP/1.1\r\n" + H +
                      b"X-Big: " + b"a" * 65536 + b"\r\n\r\n",
        "control": b"GET /visible-control HTTP/1.1\r\n" + H + b"\r\n",
    }
    if what in cases:
        resp, el, closed = exchange(host, port, cases[what], 5)
        print(status(resp), "%.2f" % el)
    elif what == "slow":
        # half a head, then nothing: how long until the proxy lets go?
        resp, el, closed = exchange(host, port, b"GET /slow-client HTTP/1.1\r\n" + H + b"X-Half: ", 10, False)
        print("closed" if closed else "open", "%.2f" % el, status(resp))
    elif what == "tcp":
        s = socket.create_connection((host, port), timeout=5)
        f = s.makefile("rb")
        greet = f.readline(100).decode().strip()
        blob = os.urandom(256 * 1024)
        s.setblocking(False)
        out, back, t0 = memoryview(blob), bytearray(), time.monotonic()
        while len(back) < len(blob) and time.monotonic() - t0 < 10:
            r, w, _ = select.select([s], [s] if len(out) else [], [], 0.1)
            if w:
                out = out[s.send(out[:65536]):]
            if r:
                d = s.recv(65536)
                if not d:
                    break
                back += d
        s.close()
        print("greeting=%s sent=%d echoed=%d same=%s" % (greet.replace(" ", "_"), len(blob), len(back), bytes(back) == blob))
    elif what == "tcpclose":
        s = socket.create_connection((host, port), timeout=5)
        f = s.makefile("rb")
        f.readline(100)
        s.sendall(b"close\n")
        t0 = time.monotonic()
        data = f.read()             # until the server's close comes through
        print("got=%s eof_after=%.2f" % (data.decode(errors="replace").strip() or "-", time.monotonic() - t0))

host, port, what = sys.argv[1], int(sys.argv[2]), sys.argv[3]
try:
    main(host, port, what)
except OSError as e:          # refused, reset, timed out: say so, in one line
    print("none 0.00" if what not in ("slow", "tcp", "tcpclose") else "error", type(e).__name__)
EOP

for n in b1 b2; do
	nginx_conf $n
	nginx_start $n
done
setsid ip netns exec "$(vg_ns b1)" "$PY" "$VG_WORK/app.py" http 8080 "$VG_WORK/app.log" \
	>"$VG_WORK/app.out" 2>&1 </dev/null &
VG_PIDS+=($!)
setsid ip netns exec "$(vg_ns b2)" "$PY" "$VG_WORK/app.py" echo 9000 b2 \
	>"$VG_WORK/echo.out" 2>&1 </dev/null &
VG_PIDS+=($!)
backends_up() {
	[ "$(get http://$B1/)" = b1 ] && [ "$(get http://$B2/)" = b2 ] &&
		[ "$(get http://$B1:8080/)" = app ] &&
		incl "$PY" "$VG_WORK/client.py" $B2 9000 tcp 2>/dev/null | grep -q "same=True"
}
vg_check "backends up: nginx on b1 and b2, app on b1:8080, echo on b2:9000" wait_for 10 backends_up

# ---- the balancer ---------------------------------------------------------

cat >"$VG_WORK/lb.conf" <<EOC
global_defs {
    router_id LB_A
    proxy_workers 2
}
virtual_server $VIP 80 {
    lb_algo wrr
    lb_kind PROXY
    protocol TCP
    proxy_mode http
    proxy_set_header Host \$host
    proxy_set_header X-Real-IP \$remote_addr
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for
    proxy_connect_timeout 1
    proxy_read_timeout 5
    client_timeout 2
    keepalive_timeout 75
    proxy_keepalive 32
    max_fails 1
    fail_timeout 10
    access_log $VG_WORK/access.log
    real_server $B1 80 {
        weight 2
        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            connect_timeout 1
            delay_loop 1
            retry 1
            delay_before_retry 1
        }
    }
    real_server $B2 80 {
        weight 1
        HTTP_GET {
            url {
                path /health
                status_code 200
            }
            connect_timeout 1
            delay_loop 1
            retry 1
            delay_before_retry 1
        }
    }
}
virtual_server $VIP 8080 {
    lb_algo rr
    lb_kind PROXY
    protocol TCP
    proxy_mode http
    proxy_connect_timeout 1
    proxy_read_timeout 1
    max_fails 0
    real_server $B1 8080 {
        TCP_CHECK {
            connect_timeout 1
            delay_loop 2
        }
    }
}
virtual_server $VIP 9000 {
    lb_algo rr
    lb_kind PROXY
    protocol TCP
    proxy_mode tcp
    real_server $B2 9000 {
        TCP_CHECK {
            connect_timeout 1
            delay_loop 2
        }
    }
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 51
    priority 101
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass 1111
    }
    virtual_ipaddress {
        $VIP/24
    }
}
EOC

# The balancer's hooks: start it, is it alive, stop it.
lb_start() {
	ip netns exec "$(vg_ns lb)" "$VIGIL" -t -f "$VG_WORK/lb.conf" >"$VG_WORK/lb.t" 2>&1
	local rc=$?
	vg_check "keepalived -t accepts the proxy config (exit $rc)" test $rc -eq 0
	[ $rc -eq 0 ] || sed 's/^/    /' "$VG_WORK/lb.t"
	vg_start_vigil lb "$VG_WORK/lb.conf"
}
lb_alive() { kill -0 "$(vg_pid lb)" 2>/dev/null; }
lb_stop() { vg_stop lb; }
# ---- end of the balancer's hooks

lb_start
t=$(vg_wait_holder $VIP lb 8000 lb); rc=$?
vg_check "lb holds the VIP $VIP (${t} ms)" test $rc -eq 0
proxy_answers() { [ "$(code http://$VIP/ | cut -d' ' -f1)" = 200 ]; }
t0=$(vg_now_ms)
wait_for 10 proxy_answers; rc=$?
vg_check "the proxy answers on $VIP:80 ($(($(vg_now_ms) - t0)) ms after the VIP)" test $rc -eq 0

# Only the VRRP thread is made to wake up early (doc/engine.md, "Advert
# timing"): the proxy workers keep nice 0 and the default time slice
# (custom slices exist from Linux 6.12 on).
pid=$(vg_pid lb)
nworkers=0
for t in /proc/"$pid"/task/*; do
	[ "${t##*/}" = "$pid" ] && continue
	nworkers=$((nworkers + 1))
	ni=$(awk '{print $19}' "$t/stat")
	sl=$(awk '$1 == "se.slice" {print $3}' "$t/sched")
	vg_check "thread ${t##*/}: nice $ni, slice ${sl:-?} ns (want 0, not 100000)" \
		test "$ni" = 0 -a "$sl" != 100000
done
vg_check "the VRRP thread and $nworkers others (want at least the 2 proxy workers)" \
	test "$nworkers" -ge 2
vg_check "the VRRP thread runs at nice -10 ($(awk '{print $19}' /proc/"$pid"/stat))" \
	test "$(awk '{print $19}' /proc/"$pid"/stat)" = -10

# count_backends N : N requests on fresh connections -> "B1_COUNT B2_COUNT OTHER"
count_backends() {
	local urls=() i
	for ((i = 0; i < $1; i++)); do urls+=("http://$VIP/"); done
	incl curl -s --max-time 30 -H 'Connection: close' "${urls[@]}" |
		awk '$1 == "b1" { a++ } $1 == "b2" { b++ } $1 != "b1" && $1 != "b2" { o++ }
		     END { print a + 0, b + 0, o + 0 }'
}

echo "(2) headers reach the backend"
got=$(get http://$VIP/headers)
vg_check "X-Real-IP|X-Forwarded-For|Host = '$got' (want $CL|$CL|$VIP)" \
	test "$got" = "$CL|$CL|$VIP"
got=$(get http://$VIP/headers -H 'Host: api.example.com:8080' \
	-H 'X-Forwarded-For: 203.0.113.7' -H 'X-Real-IP: 198.51.100.66')
vg_check "client's XFF appended, its X-Real-IP replaced, Host is \$host: '$got' (want $CL|203.0.113.7, $CL|api.example.com)" \
	test "$got" = "$CL|203.0.113.7, $CL|api.example.com"

echo "(3) keep-alive to the client"
got=$(incl curl -s --max-time 5 -o /dev/null -o /dev/null -w '%{http_code}:%{num_connects} ' \
	http://$VIP/ http://$VIP/headers)
vg_check "two URLs in one curl: status:new-connections '$got' (want '200:1 200:0 ')" \
	test "$got" = "200:1 200:0 "

echo "(1) weights"
read -r n1 n2 no <<<"$(count_backends 200)"
vg_check "200 requests, weights 2:1: b1 $n1, b2 $n2, other $no (want b1 120..147, b2 53..80, other 0)" \
	test "$n1" -ge 120 -a "$n1" -le 147 -a "$n2" -ge 53 -a "$n2" -le 80 -a "$no" -eq 0

# (11)'s request, checked at the end (the log may be buffered)
al_len=$(incl curl -s --max-time 5 -A 'vigil-proxy-test/1.0' -e 'http://referer.example/' \
	-o /dev/null -w '%{size_download}' "http://$VIP/headers?al=1")

echo "(10) request bodies"
head -c 300007 /dev/urandom >"$VG_WORK/body.bin"
want=$(md5sum <"$VG_WORK/body.bin" | cut -d' ' -f1)
got=$(incl curl -s --max-time 10 --data-binary @"$VG_WORK/body.bin" http://$VIP:8080/md5)
vg_check "Content-Length body: backend got '$got' (want $want 300007)" \
	test "${got% *}" = "$want 300007"
got=$(incl curl -s --max-time 10 -H 'Transfer-Encoding: chunked' --data-binary @"$VG_WORK/body.bin" \
	http://$VIP:8080/md5)
vg_check "chunked body: backend got '$got' (want $want 300007)" \
	test "${got% *}" = "$want 300007"

echo "(12) response bodies"
# A real server that sends the whole body at once and closes while the
# proxy still holds bytes for a slow client, or frames it by the close.
n=6291456
want=$("$PY" "$VG_WORK/app.py" md5 $n)
# (close-delimited at full speed four times: the end of the body races the
# last bytes in the proxy's buffer)
for v in length:0 length-close:0 close:0 close:0 close:0 close:0 length:4M length-close:4M close:4M; do
	how=${v%:*} rate=${v#*:}
	got=$(incl curl -s --max-time 10 --limit-rate "$rate" http://$VIP:8080/blob/$n/$how |
		md5sum | cut -d' ' -f1)
	vg_check "$n bytes framed by $how, client at ${rate/#0/full speed}: md5 ${got:0:8} (want ${want:0:8})" \
		test "$got" = "$want"
done

echo "(8) slow upstream, slow client"
read -r st secs <<<"$(code http://$VIP:8080/slow)"
vg_check "upstream sleeping 3 s, proxy_read_timeout 1: $st after $secs s (want 504 in 0.9..2.5 s)" \
	awk -v s="$st" -v t="$secs" 'BEGIN { exit !(s == 504 && t >= 0.9 && t <= 2.5) }'
read -r how secs st <<<"$(incl "$PY" "$VG_WORK/client.py" $VIP 80 slow)"
vg_check "half a head, client_timeout 2: $how after $secs s, response '$st' (want closed in 1.5..4 s, no 2xx)" \
	awk -v h="$how" -v t="$secs" -v s="$st" \
	'BEGIN { exit !(h == "closed" && t >= 1.5 && t <= 4 && s !~ /^2/) }'

echo "(7) proxy_mode tcp"
got=$(incl "$PY" "$VG_WORK/client.py" $VIP 9000 tcp 2>&1)
vg_check "tcp: $got (want the greeting, 262144 bytes echoed, same)" \
	test "$got" = "greeting=hello_from_b2 sent=262144 echoed=262144 same=True"
got=$(incl timeout 10 "$PY" "$VG_WORK/client.py" $VIP 9000 tcpclose 2>&1)
vg_check "tcp: the server's close reaches the client: $got (want got=bye, eof within 2 s)" \
	awk -v g="$got" 'BEGIN { split(g, f, /[ =]/); exit !(f[2] == "bye" && f[4] + 0 < 2) }'

echo "(9) malformed requests"
logs_mentioning() { cat "$VG_WORK"/b?.nginx/access.log "$VG_WORK/app.log" 2>/dev/null | grep -c "$1"; }
read -r st secs <<<"$(incl "$PY" "$VG_WORK/client.py" $VIP 80 control)"
sleep 0.2
vg_check "control: a well-formed raw request gets $st and is in a backend's log ($(logs_mentioning visible-control) line)" \
	test "$st" = 200 -a "$(logs_mentioning visible-control)" -eq 1
for c in cl_te:400 dup_cl:400 obs_fold:400 bad_chunk:400 big_header:431; do
	read -r st secs <<<"$(incl "$PY" "$VG_WORK/client.py" $VIP 80 "${c%:*}")"
	vg_check "${c%:*}: $st after $secs s (want ${c#*:})" test "$st" = "${c#*:}"
done
sleep 0.5
n=$(logs_mentioning smuggle)
[ "$n" -eq 0 ] || cat "$VG_WORK"/b?.nginx/access.log "$VG_WORK/app.log" | grep smuggle | sed 's/^/    reached: /'
vg_check "no malformed request reached a backend ($n log lines mention them, the control's is there)" \
	test "$n" -eq 0 -a "$(logs_mentioning visible-control)" -eq 1
vg_check "the proxy still serves after them" proxy_answers

echo "(6) a health check takes b1 out and puts it back"
lines0=$(cat "$VG_WORK/lb.log" 2>/dev/null | wc -l)
no_b1() { read -r a b _ <<<"$(count_backends 12)"; [ "$a" -eq 0 ] && [ "$b" -eq 12 ]; }
some_b1() { read -r a _ _ <<<"$(count_backends 12)"; [ "$a" -gt 0 ]; }
touch "$VG_WORK/b1.nginx/sick"
t0=$(vg_now_ms)
wait_for 10 no_b1; rc=$?
vg_check "b1's /health returns 500: b2 alone serves after $(($(vg_now_ms) - t0)) ms (want < 10 s)" test $rc -eq 0
read -r n1 n2 no <<<"$(count_backends 30)"
vg_check "while b1 is out: b1 $n1, b2 $n2 of 30" test "$n1" -eq 0 -a "$n2" -eq 30
vg_check "logged as keepalived does: 'Removing service [$B1]:tcp:80 from VS [$VIP]:tcp:80'" \
	eval "tail -n +$((lines0 + 1)) '$VG_WORK/lb.log' 2>/dev/null | grep -qF 'Removing service [$B1]:tcp:80 from VS [$VIP]:tcp:80'"
rm -f "$VG_WORK/b1.nginx/sick"
t0=$(vg_now_ms)
wait_for 10 some_b1; rc=$?
vg_check "b1's /health passes again: b1 back after $(($(vg_now_ms) - t0)) ms (want < 10 s)" test $rc -eq 0
read -r n1 n2 no <<<"$(count_backends 60)"
vg_check "back at 2:1: b1 $n1, b2 $n2 of 60 (want b1 34..46)" test "$n1" -ge 34 -a "$n1" -le 46
vg_check "logged as keepalived does: 'Adding service [$B1]:tcp:80 to VS [$VIP]:tcp:80'" \
	eval "tail -n +$((lines0 + 1)) '$VG_WORK/lb.log' 2>/dev/null | grep -qF 'Adding service [$B1]:tcp:80 to VS [$VIP]:tcp:80'"

echo "(4) b2 killed under load"
incl timeout 20 wrk -t1 -c8 -d6s --timeout 2s "http://$VIP/" >"$VG_WORK/wrk.out" 2>&1 &
wrk_pid=$!
sleep 2
nginx_kill b2
t_kill=$(vg_now_ms)
wait "$wrk_pid"
wrk_rc=$?
sed 's/^/    /' "$VG_WORK/wrk.out"
reqs=$(awk '/requests in/ { print $1 }' "$VG_WORK/wrk.out")
non2xx=$(awk -F: '/Non-2xx or 3xx responses/ { gsub(/ /, "", $2); print $2 }' "$VG_WORK/wrk.out")
sockerr=$(awk '/Socket errors/ { gsub(/[^0-9 ]/, " "); s = 0; for (i = 1; i <= NF; i++) s += $i; print s }' "$VG_WORK/wrk.out")
vg_check "wrk ran (exit $wrk_rc) and made ${reqs:-no} requests (want > 500)" \
	test "$wrk_rc" -eq 0 -a "${reqs:-0}" -gt 500
vg_check "b2 really died mid-run (no nginx left on b2)" test -z "$(nginx_pids b2)"
vg_check "non-2xx responses: ${non2xx:-0} of ${reqs:-no} requests (want 0 of > 500)" \
	test "${non2xx:-0}" -eq 0 -a "${reqs:-0}" -gt 500
vg_check "socket errors: ${sockerr:-0} of ${reqs:-no} requests (want 0 of > 500)" \
	test "${sockerr:-0}" -eq 0 -a "${reqs:-0}" -gt 500
read -r n1 n2 no <<<"$(count_backends 20)"
vg_check "after the kill: b1 $n1, b2 $n2, other $no of 20 (want all on b1)" test "$n1" -eq 20

echo "(5) every backend down"
nginx_kill b1
read -r st secs <<<"$(code http://$VIP/)"
vg_check "at once (connections refused): $st after $secs s (want 502 within 2 s)" \
	awk -v s="$st" -v t="$secs" 'BEGIN { exit !(s == 502 && t <= 2) }'
sleep 3
read -r st secs <<<"$(code http://$VIP/)"
vg_check "3 s later (checkers failed too): $st after $secs s (want 502 within 2 s)" \
	awk -v s="$st" -v t="$secs" 'BEGIN { exit !(s == 502 && t <= 2) }'
# b1's refused connection above took it out for fail_timeout (10 s); its
# checks passing again are newer news and put it back at once.  (b2 stays
# down: its own passive window, from (4), ends sooner and would hide this.)
nginx_start b1
t0=$(vg_now_ms)
wait_for 8 proxy_answers; rc=$?
back=$(($(vg_now_ms) - t0))
vg_check "b1 restarted: served again after $back ms (want < 4000: the checks, not fail_timeout 10 s)" \
	test $rc -eq 0 -a "$back" -lt 4000

echo "(11) access_log"
re="^$CL - - \\[[0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}\\] \"GET /headers\\?al=1 HTTP/1\\.1\" 200 $al_len \"http://referer\\.example/\" \"vigil-proxy-test/1\\.0\"\$"
has_al() { grep -qE "$re" "$VG_WORK/access.log" 2>/dev/null; }
wait_for 3 has_al; rc=$?
vg_check "combined-format line for the request ($al_len bytes): $(grep -F 'al=1' "$VG_WORK/access.log" 2>/dev/null | head -1)" \
	test $rc -eq 0
n=$(grep -c '' "$VG_WORK/access.log" 2>/dev/null)
vg_check "the access log has a line per request (${n:-0}, want > 300)" test "${n:-0}" -gt 300

vg_check "the balancer ran through it all" lb_alive
vg_check "the balancer stops on SIGTERM within 5 s" lb_stop
vg_summary proxy
