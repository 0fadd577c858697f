#!/bin/bash
# Effective priority on the wire, Vigil against keepalived 2.2.7: one
# config (priority 150, two weighted track scripts, one with rise/fall 2,
# a tracked local interface with a weight), run once by each as the only
# router of its segment, with the same schedule of script outcomes and link
# changes.  The priorities it advertises are captured on the switch side
# and the sequences of distinct values must be the same.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
if [ ! -x "$KEEPALIVED" ]; then
	echo "FAIL: keepalived ($KEEPALIVED) not installed"
	exit 1
fi
if ! command -v tcpdump >/dev/null; then
	echo "FAIL: tcpdump not installed (Debian package tcpdump)"
	exit 1
fi
if ! command -v python3 >/dev/null; then
	echo "FAIL: python3 not installed"
	exit 1
fi

STEP=${PRIO_STEP:-3.5}	# seconds between two changes of the schedule
VIP=192.0.2.100
chmod 711 "$VG_WORK"

vg_setup v k || { echo "namespace setup failed"; exit 1; }

# a second local interface to track: a veth pair inside the node
for n in v k; do
	ip -n "$(vg_ns $n)" link add eth1 type veth peer name eth1p || exit 1
	ip -n "$(vg_ns $n)" link set eth1p up
	ip -n "$(vg_ns $n)" link set eth1 up
done

# conf NODE : the same config for both daemons, but for the files' names
conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
global_defs {
    router_id prio_$1
    vrrp_version 3
    enable_script_security
    script_user root
}
vrrp_script chk_one {
    script "/usr/bin/test -e $VG_WORK/$1.file1"
    interval 1
    weight -60
    rise 2
    fall 2
}
vrrp_script chk_two {
    script "/usr/bin/test -e $VG_WORK/$1.file2"
    interval 1
    weight 20
}
vrrp_instance VI_1 {
    state MASTER
    interface eth0
    virtual_router_id 71
    priority 150
    advert_int 0.2
    track_script {
        chk_one
        chk_two
    }
    track_interface {
        eth1 weight -10
    }
    virtual_ipaddress {
        $VIP/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

# prio_seq PCAP : the VRRP priorities in the capture, one a line
prio_seq() {
	python3 - "$1" <<'EOP'
import struct, sys
data = open(sys.argv[1], "rb").read()
if len(data) < 24:
    sys.exit(0)
magic = data[:4]
if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
    end = "<"
elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
    end = ">"
else:
    sys.exit("not a pcap file")
linktype = struct.unpack(end + "I", data[20:24])[0]
off = 24
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    l2 = 14 if linktype == 1 else 16 if linktype == 113 else 0
    if len(pkt) < l2 + 20:
        continue
    ip = pkt[l2:]
    if ip[0] >> 4 != 4 or ip[9] != 112:
        continue
    vrrp = ip[(ip[0] & 0x0f) * 4:]
    if len(vrrp) < 3:
        continue
    print(vrrp[2])
EOP
}

# distinct : collapse consecutive duplicates, one line of values
distinct() { uniq | tr '\n' ' ' | sed 's/ $//'; }

# run NODE IMPL : start the daemon under capture, play the schedule, stop
run() {
	local node=$1 impl=$2 ns cap i
	ns=$(vg_ns "$node")
	cap="$VG_WORK/$node.pcap"
	touch "$VG_WORK/$node.file1"
	rm -f "$VG_WORK/$node.file2"
	ip netns exec "$(vg_ns sw)" tcpdump -n -U -s 128 -i "p$node" -w "$cap" \
		ip proto 112 >"$VG_WORK/$node.tcpdump.log" 2>&1 &
	local tpid=$!
	VG_PIDS+=($tpid)
	for i in $(seq 1 300); do
		grep -q "listening on" "$VG_WORK/$node.tcpdump.log" 2>/dev/null && break
		sleep 0.01
	done
	if [ "$impl" = vigil ]; then
		vg_start_vigil "$node" "$(conf "$node")"
	else
		vg_start_keepalived "$node" "$(conf "$node")"
	fi
	local t
	t=$(vg_wait_holder $VIP "$node" 5000 "$node"); local rc=$?
	vg_check "$impl: master, holds the VIP (${t} ms)" test $rc -eq 0
	sleep "$STEP"
	# the schedule: one change at a time, each one long enough to show
	touch "$VG_WORK/$node.file2"; sleep "$STEP"	# 150 + 20
	rm -f "$VG_WORK/$node.file1"; sleep "$STEP"	# - 60 after two failures
	rm -f "$VG_WORK/$node.file2"; sleep "$STEP"	# - 20
	ip -n "$ns" link set eth1 down; sleep "$STEP"	# - 10
	# a blip shorter than fall 2 x interval 1: no change
	touch "$VG_WORK/$node.file1"; sleep 0.5
	rm -f "$VG_WORK/$node.file1"; sleep "$STEP"
	touch "$VG_WORK/$node.file1"; sleep "$STEP"	# + 60 after two successes
	ip -n "$ns" link set eth1 up; sleep "$STEP"	# + 10
	touch "$VG_WORK/$node.file2"; sleep "$STEP"	# + 20
	# and a blip shorter than fall 2 on the rise/fall script
	rm -f "$VG_WORK/$node.file1"; sleep 0.5
	touch "$VG_WORK/$node.file1"; sleep "$STEP"
	vg_stop "$node"
	sleep 0.3
	kill -INT "$tpid" 2>/dev/null
	for i in $(seq 1 300); do
		kill -0 "$tpid" 2>/dev/null || break
		sleep 0.01
	done
	prio_seq "$cap" >"$VG_WORK/$node.prio"
}

run v vigil
run k keepalived

seq_v=$(distinct <"$VG_WORK/v.prio")
seq_k=$(distinct <"$VG_WORK/k.prio")
echo "vigil:      $seq_v"
echo "keepalived: $seq_k"
echo "adverts captured: vigil $(wc -l <"$VG_WORK/v.prio"), keepalived $(wc -l <"$VG_WORK/k.prio")"
vg_check "keepalived advertised something" test -n "$seq_k"
vg_check "keepalived went through 150 170 110 90 80 140 150 170 0" \
	test "$seq_k" = "150 170 110 90 80 140 150 170 0"
vg_check "Vigil advertised the same distinct priorities as keepalived" \
	test "$seq_v" = "$seq_k"
vg_summary priority_sequence
