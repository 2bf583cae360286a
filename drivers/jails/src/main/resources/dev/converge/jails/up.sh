# Sets a jail up to the point of starting it, idempotently, on a host where it is not running: its record, its
# overlay root on the image build, its bind mounts, its network namespace and veth pair with address and default
# route, and for runtime nspawn its settings file and, where systemd is init, its unit's drop-in. Arguments: NAME
# IMAGE-DIR RECORD VETH KIND ADDRESS PREFIX GATEWAY BRIDGE NSPAWN-SETTINGS NSPAWN-UNIT (empty: none), then SOURCE
# TARGET READ-ONLY per mount. Exit 3 with a message on stderr for what the host lacks.
set -eu
name=$1 image=$2 record=$3 veth=$4 kind=$5 address=$6 prefix=$7 gateway=$8 bridge=$9 settings=${10} unit=${11}
shift 11
jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
fail() { echo "$*" >&2; exit 3; }
inside() { case "$(realpath -m "$1")" in "$root"/*) ;; *) fail "$1 leads out of the jail's root" ;; esac; }

[ -f "$image/image.json" ] || fail "the image build $image has no marker image.json"
mkdir -p "$jail/upper" "$jail/work" "$root"
printf '%s\n' "$record" >"$jail/jail.json.new"
mv "$jail/jail.json.new" "$jail/jail.json"
if ! mountpoint -q "$root"; then
  mount -t overlay "cj-$name" -o "lowerdir=$image/root,upperdir=$jail/upper,workdir=$jail/work" "$root"
fi
inside "$root/proc"
inside "$root/dev"
mkdir -p "$root/proc" "$root/dev"
if [ -n "$settings" ]; then
  mkdir -p /etc/systemd/nspawn
  printf '%s' "$settings" >"/etc/systemd/nspawn/$name.nspawn.new"
  mv "/etc/systemd/nspawn/$name.nspawn.new" "/etc/systemd/nspawn/$name.nspawn"
else
  rm -f "/etc/systemd/nspawn/$name.nspawn"
fi
dropin=/etc/systemd/system/systemd-nspawn@$name.service.d
if [ -n "$unit" ] && [ -d /run/systemd/system ]; then
  if ! printf '%s' "$unit" | cmp -s - "$dropin/converge.conf"; then
    mkdir -p "$dropin"
    printf '%s' "$unit" >"$dropin/converge.conf.new"
    mv "$dropin/converge.conf.new" "$dropin/converge.conf"
    systemctl daemon-reload
  fi
elif [ -e "$dropin/converge.conf" ]; then
  rm -f "$dropin/converge.conf"
  rmdir "$dropin" 2>/dev/null || true
  if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
fi

while [ $# -ge 3 ]; do
  source=$1 target=$root$2 readonly=$3
  shift 3
  [ -e "$source" ] || fail "the mount source $source does not exist"
  inside "$target"
  if ! mountpoint -q "$target"; then
    if [ -d "$source" ]; then
      mkdir -p "$target"
    else
      mkdir -p "${target%/*}"
      [ -e "$target" ] || : >"$target"
    fi
    mount --bind "$source" "$target"
    if [ "$readonly" = true ]; then mount -o remount,bind,ro "$target"; fi
  fi
done

[ -e "/run/netns/$ns" ] || ip netns add "$ns"
ip -n "$ns" link set lo up
if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
  ip link del "$veth" 2>/dev/null || true
  ip link add "$veth" type veth peer name eth0 netns "$ns"
fi
ip -n "$ns" addr flush dev eth0
case $kind in
  loopback)
    ip addr flush dev "$veth"
    ip addr add "$gateway/32" peer "$address/32" dev "$veth"
    ip -n "$ns" addr add "$address/32" peer "$gateway/32" dev eth0
    ;;
  bridge)
    ip link show "$bridge" >/dev/null 2>&1 || fail "the bridge $bridge does not exist"
    ip link set "$veth" master "$bridge"
    ip -n "$ns" addr add "$address/$prefix" dev eth0
    ;;
  *) fail "unknown network kind $kind" ;;
esac
ip link set "$veth" up
ip -n "$ns" link set eth0 up
ip -n "$ns" route replace default via "$gateway"
