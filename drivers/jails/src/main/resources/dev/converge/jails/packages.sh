# Installs Debian packages inside a jail's root with the root's own apt. Arguments: ROOT PACKAGE...
# Exit 4 when the root has no apt-get.
set -eu
root=$1
shift
[ -x "$root/usr/bin/apt-get" ] || { echo "its root has no /usr/bin/apt-get" >&2; exit 4; }
DEBIAN_FRONTEND=noninteractive chroot "$root" /usr/bin/apt-get install -y -q --no-install-recommends -- "$@"
