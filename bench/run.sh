#!/usr/bin/env bash
# Runs every benchmark of bench/README.md and writes the results to bench/results/latest.md.
#   Publishes the Native AOT binaries (Release) when they are missing or older than their sources, builds the load
#   generator, then runs: protocol load at C=8 for our plugin without and with veth creation and for the original
#   Go plugin (the peer, in the same run, with the ratios), protocol load at C=1, start-up of both plugins, and
#   docker run against the default bridge. Each benchmark starts what it needs and stops only what it started.
# Usage: bench/run.sh [--quick] [--no-docker]
#   --quick      small counts, for a smoke check; writes bench/results/quick.md instead
#   --no-docker  skip the docker run benchmark (no Docker Engine involved at all)
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# shellcheck source=tests/lib/prerequisites.sh
. tests/lib/prerequisites.sh

quick=0 docker=1
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    --no-docker) docker=0 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$arg'" >&2; exit 2 ;;
  esac
done

ensure_prerequisites || exit 1
# Taken before anything runs: the commit the figures belong to.
commit="$(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# publish PROJECT_DIR OUT_DIR BINARY: dotnet publish unless OUT_DIR/BINARY is newer than every source it is built from.
publish() {
  local project=$1 out=$2 binary=$3
  if [ -x "$out/$binary" ] && [ -z "$(find "$project" Directory.Build.props Directory.Packages.props -newer "$out/$binary" \
       -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.json' \) -not -path '*/obj/*' -not -path '*/bin/*' | head -n 1)" ]; then
    echo "==> $out/$binary is up to date"
    return 0
  fi
  echo "==> publishing $binary (Release, Native AOT)"
  dotnet publish "$project" -c Release -r linux-x64 -o "$out" --nologo -v quiet -p:TreatWarningsAsErrors=true
}

publish src/CiliumDocker artifacts/publish/cilium-docker cilium-docker || exit 1
publish src/CiliumAgentSim artifacts/publish/cilium-agent-sim cilium-agent-sim || exit 1
export CILIUM_DOCKER_BIN="$here/artifacts/publish/cilium-docker/cilium-docker"
export CILIUM_AGENT_SIM_BIN="$here/artifacts/publish/cilium-agent-sim/cilium-agent-sim"
# The plugin runs here as the managed plugin runs: with the GC settings config.json gives its environment (a Native
# AOT binary reads them only from there). Inline socket completions are the plugin's own default without the
# variable; exported here they would also change the load generator and the simulator.
while IFS='=' read -r name value; do
  export "$name=$value"
done < <(python3 -c 'import json; [print(e["name"] + "=" + e["value"]) for e in json.load(open("config.json"))["env"] if e["name"].startswith("DOTNET_GC")]')
# The peer: Cilium's own cilium-docker (shared/real-cilium/README.md), decompressed here, never committed.
original_xz=${CILIUM_DOCKER_ORIGINAL_XZ:-$here/../shared/real-cilium/bin/cilium-docker-original.xz}
original=artifacts/original/cilium-docker-original
if [ -z "${CILIUM_DOCKER_ORIGINAL_BIN:-}" ] && { [ ! -x "$original" ] || [ "$original_xz" -nt "$original" ]; }; then
  [ -f "$original_xz" ] || { echo "bench/run.sh: the original plugin $original_xz is missing (set CILIUM_DOCKER_ORIGINAL_XZ or CILIUM_DOCKER_ORIGINAL_BIN)" >&2; exit 1; }
  echo "==> decompressing the original plugin to $original"
  mkdir -p "$(dirname "$original")"
  xz -dc "$original_xz" > "$original.partial" && chmod +x "$original.partial" && mv "$original.partial" "$original" || exit 1
fi
export CILIUM_DOCKER_ORIGINAL_BIN="${CILIUM_DOCKER_ORIGINAL_BIN:-$here/$original}"
echo "==> building the load generator"
dotnet build bench/CiliumDocker.Bench -c Release -o artifacts/bench --nologo -v quiet -p:TreatWarningsAsErrors=true || exit 1

if [ "$quick" = 1 ]; then
  lifecycles=300 single=100 runs=5 containers=5 rounds=1 out=bench/results/quick.md
else
  lifecycles=2000 single=1000 runs=20 containers=50 rounds=3 out=bench/results/latest.md
fi

mkdir -p bench/results
body=$(mktemp)
trap 'rm -f "$body"' EXIT
failed=0
bench() {
  echo "==> CiliumDocker.Bench $*"
  local section load
  section=$(mktemp)
  # The machine may be shared: the load before each benchmark says how much to trust its figures.
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  dotnet artifacts/bench/CiliumDocker.Bench.dll "$@" | tee "$section"
  local rc=${PIPESTATUS[0]}
  if [ "$rc" != 0 ]; then
    failed=1
    printf '### `%s` failed (exit %s)\n\n' "$*" "$rc" >> "$body"
  fi
  { echo "Command: \`dotnet artifacts/bench/CiliumDocker.Bench.dll $*\` (load average before: $load)"; echo; cat "$section"; } >> "$body"
  rm -f "$section"
}

# Ours without veth, the original (veth, in a netns), ours with veth: one invocation, the same load, the ratios;
# several rounds in rotating order, because the box is shared and its load drifts between runs.
bench protocol --concurrency 8 --lifecycles "$lifecycles" --compare-original --rounds "$rounds"
bench protocol --concurrency 1 --lifecycles "$single"
bench startup --runs "$runs" --compare-original
if [ "$docker" = 1 ]; then
  bench docker --containers "$containers"
  bench docker --containers "$containers" --agent-datapath
fi

machine="$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r), $(dockerd --version 2>/dev/null || echo 'no dockerd')"
{
  echo "# Benchmark results"
  echo
  echo "Written by \`bench/run.sh$([ $# -gt 0 ] && printf ' %s' "$@")\` on $(date -u '+%Y-%m-%d %H:%M UTC'), commit $commit."
  echo "Machine: $machine."
  echo
  cat "$body"
} > "$out"
echo "==> wrote $out"
exit "$failed"
