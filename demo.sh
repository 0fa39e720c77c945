#!/usr/bin/env bash
# The main job, end to end on this machine: build the managed plugin bundle, install and enable it in the local
# Docker Engine (starting dockerd when none runs), start the Cilium agent simulator in datapath mode, create a
# Cilium network and show the seed's demo: app2 fetches http://app1. Cleans up afterwards unless --keep.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
# shellcheck source=tests/lib/prerequisites.sh
. tests/lib/prerequisites.sh

keep=0
case "${1:-}" in
  --keep) keep=1 ;;
  -h|--help) echo "usage: $0 [--keep]   (--keep leaves the plugin, network, app1 and the simulator running)"; exit 0 ;;
  "") ;;
  *) echo "demo.sh: unknown option '$1'" >&2; exit 2 ;;
esac

ensure_prerequisites
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
plugin="cilium/docker-plugin:$version"
image=cilium-demo/busybox:latest
run=/run/cilium-demo
mkdir -p "$run"
dockerd_pid="" sim_pid=""

cleanup() {
  set +e
  if [ "$keep" = 0 ]; then
    echo "==> cleaning up"
    docker rm -f app1 >/dev/null 2>&1
    docker network rm cilium-net >/dev/null 2>&1
    docker plugin rm -f "$plugin" >/dev/null 2>&1
    [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    [ -n "$dockerd_pid" ] && kill "$dockerd_pid" 2>/dev/null && wait "$dockerd_pid" 2>/dev/null
  else
    echo "==> left running: plugin $plugin, network cilium-net, container app1, simulator (pid ${sim_pid:-?}), logs in $run"
  fi
}
trap cleanup EXIT

if ! docker info >/dev/null 2>&1; then
  echo "==> starting dockerd (log: $run/dockerd.log)"
  dockerd >"$run/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 1 90); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start: see $run/dockerd.log" >&2; exit 1; }
fi

echo "==> building the Cilium agent simulator"
dotnet publish src/CiliumAgentSim/CiliumAgentSim.csproj -c Release -r linux-x64 -o artifacts/publish/cilium-agent-sim --nologo -v quiet
echo "==> starting the agent simulator in datapath mode (log: $run/agent-sim.log)"
artifacts/publish/cilium-agent-sim/cilium-agent-sim --datapath >"$run/agent-sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 50); do [ -S /var/run/cilium/cilium.sock ] && break; sleep 0.2; done
[ -S /var/run/cilium/cilium.sock ] || { echo "the simulator did not start: see $run/agent-sim.log" >&2; cat "$run/agent-sim.log" >&2; exit 1; }

echo "==> building and enabling the plugin $plugin"
./build-plugin.sh --name "$plugin" --force --enable
docker plugin ls

tests/images/busybox-image.sh "$image" >/dev/null
echo "==> docker network create --driver $plugin --ipam-driver $plugin cilium-net"
docker network create --driver "$plugin" --ipam-driver "$plugin" cilium-net
echo "==> docker run -d --name app1 --net cilium-net -l id=app1 $image httpd -f -p 80 -h /www"
docker run -d --name app1 --net cilium-net -l id=app1 "$image" httpd -f -p 80 -h /www
echo "app1 address: $(docker inspect -f '{{(index .NetworkSettings.Networks "cilium-net").IPAddress}}' app1)"
echo "==> docker run --rm --net cilium-net -l id=app2 $image wget -qO- http://app1"
docker run --rm --net cilium-net -l id=app2 "$image" wget -qO- http://app1

echo "==> the Cilium endpoints (labels copied from the containers)"
curl -s --unix-socket /var/run/cilium/cilium.sock http://localhost/v1/endpoint \
  | python3 -c 'import json,sys
for ep in json.load(sys.stdin):
    st = ep.get("status", {})
    ids = st.get("external-identifiers", {})
    print(ep["id"], ids.get("container-name", "?"), st.get("state"), st.get("identity", {}).get("labels"))'
