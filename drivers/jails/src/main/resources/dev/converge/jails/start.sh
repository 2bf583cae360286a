# Starts a jail's command, detached, unless it runs already: in the jail's network namespace, new UTS, PID and mount
# namespaces (its own /proc), its hostname set, chrooted into its root, output appended to console.log. The PID of
# `unshare` goes to the jail's pid file; --kill-child makes the whole jail die with it. Returns once that process is
# inside the namespace. Arguments: NAME HOSTNAME START.
set -eu
name=$1 hostname=$2 start=$3
jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
pid=$(cat "$jail/pid" 2>/dev/null || true)
if [ -n "$pid" ] && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ]; then exit 0; fi
setsid ip netns exec "$ns" unshare --uts --pid --fork --kill-child --mount-proc="$root/proc" \
  /bin/sh -c 'hostname "$1" && exec chroot "$2" /bin/sh -c "$3"' converge-jail "$hostname" "$root" "$start" \
  </dev/null >>"$jail/console.log" 2>&1 &
pid=$!
echo "$pid" >"$jail/pid"
i=0
while [ "$(ip netns identify "$pid" 2>/dev/null)" != "$ns" ]; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "the start command exited at once; console.log ends with:" >&2
    tail -n 5 "$jail/console.log" >&2
    exit 3
  fi
  i=$((i + 1))
  [ "$i" -lt 500 ] || { echo "the start process did not enter $ns within 5 s" >&2; exit 3; }
  sleep 0.01
done
