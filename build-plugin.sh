#!/usr/bin/env bash
# Builds the Native AOT plugin binary, assembles the managed-plugin bundle (plugin/rootfs + plugin/config.json)
# and optionally creates, enables and pushes it with the docker CLI.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$here/Directory.Build.props")
name="cilium/docker-plugin:$version"
create=1 enable=0 push=0 force=0 binary=""

usage() {
  cat <<USAGE
Usage: $0 [options]

Builds the cilium-docker Native AOT binary, assembles plugin/rootfs and plugin/config.json, then
'docker plugin create' NAME plugin/.

Options:
  --name NAME[:TAG]   plugin reference (default $name); a registry reference such as
                      127.0.0.1:5000/cilium/docker-plugin:$version is needed for --push
  --binary PATH       use an already published cilium-docker binary instead of publishing
  --bundle-only       assemble plugin/ but do not talk to Docker
  --force             remove an existing plugin of the same name first (docker plugin rm -f)
  --enable            docker plugin enable NAME after creating it
  --push              docker plugin push NAME after creating it
  -h, --help          this text
USAGE
}

while [ $# -gt 0 ]; do
  case "$1" in
    --name) name=${2:?--name needs a value}; shift 2 ;;
    --name=*) name=${1#*=}; shift ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --binary=*) binary=${1#*=}; shift ;;
    --bundle-only) create=0; shift ;;
    --force) force=1; shift ;;
    --enable) enable=1; shift ;;
    --push) push=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "build-plugin.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
  esac
done
case "$name" in *:*) ;; *) name="$name:latest" ;; esac

need() {
  command -v "$1" >/dev/null 2>&1 || { echo "build-plugin.sh: '$1' not found: $2" >&2; exit 1; }
}
need ldd "install it with: apt-get install libc-bin"
need tar "install it with: apt-get install tar"
if [ -z "$binary" ]; then
  need dotnet "install the .NET 10 SDK (https://dot.net); this machine kind ships it"
  need clang "Native AOT links with clang: apt-get install clang"
  out="$here/artifacts/plugin-publish"
  echo "==> publishing the Native AOT binary"
  dotnet publish "$here/src/CiliumDocker/CiliumDocker.csproj" -c Release -r linux-x64 -o "$out" -p:TreatWarningsAsErrors=true --nologo -v quiet
  binary="$out/cilium-docker"
fi
[ -x "$binary" ] || { echo "build-plugin.sh: $binary is not an executable" >&2; exit 1; }

echo "==> assembling plugin/rootfs"
rootfs="$here/plugin/rootfs"
rm -rf "$rootfs"
mkdir -p "$rootfs/usr/bin" "$rootfs/run/docker/plugins" "$rootfs/var/run/cilium" "$rootfs/var/lib/cilium-docker" \
  "$rootfs/dev" "$rootfs/proc" "$rootfs/sys" "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
touch "$rootfs/var/run/docker.sock"
install -m 0755 "$binary" "$rootfs/usr/bin/cilium-docker"
# Exactly the shared objects the dynamic loader resolves for this binary (libc, libm, the loader itself).
ldd "$binary" | awk '/=> \//{print $3} /^\t\/.*ld-linux/{print $1}' | while read -r lib; do
  mkdir -p "$rootfs$(dirname "$lib")"
  cp -L "$lib" "$rootfs$lib"
done
if ldd "$binary" | grep -q 'not found'; then
  echo "build-plugin.sh: unresolved libraries:" >&2; ldd "$binary" >&2; exit 1
fi
cp "$here/config.json" "$here/plugin/config.json"

rootfs_bytes=$(du -sb "$rootfs" | cut -f1)
layer_bytes=$(tar -C "$rootfs" -czf - . | wc -c)
echo "rootfs: $rootfs_bytes bytes; compressed layer: $layer_bytes bytes"

[ "$create" = 1 ] || exit 0
need docker "install Docker Engine: apt-get install docker.io"
docker info >/dev/null 2>&1 || { echo "build-plugin.sh: the Docker daemon is not reachable (start it: dockerd &)" >&2; exit 1; }

if docker plugin inspect "$name" >/dev/null 2>&1; then
  if [ "$force" = 1 ]; then
    docker plugin rm -f "$name" >/dev/null
  else
    echo "build-plugin.sh: plugin $name already exists (use --force to replace it, or docker plugin upgrade)" >&2
    exit 1
  fi
fi
echo "==> docker plugin create $name"
docker plugin create "$name" "$here/plugin" >/dev/null
if [ "$enable" = 1 ]; then
  echo "==> docker plugin enable $name"
  docker plugin enable "$name" >/dev/null
fi
if [ "$push" = 1 ]; then
  echo "==> docker plugin push $name"
  docker plugin push "$name"
fi
echo "$name"
