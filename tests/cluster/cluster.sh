#!/bin/bash
# cluster.sh up|down|check: 4 fake hosts on one machine for the cluster tests.
#   up     network namespaces node1..node4 on a bridge, addresses 198.18.0.1-4/24, no route out,
#          names node1..node4 in each host's /etc/hosts
#   down   kill whatever runs in them, delete them
#   check  exit 77 (skip) with the reason when this machine cannot make them
# The commands run on a host go through tests/cluster/nsrsh (its own hostname and /dev/shm).
# The Slurm tier makes its own set beside this one with CLUSTER_HOSTS (count), CLUSTER_PREFIX
# (namespace and host names), CLUSTER_NET (first three octets) and CLUSTER_BRIDGE.
set -u
n=${CLUSTER_HOSTS:-4}
prefix=${CLUSTER_PREFIX:-node}
net=${CLUSTER_NET:-198.18.0}
br=${CLUSTER_BRIDGE:-cpbr0}
check() {
  [ "$(id -u)" = 0 ] || { echo "cluster: needs root for network namespaces; skipped"; exit 77; }
  command -v ip >/dev/null || { echo "cluster: no ip(8) (apt-get install iproute2); skipped"; exit 77; }
  ip netns add "conpar-probe-$$" 2>/dev/null || { echo "cluster: cannot create network namespaces; skipped"; exit 77; }
  ip netns del "conpar-probe-$$"
}
down() {
  for i in $(seq "$n"); do
    if ip netns list 2>/dev/null | grep -qw "$prefix$i"; then
      for pid in $(ip netns pids "$prefix$i" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "$prefix$i" 2>/dev/null
    fi
    ip link del "veth-$prefix$i" 2>/dev/null
    rm -rf "/etc/netns/$prefix$i"
  done
  ip link del "$br" 2>/dev/null
  return 0
}
up() {
  check
  down
  set -e
  ip link add "$br" type bridge
  sysctl -qw "net.ipv6.conf.$br.disable_ipv6=1"
  ip link set "$br" up
  for i in $(seq "$n"); do
    ip netns add "$prefix$i"
    ip netns exec "$prefix$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add "veth-$prefix$i" type veth peer name eth0 netns "$prefix$i"
    sysctl -qw "net.ipv6.conf.veth-$prefix$i.disable_ipv6=1"
    ip link set "veth-$prefix$i" master "$br" up
    ip -n "$prefix$i" link set lo up
    ip -n "$prefix$i" addr add "$net.$i/24" dev eth0
    ip -n "$prefix$i" link set eth0 up
    mkdir -p "/etc/netns/$prefix$i"
    { echo "127.0.0.1 localhost"; for j in $(seq "$n"); do echo "$net.$j $prefix$j"; done; } \
      >"/etc/netns/$prefix$i/hosts"
  done
  echo "cluster: $n fake hosts up ($net.1-$n)"
}
case ${1:-} in
  up) up ;;
  down) down; echo "cluster: down" ;;
  check) check ;;
  *) echo "usage: cluster.sh up|down|check" >&2; exit 2 ;;
esac
