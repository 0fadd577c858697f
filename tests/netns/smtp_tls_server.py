#!/usr/bin/env python3
"""smtp_tls_server.py - a real SMTP server (aiosmtpd) that demands STARTTLS
and AUTH, and records what it receives.  Run by tests/netns/smtp_tls.sh.

usage: smtp_tls_server.py OUT --host H --port P --cert PEM --key PEM
                          --user USER --password PASS [--ready FILE]
                          [--seconds 60]

Message N's content (the bytes between DATA and the final ".", as the
client sent them) goes to OUT.N, and OUT.N.meta says how it came:
"tls=1 auth=USER from=... rcpt=a,b".  Every AUTH attempt adds a line
"ok USER" or "denied USER" to OUT.auth.  MAIL is refused before STARTTLS
and before a successful AUTH, and AUTH is refused before STARTTLS, so a
message can only arrive over TLS from an authenticated client.  --ready
names a file created once the server listens; it stops after --seconds
or on SIGTERM.
"""
import argparse
import os
import signal
import ssl
import sys
import threading
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Recorder:
    def __init__(self, out):
        self.out = out
        self.count = 0
        self.lock = threading.Lock()

    def auth_line(self, line):
        with self.lock, open(self.out + ".auth", "a") as f:
            f.write(line + "\n")

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        with open("%s.%d.meta" % (self.out, n), "w") as f:
            f.write("tls=%d auth=%s from=%s rcpt=%s\n" % (
                session.ssl is not None,
                getattr(session.auth_data, "login", b"").decode() or "-",
                envelope.mail_from, ",".join(envelope.rcpt_tos)))
        # the content file last: the test waits for it
        with open("%s.%d.tmp" % (self.out, n), "wb") as f:
            f.write(envelope.original_content)
        os.rename("%s.%d.tmp" % (self.out, n), "%s.%d" % (self.out, n))
        return "250 2.0.0 Ok: queued"


def authenticator(rec, user, password):
    def check(server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode(errors="replace")
        ok = auth_data.login == user and auth_data.password == password
        rec.auth_line(("ok " if ok else "denied ") + login + " " + mechanism)
        # handled=False: aiosmtpd then answers 535 itself
        return AuthResult(success=ok, handled=ok, auth_data=auth_data if ok else None)
    return check


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=2525)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password", required=True)
    ap.add_argument("--ready")
    ap.add_argument("--seconds", type=float, default=60)
    a = ap.parse_args()
    # aiosmtpd 1.4 warns about its own deprecated Session.login_data
    warnings.simplefilter("ignore", DeprecationWarning)

    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    rec = Recorder(a.out)
    ctl = Controller(rec, hostname=a.host, port=a.port,
                     tls_context=ctx, require_starttls=True,
                     authenticator=authenticator(rec, a.user.encode(),
                                                 a.password.encode()),
                     auth_required=True, auth_require_tls=True)
    ctl.start()
    if a.ready:
        open(a.ready, "w").close()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    done.wait(a.seconds)
    ctl.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
