#!/usr/bin/env python3
"""smtp_sink.py - a minimal SMTP server that records the client's raw bytes.

usage: smtp_sink.py OUT [--port 2525] [--host 127.0.0.1] [--conns 1]
                        [--rcpt-code 250] [--mute] [--ready FILE]

Connection N's client-to-server bytes go to OUT.N (N from 1) unchanged
(no line-ending normalisation), so a test can compare them byte for
byte.  The banner is a multi-line 220 reply, so clients must handle
continuation lines.  --rcpt-code makes every RCPT fail with that code;
--mute accepts connections and never says anything (a client's read
timeout).  --ready names a file created once the socket listens.  The sink
exits after --conns connections, or after 60 s in any case.
"""
import argparse
import socket
import sys
import time

REPLIES = {
    b"HELO": b"250 sink\r\n",
    b"EHLO": b"250-sink\r\n250 8BITMIME\r\n",
    b"MAIL": b"250 2.1.0 Ok\r\n",
    b"DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
    b"QUIT": b"221 2.0.0 Bye\r\n",
    b"RSET": b"250 2.0.0 Ok\r\n",
}


def serve(conn, out, rcpt_code, mute, deadline):
    conn.settimeout(1.0)
    data = b""
    in_data = False
    if not mute:
        conn.sendall(b"220-sink.example ESMTP\r\n220 ready\r\n")
    while time.monotonic() < deadline:
        try:
            chunk = conn.recv(4096)
        except socket.timeout:
            continue
        if not chunk:
            return
        out.write(chunk)
        out.flush()
        if mute:
            continue
        data += chunk
        while True:
            if in_data:
                end = data.find(b"\r\n.\r\n")
                if end < 0:
                    break
                data = data[end + 5:]
                in_data = False
                conn.sendall(b"250 2.0.0 Ok: queued\r\n")
                continue
            eol = data.find(b"\r\n")
            if eol < 0:
                break
            line, data = data[:eol], data[eol + 2:]
            verb = line[:4].upper()
            if verb == b"RCPT":
                code = rcpt_code
                conn.sendall(b"%d rcpt\r\n" % code)
            elif verb in REPLIES:
                conn.sendall(REPLIES[verb])
                if verb == b"DATA":
                    in_data = True
                if verb == b"QUIT":
                    return
            else:
                conn.sendall(b"502 5.5.2 Error: command not recognized\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--conns", type=int, default=1)
    ap.add_argument("--rcpt-code", type=int, default=250)
    ap.add_argument("--mute", action="store_true")
    ap.add_argument("--ready")
    a = ap.parse_args()

    deadline = time.monotonic() + 60
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((a.host, a.port))
    srv.listen(8)
    srv.settimeout(1.0)
    if a.ready:
        open(a.ready, "w").close()
    done = 0
    while done < a.conns and time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        done += 1
        with conn, open("%s.%d" % (a.out, done), "wb") as out:
            serve(conn, out, a.rcpt_code, a.mute, deadline)
    return 0


if __name__ == "__main__":
    sys.exit(main())
