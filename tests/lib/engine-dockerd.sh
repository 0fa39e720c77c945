#!/usr/bin/env bash
# A newer Docker Engine as one foreground process, for the test kit's DockerDaemon (E2E_DOCKERD="this-script SUITE"):
# starts the engine of Debian SUITE (tests/lib/engines.sh) with everything of its own under ENGINE_RUN, answering on
# /var/run/docker.sock as the system's engine would (the plugin's label watcher and the docker CLI use that socket),
# and on SIGTERM stops it by PID with its containerd, mounts and links. The data root outlives a stop, so a restart
# (DockerDaemon.Restart) finds its containers, plugins and networks again, as `systemctl restart docker` would.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/engines.sh
. "$here/engines.sh"

suite=${1:?usage: engine-dockerd.sh trixie|sid}
run=${ENGINE_RUN:?ENGINE_RUN names the directory for the data, sockets and logs of the engine}

stopping=0
trap 'stopping=1' TERM INT
engine_start "$suite" "$run" -H unix:///var/run/docker.sock || exit 1
pid=$(cat "$run/dockerd.started.pid")
echo "engine $suite: dockerd $pid answering (logs: $run/dockerd.log, $run/containerd.log)"
while [ "$stopping" = 0 ] && _engine_alive "$pid" "$run"; do
  sleep 1 &
  wait $! 2>/dev/null
done
if [ "$stopping" = 0 ]; then
  echo "engine $suite: dockerd $pid exited by itself; the last lines of its log:"
  tail -n 20 "$run/dockerd.log"
fi
engine_stop "$run"
[ "$stopping" = 1 ]
