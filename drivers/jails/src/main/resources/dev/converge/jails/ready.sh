# Whether a jail serves: its start process runs (when it has one) and its address answers a ping from the host.
# Arguments: NAME ADDRESS WITH-START (true|false). Prints what it waits for; exit 0 when ready.
name=$1 address=$2 withstart=$3
ns=cj-$name
if [ "$withstart" = true ]; then
  pid=$(cat "/var/lib/jails/$name/pid" 2>/dev/null || true)
  if [ -z "$pid" ] || [ "$(ip netns identify "$pid" 2>/dev/null)" != "$ns" ]; then echo "its start process"; exit 1; fi
elif [ ! -e "/run/netns/$ns" ]; then
  echo "its network namespace $ns"; exit 1
fi
if command -v ping >/dev/null 2>&1; then
  ping -c 1 -W 1 "$address" >/dev/null 2>&1 || { echo "an answer to ping $address"; exit 1; }
else
  busybox ping -c 1 -W 1 "$address" >/dev/null 2>&1 || { echo "an answer to ping $address"; exit 1; }
fi
