# Whether a jail serves: its start process runs (when it has one) and its address answers a ping from the host.
# Arguments: NAME ADDRESS WITH-START (true|false). Prints what it waits for; exit 0 when ready.
name=$1 address=$2 withstart=$3
ns=cj-$name root=/var/lib/jails/$1/root
# Whether PID is the jail's start process: its command line names the jail's root (unshare's --mount-proc=ROOT/proc,
# systemd-nspawn's --directory=ROOT), which no other process's does, a reused PID included.
ours() {
  [ -n "$1" ] && tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF -e "--mount-proc=$root/proc" -e "--directory=$root"
}
if [ "$withstart" = true ]; then
  pid=$(cat "/var/lib/jails/$name/pid" 2>/dev/null || true)
  if ! ours "$pid"; then echo "its start process"; exit 1; fi
elif [ ! -e "/run/netns/$ns" ]; then
  echo "its network namespace $ns"; exit 1
fi
if command -v ping >/dev/null 2>&1; then
  # Up to 10 echo requests in the second, not one: the first can be lost while the veth is coming up.
  ping -c 1 -w 1 -i 0.1 "$address" >/dev/null 2>&1 || { echo "an answer to ping $address"; exit 1; }
else
  busybox ping -c 1 -W 1 "$address" >/dev/null 2>&1 || { echo "an answer to ping $address"; exit 1; }
fi
