#!/bin/bash
# slurm.sh up|down|check BASE CONPAR SOURCE: a real Slurm on this machine for the job-script tests.
#   up     2 fake hosts snode1, snode2 (network namespaces on bridge cpbr1, 198.18.1.1-2, the
#          controller on 198.18.1.254), munged, slurmctld, and one slurmd per host in that host's
#          network, hostname and mount namespaces (private /tmp and /dev/shm). BASE holds the
#          configuration, state, logs and a submit directory laid out like the source tree
#          (build/release/conpar, tools/chart.sh), so the job scripts run unchanged.
#   down   stop every daemon and job, delete the hosts
#   check  exit 77 (skip) with the reason when this machine cannot run them
# BASE must not be under /tmp: every host has a private /tmp.
set -u
cmd=${1:-} base=${2:-} conpar=${3:-} source=${4:-}
here=$(cd "$(dirname "$0")" && pwd)
export CLUSTER_HOSTS=2 CLUSTER_PREFIX=snode CLUSTER_NET=198.18.1 CLUSTER_BRIDGE=cpbr1
conf=$base/etc/slurm.conf
# shellcheck source-path=SCRIPTDIR source=../lib.sh
. "$here/../lib.sh" # stop_pids

check() {
  [ "$(id -u)" = 0 ] || { echo "slurm: needs root for namespaces and daemons; skipped"; exit 77; }
  local tool
  for tool in munged slurmctld slurmd sbatch scontrol nsenter unshare; do
    command -v "$tool" >/dev/null || {
      echo "slurm: no $tool (apt-get install slurmd slurmctld slurm-client munge); skipped"
      exit 77
    }
  done
  bash "$here/../cluster/cluster.sh" check >/dev/null || {
    echo "slurm: cannot create network namespaces; skipped"
    exit 77
  }
}

down() {
  local pids=() f
  # read the pid files first: the daemons unlink them while they still shut down
  for f in "$base"/run/*.pid; do
    [ -e "$f" ] && pids+=("$(cat "$f")")
  done
  stop_pids "${pids[@]}"
  bash "$here/../cluster/cluster.sh" down >/dev/null
  return 0
}

write_conf() {
  mkdir -p "$base"/{etc,state,spool,run,log,nodes/snode1/tmp,nodes/snode2/tmp,submit/build/release,submit/tools}
  chmod 1777 "$base"/nodes/*/tmp
  cat >"$conf" <<EOF
# conpar's Slurm test tier: 2 nodes in network namespaces, everything under $base
ClusterName=conpar
SlurmctldHost=$(hostname -s)(198.18.1.254)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$base/state
SlurmdSpoolDir=$base/spool/%n
SlurmctldPidFile=$base/run/slurmctld.pid
SlurmdPidFile=$base/run/slurmd.%n.pid
SlurmctldLogFile=$base/log/slurmctld.log
SlurmdLogFile=$base/log/slurmd.%n.log
# no cgroups needed; task/none lets a 2-core machine declare 16 CPUs per node (config_overrides),
# the size the job scripts are written for
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmdParameters=config_overrides
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
SchedulerType=sched/builtin
KillWait=5
MinJobAge=300
SlurmdTimeout=10
ReturnToService=2
JobRequeue=0
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=snode[1-2] NodeAddr=198.18.1.[1-2] CPUs=16 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=30 State=UP
EOF
  cat >"$base/etc/cgroup.conf" <<EOF
CgroupPlugin=autodetect
EOF
}

up() {
  check
  case $base in
    /tmp/*|/tmp) echo "slurm: BASE ($base) must not be under /tmp: every fake host has its own /tmp" >&2; exit 1 ;;
  esac
  down
  rm -rf "$base"
  set -e
  write_conf
  install -m 755 "$conpar" "$base/submit/build/release/conpar"
  install -m 755 "$source/tools/chart.sh" "$base/submit/tools/chart.sh"
  bash "$here/../cluster/cluster.sh" up
  ip addr add 198.18.1.254/24 dev cpbr1

  if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    runuser -u munge -- /usr/sbin/munged
    cp /run/munge/munged.pid "$base/run/munged.pid"
    munge -n | unmunge >/dev/null
  fi

  slurmctld -f "$conf"
  local i
  for i in 1 2; do
    # shellcheck disable=SC2016 # expanded by the inner shell
    nsenter --net="/run/netns/snode$i" unshare --mount --propagation slave --uts sh -c '
      mount --bind "$1/nodes/$2/tmp" /tmp
      mount -t tmpfs -o size=1g,mode=1777 fakeshm /dev/shm
      mount --bind "/etc/netns/$2/hosts" /etc/hosts
      hostname "$2"
      exec slurmd -f "$1/etc/slurm.conf" -N "$2"' x "$base" "snode$i"
  done
  set +e
  export SLURM_CONF=$conf
  for _ in $(seq 150); do
    if [ "$(sinfo -h -o %T 2>/dev/null | sort -u)" = idle ] &&
      [ "$(sinfo -h -N -o %N 2>/dev/null | sort -u | wc -l)" = 2 ]; then
      echo "slurm: controller and 2 nodes idle (snode1, snode2; SLURM_CONF=$conf)"
      return 0
    fi
    sleep 0.2
  done
  echo "slurm: the nodes did not come up:" >&2
  sinfo -N >&2
  tail -5 "$base"/log/*.log >&2
  exit 1
}

case $cmd in
  up) up ;;
  down) down; echo "slurm: down" ;;
  check) check ;;
  *) echo "usage: slurm.sh up|down|check BASE CONPAR SOURCE" >&2; exit 2 ;;
esac
