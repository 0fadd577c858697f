#!/usr/bin/env python3
"""vrrp_inject.py - send hand-made VRRP adverts (whole IPv4 packets).

Used by malformed.sh from an attacker namespace: every field of the IP
header and of the VRRP message is ours (IP_HDRINCL), except the two the
Linux kernel always fills in for raw IPv4 sockets: the IP total length and
the IP header checksum.

    vrrp_inject.py [options] CASE
    vrrp_inject.py --list

CASE is a named deviation from a valid advert (see CASES); "valid" sends a
valid one.  --count N sends N copies --gap S apart; --rate R --duration D
floods at R packets/s for D s instead (bounded: at most 1,000,000 packets).
"""
import argparse
import socket
import struct
import sys
import time

VRRP_PROTO = 112
GROUP = "224.0.0.18"


def csum(data):
    """RFC 1071 Internet checksum of DATA (odd length padded with zero)."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def vrrp_msg(o, src, dst):
    """The VRRP part, described by the dict O (see base_fields)."""
    addrs = b"".join(socket.inet_aton(a) for a in o["addrs"])
    naddr = o["naddr"] if o["naddr"] is not None else len(o["addrs"])
    first = (o["version"] << 4) | o["type"]
    # versions other than 2 and 3 get the layout of the instance's version
    v3 = o["version"] == 3 or (o["version"] != 2 and o["v3_layout"])
    if v3:
        field = o["interval_cs"] & 0x0FFF
        hdr = struct.pack("!BBBBHH", first, o["vrid"], o["priority"], naddr,
                          field, 0)
        msg = hdr + addrs
    else:
        hdr = struct.pack("!BBBBBBH", first, o["vrid"], o["priority"], naddr,
                          o["auth_type"], o["interval_s"], 0)
        msg = hdr + addrs + o["auth"].encode().ljust(8, b"\0")[:8]
    msg = msg[:len(msg) - o["truncate"]] if o["truncate"] else msg
    msg += b"\xab" * o["trailing"]
    if v3:
        pseudo = (socket.inet_aton(src) + socket.inet_aton(dst) +
                  struct.pack("!BBH", 0, VRRP_PROTO, len(msg)))
        c = csum(pseudo + msg)
    else:
        c = csum(msg)
    c ^= o["csum_xor"]
    return msg[:6] + struct.pack("!H", c) + msg[8:]


def ip_packet(o, src, dst, ident):
    msg = vrrp_msg(o, src, dst)
    # total length and header checksum: the kernel fills them in anyway
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(msg), ident, 0,
                      o["ttl"], VRRP_PROTO, 0, socket.inet_aton(src),
                      socket.inet_aton(dst))
    return hdr + msg


def base_fields(args):
    return {
        "version": args.version, "type": 1, "vrid": args.vrid,
        "priority": args.priority, "naddr": None, "addrs": list(args.vip),
        "auth_type": 1 if args.password else 0, "auth": args.password or "",
        "interval_s": args.interval, "interval_cs": args.interval * 100,
        "ttl": 255, "csum_xor": 0, "truncate": 0, "trailing": 0,
        "v3_layout": args.version == 3,
    }


# name -> (description, change to a valid advert)
CASES = {
    "valid": ("a valid advert", {}),
    "ttl254": ("IP TTL 254", {"ttl": 254}),
    "ver1": ("VRRP version 1", {"version": 1}),
    "ver4": ("VRRP version 4", {"version": 4}),
    "ver2": ("a valid VRRPv2 advert (for a v3 instance)",
             {"version": 2}),
    "ver3": ("a valid VRRPv3 advert (for a v2 instance)", {"version": 3}),
    "type2": ("VRRP type 2", {"type": 2}),
    "trailing": ("4 bytes after the message", {"trailing": 4}),
    "truncated": ("last 4 bytes missing", {"truncate": 4}),
    "csum": ("checksum off by one bit", {"csum_xor": 0x0001}),
    "count2": ("2 addresses (ours and one more)", {"extra_addr": True}),
    "list": ("1 address, not ours", {"other_addr": True}),
    "authnone": ("auth type 0 (none)", {"auth_type": 0, "auth": ""}),
    "password": ("wrong password", {"auth": "wr0ng"}),
    "interval2": ("advert interval 2 s", {"interval_s": 2,
                                          "interval_cs": 200}),
}


def build(args, case):
    o = base_fields(args)
    for k, v in CASES[case][1].items():
        if k == "extra_addr":
            o["addrs"] = o["addrs"] + [args.other]
        elif k == "other_addr":
            o["addrs"] = [args.other] + o["addrs"][1:]
        else:
            o[k] = v
    if case == "ver2":  # a v2 message needs v2 fields even on a v3 test
        o["auth_type"], o["auth"] = 0, ""
    return ip_packet(o, args.src, args.dst, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("case", nargs="?")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--ifname", default="eth0")
    ap.add_argument("--src", default="192.0.2.3")
    ap.add_argument("--dst", default=GROUP)
    ap.add_argument("--version", type=int, default=2)
    ap.add_argument("--vrid", type=int, default=51)
    ap.add_argument("--priority", type=int, default=254)
    ap.add_argument("--vip", action="append", default=None)
    ap.add_argument("--other", default="192.0.2.199",
                    help="an address that is not a VIP")
    ap.add_argument("--password", default="s3cret",
                    help="v2 PASS password ('' for auth type 0)")
    ap.add_argument("--interval", type=int, default=1)
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--gap", type=float, default=0.05)
    ap.add_argument("--rate", type=float, default=0)
    ap.add_argument("--duration", type=float, default=0)
    args = ap.parse_args()
    if args.list:
        for k, (d, _) in CASES.items():
            print("%-10s %s" % (k, d))
        return 0
    if args.case not in CASES:
        ap.error("unknown case %r (see --list)" % args.case)
    if not args.vip:
        args.vip = ["192.0.2.100"]

    pkt = build(args, args.case)
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE,
                 args.ifname.encode())
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    dst = (args.dst, 0)

    if args.rate > 0:
        # flood: paced in slices of 10 ms so the rate holds on average
        total = min(int(args.rate * args.duration), 1000000)
        per_slice = max(1, int(args.rate / 100))
        start = time.monotonic()
        sent = errors = 0
        deadline = start + args.duration + 5
        while sent + errors < total and time.monotonic() < deadline:
            for _ in range(min(per_slice, total - sent - errors)):
                try:
                    s.sendto(pkt, dst)
                    sent += 1
                except OSError:
                    errors += 1  # ENOBUFS under load: counted, not fatal
            due = start + (sent + errors) / args.rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
        el = time.monotonic() - start
        print("sent %d packets (%d errors) in %.3f s (%.0f/s)" %
              (sent, errors, el, sent / el if el else 0))
        return 0

    for i in range(max(1, min(args.count, 10000))):
        if i:
            time.sleep(args.gap)
        s.sendto(pkt, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
