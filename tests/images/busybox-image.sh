#!/usr/bin/env bash
# Imports a tiny image built from Debian's busybox-static (no registry pull): busybox applets on PATH and a
# page under /www for `httpd -f -p 80 -h /www`. Usage: busybox-image.sh [IMAGE] (default cilium-demo/busybox:latest)
set -euo pipefail
image=${1:-cilium-demo/busybox:latest}
busybox=/bin/busybox
if ! [ -x "$busybox" ] || ldd "$busybox" >/dev/null 2>&1; then
  echo "busybox-image.sh: a static $busybox is needed: apt-get install busybox-static" >&2; exit 1
fi
if docker image inspect "$image" >/dev/null 2>&1; then echo "$image"; exit 0; fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/www" "$root/tmp" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ "$applet" = busybox ] || ln -s busybox "$root/bin/$applet"
done
echo "hello from app1" > "$root/www/index.html"
echo 'root:x:0:0:root:/:/bin/sh' > "$root/etc/passwd"
tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c 'CMD ["sh"]' - "$image" >/dev/null
echo "$image"
