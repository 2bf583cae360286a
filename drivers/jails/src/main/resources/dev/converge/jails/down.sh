# Takes a jail down: stops its processes (its systemd unit, where systemd runs it; SIGKILL to the jail's init and its
# start process, then to whatever else runs in the jail's network namespace) and waits until that namespace holds no
# process, unmounts everything under its root, removes the veth and the namespace. With MODE `delete` it then removes
# the jail's directory, nspawn settings and unit drop-in, and refuses while anything is still mounted under the
# directory. Arguments: NAME VETH MODE (keep|delete).
set -eu
# Whether PID is the jail's start process: its command line names the jail's root (unshare's --mount-proc=ROOT/proc,
# systemd-nspawn's --directory=ROOT), which no other process's does, a reused PID included.
ours() {
  [ -n "$1" ] && tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF -e "--mount-proc=$root/proc" -e "--directory=$root"
}
name=$1 veth=$2 mode=$3
jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
# Only jails converge made: without its record, nothing here is converge's to remove.
[ -f "$jail/jail.json" ] || exit 0
unit=systemd-nspawn@$name.service dropin=/etc/systemd/system/systemd-nspawn@$name.service.d
# Stopped through systemd, or it would restart the jail (Restart=on-failure) that the kills below end.
if [ -d /run/systemd/system ] && [ -f "$dropin/converge.conf" ]; then
  systemctl stop "$unit" 2>/dev/null || true
fi
pid=$(cat "$jail/pid" 2>/dev/null || true)
if ours "$pid"; then
  # The jail's init first (its PID namespace dies with it), then the start process.
  for child in $(cat "/proc/$pid/task/$pid/children" 2>/dev/null); do kill -KILL "$child" 2>/dev/null || true; done
  kill -KILL "$pid" 2>/dev/null || true
fi
rm -f "$jail/pid"
if [ -e "/run/netns/$ns" ]; then
  # What still runs in the jail's own namespace is the jail's: a container that outlived its systemd-nspawn.
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
  i=0
  while [ -n "$(ip netns pids "$ns" 2>/dev/null)" ]; do
    i=$((i + 1))
    [ "$i" -lt 500 ] || { echo "processes of $ns still run after 5 s: $(ip netns pids "$ns" | tr '\n' ' ')" >&2; exit 3; }
    sleep 0.01
  done
fi
mounted() { awk -v r="$1" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r; }
for m in $(mounted "$root"); do
  umount "$m" 2>/dev/null || umount -l "$m"
done
if ip link show "$veth" >/dev/null 2>&1; then ip link del "$veth"; fi
if [ -e "/run/netns/$ns" ]; then ip netns del "$ns"; fi
if [ "$mode" = delete ]; then
  left=$(mounted "$jail")
  [ -z "$left" ] || { echo "still mounted under $jail: $left" >&2; exit 3; }
  rm -rf --one-file-system "$jail"
  rm -f "/etc/systemd/nspawn/$name.nspawn"
  if [ -e "$dropin/converge.conf" ]; then
    rm -f "$dropin/converge.conf"
    rmdir "$dropin" 2>/dev/null || true
    if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
  fi
fi
