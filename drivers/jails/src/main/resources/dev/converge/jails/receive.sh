# Makes a jail's directory on the host it moves to, its record first (so that a failed move can be cleaned up like
# any converge jail), and extracts the tar stream on stdin into its upper directory. Refuses a host that has a jail
# of that name already. Arguments: NAME RECORD.
set -eu
name=$1 record=$2
jail=/var/lib/jails/$name
[ ! -e "$jail" ] || { echo "$jail exists already" >&2; exit 3; }
mkdir -p "$jail/upper" "$jail/work" "$jail/root"
printf '%s\n' "$record" >"$jail/jail.json"
exec tar --numeric-owner --xattrs --xattrs-include='trusted.*' -C "$jail/upper" -xpf -
