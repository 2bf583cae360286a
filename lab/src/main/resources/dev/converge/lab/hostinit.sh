#!/bin/sh
# PID 1 of a converge lab host until it becomes sshd. It runs in the host's own network, mount, UTS, PID and cgroup
# namespaces (made by unshare), so every mount below is the host's alone and vanishes with it.
#
# Arguments: NAME RUNTIME CONFIG ADDRESS SSHD DIR...
#   NAME     the host's name, which becomes its hostname
#   RUNTIME  a directory on a real filesystem for the host's overlay layers and /var/lib/jails
#   CONFIG   the directory holding sshd_config, ssh_host_ed25519_key(.pub) and authorized_keys
#   ADDRESS  the management address and prefix length, e.g. 10.250.17.1/24, for interface mgmt0
#   SSHD     the absolute path of sshd
#   DIR...   the machine's top-level directories the host sees through copy-on-write overlays (etc var usr ...)
#
# The result: the machine's files readable everywhere and writable only through the host's own overlays; a private
# /run, /tmp and /dev/shm; kernel settings other than the network's, and every other mount, read-only.
set -eu
name=$1 runtime=$2 config=$3 address=$4 sshd=$5
shift 5
say() { echo "converge-lab[$name]: $*"; }

hostname "$name"
ip link set lo up
ip address replace "$address" dev mgmt0
ip link set mgmt0 up
echo 1 >/proc/sys/net/ipv4/ip_forward

# The upper directories live under RUNTIME, which the private /run below hides: mount the overlays first.
overlaid=""
for d in "$@"; do
  if [ -d "/$d" ] && [ ! -L "/$d" ]; then
    mkdir -p "$runtime/$d.upper" "$runtime/$d.work"
    mount -t overlay "converge-lab-$d" -o "lowerdir=/$d,upperdir=$runtime/$d.upper,workdir=$runtime/$d.work" "/$d"
    overlaid="$overlaid|$d"
  fi
done

install -d -m 700 /etc/ssh/converge-lab
install -m 600 "$config/sshd_config" "$config/ssh_host_ed25519_key" "$config/authorized_keys" /etc/ssh/converge-lab/
install -m 644 "$config/ssh_host_ed25519_key.pub" /etc/ssh/converge-lab/
echo "$name" >/etc/hostname
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n::1\tlocalhost ip6-localhost ip6-loopback\n' "$name" >/etc/hosts

mkdir -p "$runtime/jails" /var/lib/jails
mount --bind "$runtime/jails" /var/lib/jails

# The machine's mounts under /run and /tmp (other labs' namespace files among them) are none of the host's
# business, and a copy held here would keep them alive after their owners remove them.
for m in $(awk '$5 ~ /^\/(run|tmp)(\/|$)/ { print $5 }' /proc/self/mountinfo | sort -r); do
  umount -l "$m" 2>/dev/null || true
done
mount -t tmpfs -o mode=755,nosuid,nodev converge-lab-run /run
mount -t tmpfs -o mode=1777,nosuid,nodev converge-lab-tmp /tmp
install -d -m 755 /run/sshd
install -d -m 1777 /run/lock
if [ -d /dev/shm ]; then
  mount -t tmpfs -o mode=1777,nosuid,nodev converge-lab-shm /dev/shm
fi

# Network settings belong to the host's namespace; every other kernel setting is the machine's.
mount --bind /proc/sys /proc/sys
mount --bind /proc/sys/net /proc/sys/net
mount -o remount,bind,ro /proc/sys
if [ -e /proc/sysrq-trigger ]; then
  mount --bind /proc/sysrq-trigger /proc/sysrq-trigger
  mount -o remount,bind,ro /proc/sysrq-trigger
fi

# Everything else of the machine, / first: readable, never writable. Read-only applies to this namespace's copies
# of the mounts only; the overlays took their own references to RUNTIME when they were mounted.
own="^/(proc|sys|run|tmp$overlaid)(/|\$)|^/dev/(shm|pts)\$"
for m in $(awk '{ print $5 }' /proc/self/mountinfo | grep -Ev "$own" | sort -u); do
  mount -o remount,bind,ro "$m" 2>/dev/null || say "left writable: $m"
done
mount -o remount,bind,ro /sys
mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || say "no cgroup2 at /sys/fs/cgroup"

say "starting sshd on $address"
exec "$sshd" -D -e -f /etc/ssh/converge-lab/sshd_config
