# Sourced by the repository's scripts: installs what a fresh Debian machine of this kind lacks.
# shellcheck shell=bash

# ensure_packages PKG...: apt-get install the Debian packages whose marker command is missing.
ensure_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> installing ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "need root to apt-get install ${missing[*]}" >&2
    return 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_dotnet() {
  command -v dotnet >/dev/null 2>&1 && return 0
  echo "the .NET 10 SDK is required (this machine kind ships it at /usr/bin/dotnet)" >&2
  return 1
}

# Everything the build, the tests and the demo use: Docker Engine, a registry for push/install, the static
# busybox the test images are made of, clang for Native AOT, iproute2/iptables for the datapath.
ensure_prerequisites() {
  ensure_dotnet || return 1
  ensure_packages docker.io docker-registry busybox-static clang iproute2 iptables procps curl
}
