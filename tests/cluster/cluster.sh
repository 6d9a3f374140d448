#!/bin/bash
# cluster.sh up|down|check: 4 fake hosts on one machine for the cluster tests.
#   up     network namespaces node1..node4 on a bridge, addresses 198.18.0.1-4/24, no route out,
#          names node1..node4 in each host's /etc/hosts
#   down   kill whatever runs in them, delete them
#   check  exit 77 (skip) with the reason when this machine cannot make them
# The commands run on a host go through tests/cluster/nsrsh (its own hostname and /dev/shm).
set -u
n=4
check() {
  [ "$(id -u)" = 0 ] || { echo "cluster: needs root for network namespaces; skipped"; exit 77; }
  command -v ip >/dev/null || { echo "cluster: no ip(8) (apt-get install iproute2); skipped"; exit 77; }
  ip netns add conpar-probe 2>/dev/null || { echo "cluster: cannot create network namespaces; skipped"; exit 77; }
  ip netns del conpar-probe
}
down() {
  for i in $(seq $n); do
    if ip netns list 2>/dev/null | grep -qw "node$i"; then
      for pid in $(ip netns pids "node$i" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
      ip netns del "node$i" 2>/dev/null
    fi
    ip link del "veth-node$i" 2>/dev/null
    rm -rf "/etc/netns/node$i"
  done
  ip link del cpbr0 2>/dev/null
  return 0
}
up() {
  check
  down
  set -e
  ip link add cpbr0 type bridge
  sysctl -qw net.ipv6.conf.cpbr0.disable_ipv6=1
  ip link set cpbr0 up
  for i in $(seq $n); do
    ip netns add "node$i"
    ip netns exec "node$i" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add "veth-node$i" type veth peer name eth0 netns "node$i"
    sysctl -qw "net.ipv6.conf.veth-node$i.disable_ipv6=1"
    ip link set "veth-node$i" master cpbr0 up
    ip -n "node$i" link set lo up
    ip -n "node$i" addr add "198.18.0.$i/24" dev eth0
    ip -n "node$i" link set eth0 up
    mkdir -p "/etc/netns/node$i"
    { echo "127.0.0.1 localhost"; for j in $(seq $n); do echo "198.18.0.$j node$j"; done; } \
      >"/etc/netns/node$i/hosts"
  done
  echo "cluster: $n fake hosts up (198.18.0.1-$n)"
}
case ${1:-} in
  up) up ;;
  down) down; echo "cluster: down" ;;
  check) check ;;
  *) echo "usage: cluster.sh up|down|check" >&2; exit 2 ;;
esac
