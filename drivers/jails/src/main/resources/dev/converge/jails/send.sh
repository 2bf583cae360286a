# Writes a stopped jail's own data, its overlay upper directory, to stdout as a tar stream, with the overlay's
# whiteouts and trusted.* attributes and numeric owners. Argument: NAME.
set -eu
upper=/var/lib/jails/$1/upper
[ -d "$upper" ] || { echo "$upper does not exist" >&2; exit 3; }
exec tar --numeric-owner --xattrs --xattrs-include='trusted.*' -C "$upper" -cf - .
