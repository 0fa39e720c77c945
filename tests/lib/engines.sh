# Sourced by the repository's scripts: newer Docker Engines than Debian 12's docker.io 20.10, taken from Debian's own
# trixie (docker.io 26.1.x) and sid (docker.io 28.5.x) packages, unpacked beside the system and never installed.
# Findings, commands and timings: tests/lib/engines.md.
# shellcheck shell=bash
#
#   ensure_engine trixie|sid        fetches and unpacks the engine once, prints the path of its dockerd
#                                   (DIR/bin/dockerd; DIR/bin also holds docker, docker-proxy, docker-init, containerd,
#                                   containerd-shim-runc-v2, ctr and runc, so PATH="DIR/bin:$PATH" finds the set)
#   engine_start SUITE RUN [ARGS]   starts its containerd and dockerd with everything of their own under RUN
#                                   (socket RUN/docker.sock), extra ARGS go to dockerd; waits until it answers
#   engine_stop RUN                 stops them by PID, unmounts what is left under RUN, deletes the links they made
#   engine_restore_firewall RUN     puts back the iptables/ip6tables rules and ip_forward saved by engine_start
#
# What each engine runs on here (Debian 12, glibc 2.36, cgroup v1 hybrid, iptables 1.8.9 nft):
#   dockerd, docker-proxy, docker, containerd, containerd-shim-runc-v2, ctr of trixie and sid need only GLIBC_2.34
#   (and libsystemd0), so they run on bookworm as they are. Their runc (trixie 1.1.15, sid 1.3.6) needs GLIBC_2.38
#   and does not: the engines use the system's runc 1.1.5 (bookworm), linked as DIR/bin/runc.
#   containerd: each engine uses the containerd of its own suite (trixie 1.7.24, sid 2.1.9), started by engine_start
#   with its own root, state and socket; never the host's /run/containerd (a second dockerd on a shared containerd
#   would share the "moby" namespace with the first). dockerd started without --containerd would use
#   /run/containerd/containerd.sock if that file merely exists, and only otherwise supervise a containerd of its own
#   found on PATH.
#   docker-init: the deb's usr/bin/docker-init is a relative link to tini-static (trixie: in package tini,
#   sid: in package tini-static); it is given to dockerd with --init-path.
#   docker-proxy: given with --userland-proxy-path; 28.x hands the proxy its listening socket (-use-listen-fd),
#   which the system's 20.10 docker-proxy on PATH does not know.
#   docker CLI: shipped in package docker-cli (not in docker.io) in both suites; it is fetched too.

ENGINES_ROOT=${ENGINES_ROOT:-/opt/cilium-docker-engines}
ENGINES_CACHE=${ENGINES_CACHE:-/var/cache/cilium-docker-engines}

# _engine_suite SUITE: sets _engine_packages and _engine_expect (the docker.io version prefix) for SUITE.
_engine_suite() {
  case "$1" in
    trixie) _engine_packages=(docker.io docker-cli containerd tini) _engine_expect=26.1. ;;
    sid) _engine_packages=(docker.io docker-cli containerd tini-static) _engine_expect=28.5. ;;
    *)
      echo "unknown engine '$1': trixie (docker.io 26.1) or sid (docker.io 28.5)" >&2
      return 1
      ;;
  esac
}

