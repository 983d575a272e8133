# shellcheck shell=bash
# Two network namespaces for measuring CoCo over a link, sourced by
# bench/slow_link.sh: the host's (H) and the clients' (C). They are joined by
# a plain veth pair, the unshaped baseline, and while a profile is on by
# `coco-bench link` too (a slow, lossy link of its own, on its own
# addresses). Nothing is made outside the two namespaces, every address is a
# private one that exists only inside them, and `netns_cleanup` (trapped on
# exit by the caller) stops what was started and removes both namespaces.
# Needs root.
#
#   veth:          H 10.250.N.1 (veth-h)    C 10.250.N.2 (veth-c)
#   coco-bench link: H 10.251.N.1 (cocolink)  C 10.251.N.2 (cocolink)
#   (N = the script's pid % 250; the names carry the pid, so runs never meet)
#
# Set before sourcing: `bench` (coco-bench), `host_bin` (coco), `out` (a
# directory for logs and reports).

netns_tag=$$
ns_h=coco-slow-h$netns_tag
ns_c=coco-slow-c$netns_tag
netns_net=$((netns_tag % 250))
veth_h_ip=10.250.$netns_net.1
veth_c_ip=10.250.$netns_net.2
link_h_ip=10.251.$netns_net.1
link_c_ip=10.251.$netns_net.2
link_dev=cocolink
# The host's ports inside H (a namespace has its own, so they never clash).
host_http_port=5001
host_ws_port=8080
# How long the host and the link may take to come up.
netns_start_timeout_s=20
netns_made=
host_pid=
host_data=
host_code=
link_pid=
link_name=

netns_log() { printf '\n== %s\n' "$*" >&2; }
netns_die() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }

# Stops a process of ours: TERM, then KILL after 10 s.
netns_stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 200; i++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

netns_cleanup() {
  netns_stop_pid "$link_pid"
  netns_stop_pid "$host_pid"
  if [ -n "$netns_made" ]; then
    ip netns del "$ns_h" 2>/dev/null || true
    ip netns del "$ns_c" 2>/dev/null || true
  fi
  [ -z "$host_data" ] || rm -rf "$host_data"
}

# Makes H and C and the veth pair between them (both ends made straight
# inside the namespaces: nothing ever appears in this one).
netns_up() {
  [ "$(id -u)" = 0 ] || netns_die "needs root (network namespaces)"
  netns_made=1
  ip netns add "$ns_h" || netns_die "cannot create network namespaces"
  ip netns add "$ns_c"
  ip -n "$ns_h" link set lo up
  ip -n "$ns_c" link set lo up
  ip link add veth-h netns "$ns_h" type veth peer name veth-c netns "$ns_c"
  ip -n "$ns_h" link set veth-h addrgenmode none
  ip -n "$ns_c" link set veth-c addrgenmode none
  ip -n "$ns_h" addr add "$veth_h_ip/30" dev veth-h
  ip -n "$ns_c" addr add "$veth_c_ip/30" dev veth-c
  ip -n "$ns_h" link set veth-h up
  ip -n "$ns_c" link set veth-c up
}

# Runs a command in the clients' namespace.
in_c() { ip netns exec "$ns_c" "$@"; }
# Runs a command in the host's namespace.
in_h() { ip netns exec "$ns_h" "$@"; }

# Bytes the clients' namespace has received on interface $1 (IP level:
# headers and packets sent again included).
rx_bytes() { in_c cat "/sys/class/net/$1/statistics/rx_bytes"; }

# Starts the host in H on all its addresses, data in a new directory; sets
# host_pid and host_code (the join code every client outside H needs).
host_up() {
  local i
  host_data=$(mktemp -d)
  # Never the developer's own config or Gemini key; no mDNS (nothing to find).
  COCO_CONFIG="$host_data/config.toml" ip netns exec "$ns_h" \
    env -u GEMINI_API_KEY -u GOOGLE_API_KEY "$host_bin" --headless --no-mdns \
    --bind 0.0.0.0 --port "$host_http_port" --ws-port "$host_ws_port" \
    --data-dir "$host_data" >"$out/coco.log" 2>&1 &
  host_pid=$!
  for ((i = 0; i < netns_start_timeout_s * 20; i++)); do
    host_code=$(awk '/^  join code:/ { print $3; exit }' "$out/coco.log" 2>/dev/null || true)
    if [ -n "$host_code" ] &&
      in_h curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$host_http_port/api/health"; then
      return 0
    fi
    kill -0 "$host_pid" 2>/dev/null || netns_die "the host exited; see $out/coco.log"
    sleep 0.05
  done
  netns_die "the host was not ready within $netns_start_timeout_s s; see $out/coco.log"
}

# Joins H and C with `coco-bench link --profile $1`; its report goes to
# $out/link-$1.json when it stops.
link_up() {
  local i
  link_name=$1
  "$bench" --json link --profile "$link_name" --a-ns "$ns_h" --a-addr "$link_h_ip" \
    --b-ns "$ns_c" --b-addr "$link_c_ip" --dev "$link_dev" \
    >"$out/link-$link_name.json" 2>"$out/link-$link_name.log" &
  link_pid=$!
  for ((i = 0; i < netns_start_timeout_s * 20; i++)); do
    grep -q '^link ready' "$out/link-$link_name.log" 2>/dev/null && break
    kill -0 "$link_pid" 2>/dev/null || netns_die "the link failed; see $out/link-$link_name.log"
    sleep 0.05
  done
  # The host reads its addresses again at most every 2 s (ADDRESS_REFRESH)
  # and answers 421 to an address it does not know yet: wait until it
  # answers on the link's, which also shows the link carries traffic.
  for ((i = 0; i < netns_start_timeout_s * 2; i++)); do
    in_c curl -sf -o /dev/null --max-time 5 -H "x-coco-code: $host_code" \
      "http://$link_h_ip:$host_http_port/api/health" && return 0
    kill -0 "$link_pid" 2>/dev/null || netns_die "the link failed; see $out/link-$link_name.log"
    sleep 0.5
  done
  netns_die "the host did not answer over the link within $netns_start_timeout_s s"
}

# Stops the link; its report is then complete.
link_down() {
  netns_stop_pid "$link_pid"
  link_pid=
  cat "$out/link-$link_name.log" >&2
}
