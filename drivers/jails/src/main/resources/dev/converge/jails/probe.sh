# Reads every named jail in one pass (arguments: jail names). Per jail it prints a `jail NAME` line, then `absent`
# when the jail has no converge record, else tab-separated facts that JailProbe parses: the record, the image marker,
# the namespace's address and default route, the start process and the hostname it sees, the mounts under the root,
# and the files inside the root that converge provisions. Files are read only when their real path stays inside the
# root, so that a symbolic link planted in a jail never shows a host file in a plan.
# Whether PID is the jail's start process: its command line names the jail's root (unshare's --mount-proc=ROOT/proc,
# systemd-nspawn's --directory=ROOT), which no other process's does, a reused PID included.
ours() {
  [ -n "$1" ] && tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF -e "--mount-proc=$root/proc" -e "--directory=$root"
}
for name do
  jail=/var/lib/jails/$name root=/var/lib/jails/$name/root ns=cj-$name
  printf 'jail\t%s\n' "$name"
  if [ ! -f "$jail/jail.json" ]; then echo absent; continue; fi
  printf 'record\t%s\n' "$(base64 -w0 <"$jail/jail.json")"
  image=$(sed -n 's/.*"image-dir":"\([^"]*\)".*/\1/p' "$jail/jail.json")
  if [ -n "$image" ] && [ -f "$image/image.json" ]; then
    printf 'marker\t%s\n' "$(base64 -w0 <"$image/image.json")"
  fi
  if [ -e "/run/netns/$ns" ]; then
    printf 'address\t%s\n' "$(ip -n "$ns" -j addr show dev eth0 2>/dev/null | base64 -w0)"
    printf 'route\t%s\n' "$(ip -n "$ns" -j route show default 2>/dev/null | base64 -w0)"
  fi
  pid=$(cat "$jail/pid" 2>/dev/null || true)
  if ours "$pid"; then
    child=$(cut -d' ' -f1 "/proc/$pid/task/$pid/children" 2>/dev/null || true)
    seen=""
    if [ -n "$child" ]; then seen=$(nsenter -t "$child" -u hostname 2>/dev/null || true); fi
    printf 'running\t%s\t%s\n' "$pid" "$seen"
  fi
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print "mount\t" $5 "\t" $6 }' /proc/self/mountinfo
  inside() { case "$(realpath -m "$1")" in "$root"/*) return 0 ;; esac; return 1; }
  for f in etc/passwd etc/resolv.conf; do
    if [ -f "$root/$f" ] && inside "$root/$f"; then printf 'file\t%s\t%s\n' "$f" "$(base64 -w0 <"$root/$f")"; fi
  done
  for f in "$root"/etc/sudoers.d/converge-*; do
    if [ -f "$f" ] && inside "$f"; then printf 'sudo\t%s\t%s\n' "${f##*/converge-}" "$(stat -c '%a %u %g' "$f")"; fi
  done
  for f in "$root"/home/*/.ssh/authorized_keys; do
    if [ -f "$f" ] && inside "$f"; then
      user=${f#"$root"/home/}
      printf 'keys\t%s\t%s\t%s\n' "${user%%/*}" "$(stat -c '%a %u %g' "$f")" "$(base64 -w0 <"$f")"
    fi
  done
  if [ -f "$root/var/lib/dpkg/status" ] && inside "$root/var/lib/dpkg/status"; then
    printf 'dpkg\t%s\n' "$(awk '/^Package:/ { p = $2 } /^Status: install ok installed/ { print p }' \
      "$root/var/lib/dpkg/status" | tr '\n' ' ')"
  fi
done
