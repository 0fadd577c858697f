#!/bin/bash
# Notify scripts and the VRRP notify FIFO, side by side with keepalived:
# the same scenario runs once with keepalived 2.2.7 as node A and once
# with Vigil, and A's FIFO lines (read by a vrrp_notify_fifo_script),
# generic notify arguments and notify_master_rx_lower_pri runs must be the
# same.  The scenario: A becomes master; a track_file lowers A's priority
# (MASTER_PRIORITY), B preempts (BACKUP), the file is cleared
# (BACKUP_PRIORITY) and A preempts back; a lower priority advert from a
# third host (MASTER_RX_LOWER_PRI); A stops (STOP).
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root

W=$VG_WORK
cat >"$W/reader.sh" <<EOF
#!/bin/bash
# \$1: output file; last argument: the FIFO (appended by the daemon)
out=\$1
fifo=\${!#}
trap 'echo "<TERM>" >>"\$out"; exit 0' TERM
while read -r line; do echo "\$line" >>"\$out"; done <"\$fifo"
echo "<EOF>" >>"\$out"
EOF
cat >"$W/notify.sh" <<EOF
#!/bin/sh
echo "\$*" >>$W/\$1.notify
EOF
chmod 755 "$W/reader.sh" "$W/notify.sh"

# conf_a IMPL : node A's configuration, files named after IMPL
conf_a() {
	cat >"$W/a.$1.conf" <<EOC
global_defs {
    router_id A
    enable_script_security
    script_user root
    vrrp_notify_fifo $W/a.$1.fifo
    vrrp_notify_fifo_script "$W/reader.sh $W/a.$1.fifo.log"
    vrrp_notify_priority_changes
}
vrrp_track_file tf {
    file $W/a.tf
    weight -60
}
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 150
    advert_int 1
    track_file {
        tf
    }
    notify "$W/notify.sh a.$1"
    notify_master_rx_lower_pri "$W/notify.sh a.$1.rxlow"
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC
	echo "$W/a.$1.conf"
}

cat >"$W/b.conf" <<EOC
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int 1
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC

# wait_line FILE PATTERN SECONDS [COUNT] : until COUNT (default 1) lines
# of FILE match PATTERN
wait_line() {
	local i n
	for i in $(seq 1 $(($3 * 20))); do
		n=$(grep -c -- "$2" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "${4:-1}" ] && return 0
		sleep 0.05
	done
	echo "  timed out waiting for '$2' in ${1##*/}"
	return 1
}

# scenario IMPL START-FUNCTION
scenario() {
	local impl=$1 fifo_log="$W/a.$1.fifo.log"
	echo 0 >"$W/a.tf"
	vg_start_vigil b "$W/b.conf"
	"$2" a "$(conf_a "$impl")"
	wait_line "$fifo_log" 'MASTER 150' 8 || return 1
	echo "  $impl: A master"
	echo 1 >"$W/a.tf"			# 150 - 60 = 90 < B's 100
	wait_line "$fifo_log" 'BACKUP 90' 8 || return 1
	echo "  $impl: B preempted"
	echo 0 >"$W/a.tf"
	wait_line "$fifo_log" 'MASTER 150' 8 2 || return 1
	echo "  $impl: A preempted back"
	sleep 1			# B has seen A's advert and is backup again
	# the master answers with garp_lower_prio_repeat (default 5) GARPs
	timeout 2 ip netns exec "$(vg_ns c)" tcpdump -i eth0 -nn -l arp 2>/dev/null \
		>"$W/$impl.arp" &
	local tcpdump=$!
	sleep 0.5
	ip netns exec "$(vg_ns c)" python3 "$SRC/tests/netns/vrrp_inject.py" \
		--src 192.0.2.3 --priority 50 --password '' --vip 192.0.2.100 valid
	wait_line "$fifo_log" 'MASTER_RX_LOWER_PRI' 3 || return 1
	wait "$tcpdump"
	grep -c 'who-has 192.0.2.100 .*tell 192.0.2.100' "$W/$impl.arp" >"$W/$impl.garps"
	vg_stop a
	vg_stop b
	wait_line "$fifo_log" '<EOF>\|<TERM>' 3
	# the STOP notify runs as the daemon exits: neither waits for it
	wait_line "$W/a.$impl.notify" ' STOP ' 3
	return 0
}

vg_setup a b c || { echo "namespace setup failed"; exit 1; }
scenario keepalived vg_start_keepalived || vg_bad "scenario under keepalived"
scenario vigil vg_start_vigil || vg_bad "scenario under Vigil"

# same_file WHAT SUFFIX [FILTER] : A's file under both, after FILTER
same_file() {
	local k="$W/a.keepalived.$2" v="$W/a.vigil.$2" filter=${3:-cat}
	if [ -s "$k" ] && cmp -s <($filter <"$k") <(sed "s/a\.vigil/a.keepalived/" "$v" | $filter); then
		vg_ok "$1 as keepalived's ($(wc -l <"$k") lines)"
	else
		vg_bad "$1 differ"
		echo "--- keepalived"; cat "$k" 2>/dev/null
		echo "--- vigil"; cat "$v" 2>/dev/null
	fi
}
# Both daemons SIGTERM the FIFO script as they stop, so whether it reads
# the STOP line first is a race (keepalived's lost it in our runs).
no_stop() { grep -v -e ' STOP ' -e '^<'; }
same_file "FIFO lines (state, *_PRIORITY, MASTER_RX_LOWER_PRI)" fifo.log no_stop
vg_check "the FIFO script was stopped with SIGTERM (as keepalived's)" \
	grep -qx '<TERM>' "$W/a.vigil.fifo.log"
same_file "generic notify arguments" notify
same_file "notify_master_rx_lower_pri runs" rxlow.notify
vg_check "gratuitous ARPs after a lower priority advert: $(cat "$W/vigil.garps"), keepalived $(cat "$W/keepalived.garps")" \
	cmp -s "$W/vigil.garps" "$W/keepalived.garps"
vg_summary notify_events
