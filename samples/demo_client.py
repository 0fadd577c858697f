#!/usr/bin/env python3
"""The demos' client (samples/demo-proxy.sh, samples/demo-ha.sh).

  demo_client.py run VIP HOST LOG STOPFILE MAX_SECONDS
      GET / every 50 ms on a new connection, 1 s for the whole exchange;
      one line per request: START_MS END_MS RESULT, where RESULT is
      BALANCER>BACKEND (from the page "web server B (...), via 192.0.2.4")
      or fail:REASON.  Stops when STOPFILE exists or after MAX_SECONDS.

  demo_client.py analyse LOG FROM_MS TO_MS
      The requests started in [FROM, TO): prints
      "N OK FAILED OUTAGE_MS FIRST_FAIL_MS RECOVER_MS COUNTS" (outage -1:
      none; times relative to FROM; RECOVER -1: no answer after the failures).
"""
import os
import re
import socket
import sys
import time

BALANCERS = {"192.0.2.4": "A", "192.0.2.3": "D"}


def get(vip, req):
    deadline = time.monotonic() + 1.0
    s = socket.create_connection((vip, 80), timeout=1.0)
    try:
        s.sendall(req)
        data = b""
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            s.settimeout(left)
            d = s.recv(4096)
            if not d:
                break
            data += d
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    status = head.split(b" ", 2)[1].decode() if head.startswith(b"HTTP/") else "?"
    m = re.search(rb"web server (\w+) \(\S+\), via ([0-9.]+)", body)
    if status == "200" and m:
        via = m.group(2).decode()
        return "%s>%s" % (BALANCERS.get(via, via), m.group(1).decode())
    return "fail:http-" + status


def run(vip, host, logf, stop, bound):
    end_at = time.time() + float(bound)
    req = ("GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % host).encode()
    with open(logf, "w", buffering=1) as f:
        while time.time() < end_at and not os.path.exists(stop):
            t0 = time.time()
            try:
                res = get(vip, req)
            except socket.timeout:
                res = "fail:timeout"
            except ConnectionRefusedError:
                res = "fail:refused"
            except ConnectionResetError:
                res = "fail:reset"
            except OSError as e:
                res = "fail:" + (e.__class__.__name__ if not e.strerror
                                 else e.strerror.replace(" ", "-"))
            t1 = time.time()
            f.write("%d %d %s\n" % (t0 * 1000, t1 * 1000, res))
            time.sleep(max(0.0, t0 + 0.05 - time.time()))


def analyse(logf, lo, hi):
    lo, hi = int(lo), int(hi)
    rows = []
    for line in open(logf):
        p = line.split()
        if len(p) == 3 and lo <= int(p[0]) < hi:
            rows.append((int(p[0]), int(p[1]), p[2]))
    fails = [i for i, r in enumerate(rows) if r[2].startswith("fail")]
    counts = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    summary = ",".join("%s:%d" % kv for kv in sorted(counts.items()))
    if not fails:
        print(len(rows), len(rows), 0, -1, -1, -1, summary)
        return
    last = fails[-1]
    rec = next((rows[i][0] for i in range(last + 1, len(rows))), None)
    ff = rows[fails[0]][0]
    outage = (rec if rec is not None else hi) - ff
    print(len(rows), len(rows) - len(fails), len(fails), outage, ff - lo,
          -1 if rec is None else rec - lo, summary)


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "run":
        run(*sys.argv[2:])
    elif len(sys.argv) == 5 and sys.argv[1] == "analyse":
        analyse(*sys.argv[2:])
    else:
        sys.exit(__doc__)
