# Writes what converge provisions inside a jail's root, with host tools and only through real paths inside the root
# (a symbolic link planted in the jail never leads a write onto the host). Arguments: ROOT, then operations:
#   resolv TEXT                     /etc/resolv.conf
#   user NAME UID GID SUDO KEY      an account with a locked password (UID empty: keep or pick the next free from
#                                   1000; GID empty: the UID), its home, authorized_keys 0600 when KEY is not empty,
#                                   /etc/sudoers.d/converge-NAME 0440 when SUDO is true
#   drop NAME                       the account's lines and sudoers file (its home stays)
set -eu
root=$1
shift
fail() { echo "$*" >&2; exit 3; }
inside() { case "$(realpath -m "$root/$1")" in "$root"/*) ;; *) fail "/$1 leads out of the jail's root" ;; esac; }
without() {
  inside "$1"
  [ -f "$root/$1" ] || { mkdir -p "$root/${1%/*}"; : >"$root/$1"; }
  awk -F: -v n="$2" '$1 != n' "$root/$1" >"$root/$1.converge"
  cat "$root/$1.converge" >"$root/$1"
  rm -f "$root/$1.converge"
}
while [ $# -gt 0 ]; do
  op=$1
  case $op in
    resolv)
      inside etc
      mkdir -p "$root/etc"
      rm -f "$root/etc/resolv.conf"
      printf '%s' "$2" >"$root/etc/resolv.conf"
      chmod 644 "$root/etc/resolv.conf"
      shift 2
      ;;
    user)
      name=$2 uid=$3 gid=$4 sudo=$5 key=$6
      shift 6
      inside etc/passwd
      if [ -z "$uid" ]; then
        uid=$(awk -F: -v n="$name" '$1 == n { print $3 }' "$root/etc/passwd" 2>/dev/null || true)
      fi
      if [ -z "$uid" ]; then
        uid=$(awk -F: 'BEGIN { m = 999 } $3 >= 1000 && $3 < 60000 && $3 > m { m = $3 } END { print m + 1 }' \
          "$root/etc/passwd" 2>/dev/null || echo 1000)
      fi
      [ -n "$gid" ] || gid=$uid
      without etc/passwd "$name"
      without etc/shadow "$name"
      echo "$name:x:$uid:$gid::/home/$name:/bin/sh" >>"$root/etc/passwd"
      echo "$name:!:1:0:99999:7:::" >>"$root/etc/shadow"
      chmod 640 "$root/etc/shadow"
      if ! awk -F: -v g="$gid" '$3 == g { found = 1 } END { exit !found }' "$root/etc/group" 2>/dev/null; then
        without etc/group "$name"
        echo "$name:x:$gid:" >>"$root/etc/group"
      fi
      inside "home/$name/.ssh/authorized_keys"
      mkdir -p "$root/home/$name"
      chown "$uid:$gid" "$root/home/$name"
      chmod 750 "$root/home/$name"
      if [ -n "$key" ]; then
        install -d -m 700 -o "$uid" -g "$gid" "$root/home/$name/.ssh"
        rm -f "$root/home/$name/.ssh/authorized_keys"
        (umask 077 && printf '%s\n' "$key" >"$root/home/$name/.ssh/authorized_keys")
        chown "$uid:$gid" "$root/home/$name/.ssh/authorized_keys"
      elif [ -d "$root/home/$name/.ssh" ]; then
        rm -f "$root/home/$name/.ssh/authorized_keys"
      fi
      inside "etc/sudoers.d/converge-$name"
      rm -f "$root/etc/sudoers.d/converge-$name"
      if [ "$sudo" = true ]; then
        mkdir -p "$root/etc/sudoers.d"
        (umask 337 && printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$name" >"$root/etc/sudoers.d/converge-$name")
        chmod 440 "$root/etc/sudoers.d/converge-$name"
      fi
      ;;
    drop)
      name=$2
      shift 2
      without etc/passwd "$name"
      without etc/shadow "$name"
      without etc/group "$name"
      inside "etc/sudoers.d/converge-$name"
      rm -f "$root/etc/sudoers.d/converge-$name"
      ;;
    *) fail "unknown operation $op" ;;
  esac
done
