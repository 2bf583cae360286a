# Takes a jail down: stops its process (SIGKILL to `unshare`, whose --kill-child ends the jail's PID namespace) and
# waits until its namespace holds no process, unmounts everything under its root, removes the veth and the
# namespace. With MODE `delete` it then removes the jail's directory, which it refuses while anything is still
# mounted under it. Arguments: NAME VETH MODE (keep|delete).
set -eu
name=$1 veth=$2 mode=$3
jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
# Only jails converge made: without its record, nothing here is converge's to remove.
[ -f "$jail/jail.json" ] || exit 0
pid=$(cat "$jail/pid" 2>/dev/null || true)
if [ -n "$pid" ] && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ]; then kill -KILL "$pid"; fi
rm -f "$jail/pid"
if [ -e "/run/netns/$ns" ]; then
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
fi
