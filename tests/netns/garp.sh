#!/bin/bash
# Gratuitous ARP timing on becoming master, Vigil and keepalived side by
# side: garp_master_repeat (5) at once, again after garp_master_delay (5 s),
# and garp_master_refresh bursts; frames counted on the wire, and the -D
# log lines of the takeover and of every GARP.
set -u
. "$(dirname "$0")/lib.sh"
vg_require_root
command -v tcpdump >/dev/null || { echo "FAIL: tcpdump not installed"; exit 1; }

conf() {
	cat >"$VG_WORK/$1.conf" <<EOC
vrrp_instance VI_1 {
    interface eth0
    virtual_router_id 51
    priority 255
    advert_int 1
    garp_master_refresh 3
    garp_master_refresh_repeat 2
    virtual_ipaddress {
        192.0.2.100/24
    }
}
EOC
	echo "$VG_WORK/$1.conf"
}

vg_setup a >/dev/null || { echo "namespace setup failed"; exit 1; }

# count IMPL : gratuitous ARPs for the VIP in the first 8.5 s, per second
count() {
	local impl=$1 cap="$VG_WORK/$1.pcap"
	ip netns exec "${PFX}sw" timeout 10 tcpdump -n -i pa -w "$cap" arp 2>/dev/null &
	local tp=$!
	sleep 1
	if [ "$impl" = vigil ]; then vg_start_vigil a "$(conf a)"; else vg_start_keepalived a "$(conf a)"; fi
	sleep 8.5
	vg_stop a >/dev/null
	wait $tp 2>/dev/null
	# the -D lines of the takeover and its GARPs, without timestamps
	grep -E "\(VI_1\) (Receive|Entering|setting|Sending)|Sending gratuitous ARP" "$VG_WORK/a.log" |
		sed 's/^.*[0-9]: //' >"$VG_WORK/$impl.lines"
	# seconds since the first GARP, one line per frame
	tcpdump -tt -n -r "$cap" 2>/dev/null | grep "192.0.2.100" |
		awk 'NR==1{t0=$1} {printf "%d\n", $1 - t0 + 0.5}' | sort -n | uniq -c |
		awk '{printf "%s@%ss ", $1, $2}'
}

v=$(count vigil)
k=$(count keepalived)
echo "vigil:      $v"
echo "keepalived: $k"
vg_check "Vigil: 5 GARPs at once" grep -q "^5@0s" <<<"$v"
vg_check "Vigil: 5 more after garp_master_delay, plus refreshes of 2 (same as keepalived)" test "$v" = "$k"
vg_check "-D log lines of the owner's takeover and GARPs as keepalived's ($(wc -l <"$VG_WORK/vigil.lines") lines, $(head -2 "$VG_WORK/vigil.lines" | tr '\n' '|'))" \
	eval 'test -s "$VG_WORK/keepalived.lines" && diff "$VG_WORK/vigil.lines" "$VG_WORK/keepalived.lines"'
vg_summary garp
