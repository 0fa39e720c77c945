#!/usr/bin/env bash
# Runs every test suite of the project and ends with one line: "N passed, N failed, N skipped".
#   unit + integration tests of the plugin and of the agent simulator (published AOT binaries included),
#   then the end-to-end suite against a real Docker Engine (started here when none runs), and again on Docker 26.1 and 28.5,
#   then, with the real Cilium agent of ../shared/real-cilium, the agent contract suite and the end-to-end RealAgent category.
# Installs missing packages first. Exits non-zero if anything failed or no test ran.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
# shellcheck source=tests/lib/prerequisites.sh
. tests/lib/prerequisites.sh
# shellcheck source=tests/lib/engines.sh
. tests/lib/engines.sh
ensure_prerequisites || exit 1
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
build_failed=0

echo "==> build"
dotnet build CiliumDocker.slnx -c Release --nologo -v quiet -p:TreatWarningsAsErrors=true || build_failed=1
echo "==> publish Native AOT binaries"
dotnet publish src/CiliumDocker/CiliumDocker.csproj -c Release -r linux-x64 -o artifacts/publish/cilium-docker \
  --nologo -v quiet -p:TreatWarningsAsErrors=true || build_failed=1
dotnet publish src/CiliumAgentSim/CiliumAgentSim.csproj -c Release -r linux-x64 -o artifacts/publish/cilium-agent-sim \
  --nologo -v quiet -p:TreatWarningsAsErrors=true || build_failed=1
export CILIUM_DOCKER_BIN="$here/artifacts/publish/cilium-docker/cilium-docker"
export CILIUM_AGENT_SIM_BIN="$here/artifacts/publish/cilium-agent-sim/cilium-agent-sim"

# run_suite PROJECT [RUN-NAME [dotnet test options...]]: one log per run, summed at the end.
run_suite() {
  local project=$1 name=${2:-}
  shift $(( $# < 2 ? $# : 2 ))
  local log="$results/$(basename "$project")${name:+.$name}.log"
  echo "==> $project${name:+ ($name)}"
  dotnet test "$project" -c Release --no-build --nologo "$@" 2>&1 | tee "$log"
  echo "exit=${PIPESTATUS[0]}" >> "$log"
}

# The end-to-end suite once more on each newer engine (tests/lib/engines.sh: Debian trixie's docker.io 26.1 and sid's
# 28.5, unpacked beside the system's 20.10), one after another, each with a data root of its own that goes afterwards.
# 28.x rewrites the FORWARD chain and leaves its chains behind, so the firewall is put back after each engine.
run_engine_suite() {
  local suite=$1 run
  if ! ensure_engine "$suite" > /dev/null; then
    echo "the $suite Docker Engine could not be set up" > "$results/EndToEnd.Tests.engine-$suite.log"
    return
  fi
  run=$(mktemp -d /var/tmp/cde-XXXXXX)
  E2E_DOCKERD="$here/tests/lib/engine-dockerd.sh $suite" ENGINE_RUN="$run/engine" E2E_DOCKER_EXEC_ROOT="$run/engine/exec" \
    run_suite tests/EndToEnd.Tests "engine-$suite"
  [ -f "$run/engine/ip_forward.before" ] && engine_restore_firewall "$run/engine"
  if awk -v run="$run/" 'index($2, run) == 1 { found = 1 } END { exit !found }' /proc/self/mounts; then
    echo "$run still has mounts after the $suite engine stopped; left in place"
  else
    rm -rf "$run"
  fi
}

# The real Cilium agent runs last, started and stopped here: it changes host networking and takes the socket the
# end-to-end simulator uses. Against it run the contract suite (which also holds the simulator, 1.10 and 1.14 modes,
# to it) and the end-to-end suite's RealAgent category with its final leftover checks.
real_cilium=${REAL_CILIUM_HOME:-$here/../shared/real-cilium}
run_real_agent_suites() {
  local started=0
  echo "==> real Cilium agent ($real_cilium)"
  if [ -x "$real_cilium/start.sh" ] && "$real_cilium/start.sh"; then
    started=1
  else
    echo "the real agent did not start: its contract fixtures are skipped with the reason, and the end-to-end run fails"
  fi
  run_suite tests/AgentContract.Tests
  REAL_CILIUM_HOME=$real_cilium E2E_AGENT=real run_suite tests/EndToEnd.Tests real-agent \
    --filter "TestCategory=RealAgent|FullyQualifiedName~EndToEnd.Tests.Verification"
  [ "$started" = 1 ] && "$real_cilium/stop.sh"
}

if [ "$build_failed" = 0 ]; then
  for project in tests/CiliumDocker.Tests tests/CiliumAgentSim.Tests bench/CiliumDocker.Bench.Tests tests/EndToEnd.Tests; do
    run_suite "$project"
  done
  for suite in trixie sid; do
    run_engine_suite "$suite"
  done
  run_real_agent_suites
fi

# Sum VSTest's per-assembly summaries; a suite that crashed or printed none counts as one failure.
passed=0 failed=0 skipped=0
for log in "$results"/*.log; do
  [ -e "$log" ] || continue
  line=$(sed -n -E 's/.*(Passed|Failed)! +- Failed: +([0-9]+), Passed: +([0-9]+), Skipped: +([0-9]+).*/\3 \2 \4/p' "$log" | tail -n 1)
  if [ -z "$line" ]; then
    echo "no test summary in $(basename "$log" .log): counted as one failure"
    failed=$((failed + 1))
    continue
  fi
  read -r p f s <<< "$line"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  grep -q '^exit=0$' "$log" || [ "$f" -gt 0 ] || { echo "$(basename "$log" .log) exited non-zero"; failed=$((failed + 1)); }
done
[ "$build_failed" = 1 ] && { echo "the build failed"; failed=$((failed + 1)); }

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
