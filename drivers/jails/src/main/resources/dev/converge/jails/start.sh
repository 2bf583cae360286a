# Starts a jail's command, detached, unless it runs already, in the jail's network namespace with its own UTS, PID
# and mount namespaces (its own /proc and /dev) and its hostname, output appended to console.log. Runtime netns: `unshare`,
# then chroot into the root; --kill-child makes the whole jail die with unshare. Runtime nspawn: systemd-nspawn on
# the root, reading the settings file converge rendered for the jail (binds, hostname, command) — where systemd is
# init, as the unit systemd-nspawn@NAME.service its drop-in makes run that, registered with machined; elsewhere
# (the lab) started directly and not registered. The PID goes to the jail's pid file. Returns once a process of the
# jail is inside its network namespace. Arguments: NAME HOSTNAME START RUNTIME.
set -eu
name=$1 hostname=$2 start=$3 runtime=$4
jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
# Whether PID is the jail's start process: its command line names the jail's root (unshare's --mount-proc=ROOT/proc,
# systemd-nspawn's --directory=ROOT), which no other process's does, a reused PID included.
ours() {
  [ -n "$1" ] && tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF -e "--mount-proc=$root/proc" -e "--directory=$root"
}
pid=$(cat "$jail/pid" 2>/dev/null || true)
if ours "$pid"; then exit 0; fi
# Inside the jail's new mount namespace, before chroot: the hostname, and a /dev of its own (a tmpfs with the host's
# harmless character devices bound in), seen by the jail only.
jailinit='
  set -e
  hostname "$1"
  mount -t tmpfs -o mode=755,nosuid,noexec converge-dev "$2/dev"
  for d in null zero full random urandom tty; do : >"$2/dev/$d"; mount --bind "/dev/$d" "$2/dev/$d"; done
  mkdir -m 1777 "$2/dev/shm"
  ln -s /proc/self/fd "$2/dev/fd"
  ln -s /proc/self/fd/0 "$2/dev/stdin"
  ln -s /proc/self/fd/1 "$2/dev/stdout"
  ln -s /proc/self/fd/2 "$2/dev/stderr"
  exec chroot "$2" /bin/sh -c "$3"'
case $runtime in
  netns)
    setsid ip netns exec "$ns" unshare --uts --pid --fork --kill-child --mount-proc="$root/proc" \
      /bin/sh -c "$jailinit" converge-jail "$hostname" "$root" "$start" </dev/null >>"$jail/console.log" 2>&1 &
    pid=$!
    ;;
  nspawn)
    if [ -d /run/systemd/system ] && [ -f "/etc/systemd/system/systemd-nspawn@$name.service.d/converge.conf" ]; then
      systemctl start "systemd-nspawn@$name.service"
      pid=$(systemctl show -p MainPID --value "systemd-nspawn@$name.service")
      if [ "$pid" = 0 ]; then
        echo "systemd-nspawn@$name.service ended at once; its journal ends with:" >&2
        journalctl -q -n 5 -u "systemd-nspawn@$name.service" >&2 || true
        exit 3
      fi
    else
      setsid systemd-nspawn --quiet --register=no --keep-unit --machine="$name" --settings=trusted \
        --directory="$root" --network-namespace-path="/run/netns/$ns" \
        </dev/null >>"$jail/console.log" 2>&1 &
      pid=$!
    fi
    ;;
  *) echo "unknown runtime $runtime" >&2; exit 3 ;;
esac
echo "$pid" >"$jail/pid"
i=0
while [ -z "$(ip netns pids "$ns" 2>/dev/null)" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the start command exited at once; console.log ends with:" >&2
    tail -n 5 "$jail/console.log" >&2
    exit 3
  fi
  i=$((i + 1))
  [ "$i" -lt 500 ] || { echo "no process of the jail entered $ns within 5 s" >&2; exit 3; }
  sleep 0.01
done