# _engine_apt SUITE ARGS...: apt-get with a configuration of its own for SUITE (ENGINES_CACHE/SUITE/apt.conf, the
# equivalent of -o Dir::Etc::SourceList=... -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=...
# -o Dir::Cache=... -o Dir::State::status=EMPTY -o APT::Architecture=amd64 ...). Given as APT_CONFIG, it is read
# before /etc/apt/apt.conf.d, so its Dir::Etc::Parts keeps the system's parts out too (appstream's DEP-11 lists and
# update hooks, the bookworm snapshot's Check-Valid-Until "false"); the empty status file keeps out the system's
# dpkg database, so nothing is compared with or resolved against what bookworm has installed.
_engine_apt() {
  local suite=$1 cache=$ENGINES_CACHE/$1
  shift
  if [ ! -f "$cache/apt.conf" ]; then
    mkdir -p "$cache/etc/apt.conf.d" "$cache/state/lists/partial" "$cache/cache/archives/partial" "$cache/debs"
    : > "$cache/state/status"
    echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $suite main" \
      > "$cache/etc/sources.list"
    # Carried over from the system's configuration: its proxy, and whether its mirror's Release files may be past
    # their Valid-Until (the mirror here is a snapshot: sid's InRelease is weeks past its Valid-Until).
    local proxy='' valid_until='' check_date=''
    eval "$(apt-config shell proxy Acquire::http::Proxy valid_until Acquire::Check-Valid-Until check_date Acquire::Check-Date)"
    {
      cat <<EOF
Dir::Etc::Parts "$cache/etc/apt.conf.d";
Dir::Etc::Main "/dev/null";
Dir::Etc::SourceList "$cache/etc/sources.list";
Dir::Etc::SourceParts "/dev/null";
Dir::Etc::Preferences "/dev/null";
Dir::Etc::PreferencesParts "/dev/null";
Dir::State "$cache/state";
Dir::State::Lists "$cache/state/lists";
Dir::State::status "$cache/state/status";
Dir::Cache "$cache/cache";
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Architecture "amd64";
APT::Architectures { "amd64"; };
Acquire::Languages { "none"; };
Acquire::GzipIndexes "true";
APT::Sandbox::User "root";
EOF
      if [ -n "$proxy" ]; then echo "Acquire::http::Proxy \"$proxy\";"; fi
      if [ -n "$valid_until" ]; then echo "Acquire::Check-Valid-Until \"$valid_until\";"; fi
      if [ -n "$check_date" ]; then echo "Acquire::Check-Date \"$check_date\";"; fi
    } > "$cache/apt.conf.new"
    mv "$cache/apt.conf.new" "$cache/apt.conf"
  fi
  APT_CONFIG=$cache/apt.conf apt-get -qq "$@"
}

