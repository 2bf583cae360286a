# The build an image's `current` link points at, and its marker. Argument: the image's directory.
# Prints the build's directory on the first line and its image.json after it; exit 3 when there is no marked build.
set -eu
build=$(readlink -e "$1/current") || { echo "$1/current does not exist" >&2; exit 3; }
[ -f "$build/image.json" ] || { echo "the build $build has no marker image.json (half-built?)" >&2; exit 3; }
echo "$build"
cat "$build/image.json"
