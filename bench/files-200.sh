#!/usr/bin/env bash
# The 200-file local spec through the real CLI (./converge, with its class-data-sharing archive):
#   - wall time of a no-op converge (best and median of 10), minus the JVM's own start (a main that returns)
#   - JVM start to first probe, from --timings
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d /tmp/converge-bench-files.XXXXXX)"
trap 'rm -rf "$work"' EXIT
spec="$work/site.yaml"
{
  echo "site: bench200"
  echo "hosts:"
  echo "  box: { transport: local }"
  echo "files:"
  for i in $(seq 0 199); do
    echo "  - { host: box, path: $work/files/d$((i % 10))/f$i.conf, mode: \"0640\", content: \"index = $i\\n\" }"
  done
} > "$spec"

"$home/converge" "$spec" > /dev/null
"$home/converge" "$spec" > /dev/null   # the second run records/uses the CDS archive

ms() { date +%s%N | cut -c1-13; }
times=()
for _ in $(seq 10); do
  t0=$(ms); "$home/converge" "$spec" > /dev/null; t1=$(ms)
  times+=($((t1 - t0)))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
cat > "$work/Noop.java" <<'JAVA'
public class Noop { public static void main(String[] a) {} }
JAVA
javac -d "$work" "$work/Noop.java"
jvm=()
for _ in $(seq 10); do
  t0=$(ms); java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work" Noop; t1=$(ms)
  jvm+=($((t1 - t0)))
done
jsorted=($(printf '%s\n' "${jvm[@]}" | sort -n))
echo "no-op converge of 200 local files: best ${sorted[0]} ms, median ${sorted[5]} ms (10 runs)"
echo "bare JVM start+exit:               best ${jsorted[0]} ms, median ${jsorted[5]} ms"
echo "beyond JVM start:                  median $((sorted[5] - jsorted[5])) ms"
echo "phases of one no-op run (ms since JVM start):"
"$home/converge" --timings "$spec" 2>&1 >/dev/null | sed 's/^/  /'