# _engine_download SUITE: the suite's debs into ENGINES_CACHE/SUITE/debs, refreshing the lists when they are missing
# or a day old, and once more when the mirror no longer holds what they name.
_engine_download() {
  local suite=$1 debs=$ENGINES_CACHE/$1/debs lists=$ENGINES_CACHE/$1/state/lists
  if [ -z "$(find "$lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null)" ]; then
    _engine_apt "$suite" update >/dev/null || return 1
  fi
  rm -f "$debs"/*.deb
  (cd "$debs" && _engine_apt "$suite" download "${_engine_packages[@]}" >/dev/null) && return 0
  _engine_apt "$suite" update >/dev/null || return 1
  (cd "$debs" && _engine_apt "$suite" download "${_engine_packages[@]}" >/dev/null)
}

# _engine_unpack SUITE: the downloaded debs, dpkg -x'd into a new ENGINES_ROOT/SUITE, its bin/ linked, VERSIONS last.
_engine_unpack() {
  local suite=$1 dir=$ENGINES_ROOT/$1 debs=$ENGINES_CACHE/$1/debs
  local version
  version=$(dpkg-deb -f "$debs"/docker.io_*.deb Version) || return 1
  case "$version" in
    "$_engine_expect"*) ;;
    *)
      echo "$suite now has docker.io $version, not ${_engine_expect}x: update tests/lib/engines.sh" >&2
      return 1
      ;;
  esac
  local stage=$dir.new.$$ deb tool
  rm -rf "$stage"
  mkdir -p "$stage/bin"
  for deb in "$debs"/*.deb; do
    dpkg -x "$deb" "$stage/root" || { rm -rf "$stage"; return 1; }
    # shellcheck disable=SC2016 # dpkg-deb's own ${field} syntax
    dpkg-deb -W --showformat='${Package} ${Version}\n' "$deb" >> "$stage/versions"
  done
  for tool in sbin/dockerd sbin/docker-proxy bin/docker bin/docker-init bin/containerd bin/containerd-shim-runc-v2 bin/ctr; do
    [ -e "$stage/root/usr/$tool" ] || { echo "$suite: usr/$tool is in none of the debs" >&2; rm -rf "$stage"; return 1; }
    ln -s "../root/usr/$tool" "$stage/bin/${tool#*/}"
  done
  ln -s /usr/sbin/runc "$stage/bin/runc"
  for tool in dockerd docker containerd docker-init; do
    "$stage/bin/$tool" --version >/dev/null 2>&1 || {
      echo "$suite: $tool does not run here: $("$stage/bin/$tool" --version 2>&1 | head -n 1)" >&2
      rm -rf "$stage"
      return 1
    }
  done
  mv "$stage/versions" "$stage/VERSIONS"
  rm -rf "$dir"
  mv "$stage" "$dir"
  rm -f "$debs"/*.deb
}

# ensure_engine SUITE: fetches and unpacks docker.io of Debian SUITE (trixie or sid) once, prints DIR/bin/dockerd.
# Once done it only tests two files; rm -rf ENGINES_ROOT/SUITE fetches afresh.
ensure_engine() {
  local suite=$1
  _engine_suite "$suite" || return 1
  local dir=$ENGINES_ROOT/$suite
  if [ ! -f "$dir/VERSIONS" ] || [ ! -x "$dir/bin/dockerd" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "need root to fetch the $suite Docker Engine into $dir" >&2
      return 1
    fi
    [ -x /usr/sbin/runc ] || { echo "the $suite engine uses the system's runc: apt-get install runc" >&2; return 1; }
    mkdir -p "$ENGINES_CACHE/$suite" "$ENGINES_ROOT"
    local fetched=0
    {
      flock 9
      if [ -f "$dir/VERSIONS" ]; then
        fetched=1 # by another caller while this one waited
      else
        echo "==> fetching the $suite Docker Engine (${_engine_packages[*]})" >&2
        _engine_download "$suite" && _engine_unpack "$suite" && fetched=1
      fi
    } 9> "$ENGINES_CACHE/$suite/lock"
    [ "$fetched" = 1 ] || { echo "could not set up the $suite Docker Engine in $dir" >&2; return 1; }
  fi
  echo "$dir/bin/dockerd"
}

# _engine_wait SECONDS COMMAND...: runs COMMAND every 0.2 s until it succeeds or SECONDS have passed.
_engine_wait() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -ge "$deadline" ] && return 1
    sleep 0.2
  done
}

# _engine_links: the names of the host's network links, one a line.
_engine_links() {
  ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort
}

# engine_start SUITE RUN [DOCKERD-ARGS...]: starts SUITE's containerd and dockerd with their data, state and sockets
# under RUN (keep RUN short: unix socket paths end at 107 bytes). Logs: RUN/containerd.log, RUN/dockerd.log.
# Like any dockerd it shares the host's network namespace: it sets net.ipv4.ip_forward=1 (FORWARD policy DROP when it
# had to), adds its DOCKER* iptables chains and creates docker0 unless -b/--bridge names another. Another dockerd
# running at the same time shares those chains and docker0 with it: give this one --bip and its own bridge then.
engine_start() {
  local suite=$1 run=$2
  shift 2
  local dockerd
  dockerd=$(ensure_engine "$suite") || return 1
  local bin
  bin=$(dirname "$dockerd")
  mkdir -p "$run"
  run=$(cd "$run" && pwd)
  _engine_links > "$run/links.before"
  # The firewall as it was before the first start under RUN: a restart (stop, start) keeps what the first one saved,
  # so engine_restore_firewall puts back the host's rules, not the engine's own from its previous run.
  if [ ! -f "$run/ip_forward.before" ]; then
    iptables-save > "$run/iptables.before"
    ip6tables-save > "$run/ip6tables.before"
    sysctl -n net.ipv4.ip_forward > "$run/ip_forward.before"
  fi
  [ -d /run/containerd ] && touch "$run/run-containerd.existed"
  # What dockerd writes for the containerd it supervises, 26.1 and 28.5 alike (containerd 2.x migrates version 2 on
  # load, with one warning): CRI off, everything under RUN.
  cat > "$run/containerd.toml" <<EOF
version = 2
root = "$run/containerd/root"
state = "$run/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$run/containerd.sock"
EOF
  PATH="$bin:$PATH" "$bin/containerd" --config "$run/containerd.toml" < /dev/null > "$run/containerd.log" 2>&1 &
  echo $! > "$run/containerd.pid"
  if ! _engine_wait 30 "$bin/ctr" --address "$run/containerd.sock" version; then
    echo "containerd ($suite) did not answer within 30 s: $(tail -n 1 "$run/containerd.log")" >&2
    engine_stop "$run"
    return 1
  fi
  PATH="$bin:$PATH" "$bin/dockerd" --data-root "$run/data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
    -H "unix://$run/docker.sock" --containerd "$run/containerd.sock" \
    --userland-proxy-path "$bin/docker-proxy" --init-path "$bin/docker-init" "$@" < /dev/null > "$run/dockerd.log" 2>&1 &
  echo $! > "$run/dockerd.started.pid" # dockerd removes its --pidfile as it exits; this one stays for engine_stop
  local deadline=$((SECONDS + 90)) pid
  pid=$(cat "$run/dockerd.started.pid")
  until "$bin/docker" -H "unix://$run/docker.sock" version > /dev/null 2>&1; do
    if ! _engine_alive "$pid" "$run" || [ "$SECONDS" -ge "$deadline" ]; then
      echo "dockerd ($suite) did not start answering: $(tail -n 1 "$run/dockerd.log")" >&2
      engine_stop "$run"
      return 1
    fi
    sleep 0.2
  done
}

# _engine_alive PID RUN: whether PID is a live (not zombie) process whose command line names RUN, so a PID file
# left from an earlier run never stops an unrelated process that got the same PID.
_engine_alive() {
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$2" || return 1
  [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# _engine_kill PIDFILE RUN SECONDS: TERM to the process of PIDFILE, KILL after SECONDS.
_engine_kill() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 0
  [ -n "$pid" ] && _engine_alive "$pid" "$2" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  if ! _engine_wait "$3" eval "! _engine_alive $pid '$2'"; then
    echo "$pid ($1) still runs $3 s after TERM: KILL" >&2
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  wait "$pid" 2>/dev/null || true # reaps it when this shell started it
  return 0
}

# engine_stop RUN: stops the engine engine_start started under RUN, by PID, then its leftover shims, mounts and the
# links it created (docker0, br-*, veth*). RUN itself (data, logs) is left to the caller.
engine_stop() {
  local run
  run=$(cd "$1" && pwd) || return 1
  _engine_kill "$run/dockerd.started.pid" "$run" 60
  _engine_kill "$run/containerd.pid" "$run" 30
  # Shims of containers dockerd did not stop carry RUN's containerd address on their command line.
  local proc pid
  for proc in /proc/[0-9]*; do
    pid=${proc#/proc/}
    tr '\0' ' ' < "$proc/cmdline" 2>/dev/null | grep -q -- "-address $run/containerd.sock" && { kill -KILL "$pid" 2>/dev/null || true; }
  done
  local mnt
  awk -v run="$run/" 'index($2, run) == 1 { print $2 }' /proc/self/mounts | sort -r | while read -r mnt; do
    umount "$mnt" 2>/dev/null || umount -l "$mnt"
  done
  if [ -f "$run/links.before" ]; then
    local link
    { _engine_links | comm -13 "$run/links.before" - | grep -E '^(docker0|br-[0-9a-f]+|veth[0-9a-f]+)$' || true; } |
      while read -r link; do ip link delete "$link" 2>/dev/null || true; done
  fi
  # Shim sockets go to /run/containerd/s whatever containerd's state directory is.
  if [ ! -f "$run/run-containerd.existed" ]; then
    rmdir /run/containerd/s /run/containerd 2>/dev/null || true
  fi
  return 0
}

# engine_restore_firewall RUN: puts back the iptables and ip6tables rules and net.ipv4.ip_forward saved when
# engine_start first began under RUN (after engine_stop). 28.x leaves its DOCKER-FORWARD, DOCKER-CT and DOCKER-BRIDGE
# chains and rewrites FORWARD, which later 20.10 or 26.1 daemons do not undo. Whole tables are replaced: whatever
# else changed them since engine_start (an agent's datapath rules) is undone too.
engine_restore_firewall() {
  local run=$1
  if [ ! -f "$run/iptables.before" ] || [ ! -f "$run/ip6tables.before" ]; then
    echo "$run holds no firewall saved by engine_start" >&2
    return 1
  fi
  iptables-restore < "$run/iptables.before" && ip6tables-restore < "$run/ip6tables.before" &&
    sysctl -q -w net.ipv4.ip_forward="$(cat "$run/ip_forward.before")"
}
