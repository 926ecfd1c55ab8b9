#!/usr/bin/env bash
# The benchmark: our server, the bare netty-socketio floor and the lesson's egg-socket.io server, side by side in
# one run, each pinned to one core with the load generator on the other. Prints the table and writes it, with the
# raw numbers and a PNG chart, under bench/results/. What each number means: docs/benchmarks.md.
#
#   bench/run.sh                 set up (npm ci, gnuplot), build the jars (mvn install), run everything (~15 min)
#   bench/run.sh --quick         the same with short windows (~6 min; for trying the harness, not for quoting)
#   bench/run.sh --no-build      use the jars already built
#   bench/run.sh --only rt,churn,idle,cli   some scenarios only
#   bench/run.sh --peers ours,floor,floor-deflate,floor-tuned,egg   some peers only
#
# Bounded and local: loopback only, every loop bounded in count and time; every process it starts is stopped by
# pid when it ends, however it ends. Nothing here asserts a timing: it measures and reports.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench
server_jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar
cli_jar=$root/cloudscope-cli/core/cli/target/cloudscope.jar
bench_jar=$bench/target/cloudscope-bench.jar

quick=0 build=1 setup=1 only=rt,churn,idle,cli peers=ours,floor,floor-deflate,floor-tuned,egg generators=node,netty
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --no-setup) setup=0 ;;
    --only) only=$2; shift ;;
    --peers) peers=$2; shift ;;
    --generators) generators=$2; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
has() { [[ ",$1," == *",$2,"* ]]; }

# ---- sizes and times (all bounded) ------------------------------------------------------------------------------
warmup=5 duration=10 clients="100 1000" churn_concurrency=50 idle_levels=1000,5000 cli_runs=15 warm_seconds=25
if [ "$quick" = 1 ]; then
  warmup=2 duration=4 clients="100 1000" idle_levels=500,1000 cli_runs=3 warm_seconds=5
fi

# ---- cores: the server on one, the generator on the other -------------------------------------------------------
ncpu=$(nproc)
server_cpu=${BENCH_SERVER_CPU:-0}
gen_cpu=${BENCH_GEN_CPU:-$([ "$ncpu" -ge 2 ] && echo 1 || echo 0)}
port_base=${BENCH_PORT_BASE:-18710}

results=$bench/results
raw=$results/raw
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudscope-bench.XXXXXX")

# ---- process bookkeeping: everything started is stopped by pid ---------------------------------------------------
started=()          # pids of the servers and generators this script started and that have not ended yet
descendants() {     # the pid and all its descendants, from /proc
  local todo=("$1") out=() pid child
  while [ ${#todo[@]} -gt 0 ]; do
    pid=${todo[0]}; todo=("${todo[@]:1}")
    out+=("$pid")
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do todo+=("$child"); done
  done
  echo "${out[@]}"
}
stop_tree() {       # SIGTERM the root, wait up to 15 s for the whole tree, then SIGKILL what is left, by pid
  local root_pid=$1 tree pid i
  kill -0 "$root_pid" 2>/dev/null || return 0
  tree=$(descendants "$root_pid")
  kill -TERM "$root_pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    local alive=0
    for pid in $tree; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in $tree; do kill -KILL "$pid" 2>/dev/null || true; done
  wait "$root_pid" 2>/dev/null || true
  forget "$root_pid"
}
forget() {          # a pid that has ended is no longer ours to stop (it may be reused by another process)
  local keep=() pid
  for pid in "${started[@]}"; do [ "$pid" != "$1" ] && keep+=("$pid"); done
  started=("${keep[@]}")
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_tree "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'echo "bench: interrupted" >&2; exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---- setup: what the benchmark needs, installed by the benchmark ------------------------------------------------
for tool in java node npm taskset; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool on the PATH" >&2; exit 1; }
done
if [ "$setup" = 1 ]; then
  for dir in "$bench/egg-app" "$bench/load"; do
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      log "setup: npm ci in ${dir#"$root"/}"
      (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    fi
  done
  if ! command -v gnuplot >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      log "setup: apt-get install gnuplot-nox (for the chart)"
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gnuplot-nox) >/dev/null 2>&1 \
        || log "setup: could not install gnuplot; the table is written without the chart"
    else
      log "setup: no gnuplot and cannot install it; the table is written without the chart"
    fi
  fi
fi
if [ "$build" = 1 ]; then
  # the three jars the benchmark runs, and what they need; tests neither compiled nor run
  log "build: mvn -q -B install -Dmaven.test.skip=true -pl cloudscope-cli-server,cloudscope-cli/core/cli,bench -am"
  (cd "$root" && mvn -q -B install -Dmaven.test.skip=true -pl cloudscope-cli-server,cloudscope-cli/core/cli,bench -am)
fi
for jar in "$server_jar" "$cli_jar" "$bench_jar"; do
  [ -f "$jar" ] || { echo "bench: $jar is not built (run without --no-build)" >&2; exit 1; }
done
# run from copies: a build in the same tree (another shell, the test suite) must not swap a jar under a running JVM
mkdir -p "$work/jars"
cp "$server_jar" "$cli_jar" "$bench_jar" "$work/jars/"
server_jar=$work/jars/$(basename "$server_jar")
cli_jar=$work/jars/$(basename "$cli_jar")
bench_jar=$work/jars/$(basename "$bench_jar")

rm -rf "$raw"
mkdir -p "$raw"
{
  echo "{"
  echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
  echo "  \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\","
  echo "  \"cores\": $ncpu, \"server_cpu\": $server_cpu, \"gen_cpu\": $gen_cpu,"
  echo "  \"memory_gib\": $(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo),"
  echo "  \"kernel\": \"$(uname -r)\","
  echo "  \"java\": \"$(java -version 2>&1 | head -1 | sed 's/"/\\"/g')\","
  echo "  \"node\": \"$(node --version)\","
  echo "  \"quick\": $quick, \"warmup_s\": $warmup, \"duration_s\": $duration"
  echo "}"
} >"$raw/machine.json"

# ---- servers -----------------------------------------------------------------------------------------------------
server_pid=
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_server() {  # NAME PORT READY_PATTERN COMMAND...: started pinned on the server core; app output to a file
  local name=$1 port=$2 ready=$3 t0 i
  shift 3
  port_free "$port" || { log "port $port is in use; set BENCH_PORT_BASE"; return 1; }
  t0=$(date +%s%N)
  taskset -c "$server_cpu" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  server_pid=$!
  started+=("$server_pid")
  for i in $(seq 1 600); do
    grep -q "$ready" "$work/$name.out" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "$name did not start:"; tail -5 "$work/$name.err" >&2; return 1
    fi
    sleep 0.1
  done
  grep -q "$ready" "$work/$name.out" || { log "$name not ready within 60 s"; return 1; }
  echo "{\"peer\": \"$name\", \"ready_s\": $(( ($(date +%s%N) - t0) / 1000000 ))e-3}" >"$raw/start-$name.json"
  log "$name ready on port $port (pid $server_pid)"
}

generate() {  # OUT NAME COMMAND...: one run of a generator, pinned on the generator core; its JSON in raw/OUT.json
  local out=$1 name=$2 pid
  shift 2
  taskset -c "$gen_cpu" "$@" >"$raw/$out.json" 2>>"$work/load.err" &
  pid=$!
  started+=("$pid")
  if ! wait "$pid"; then
    log "  $out: $name failed (see below)"; tail -3 "$work/load.err" >&2
    rm -f "$raw/$out.json"
  fi
  forget "$pid"
}
load() {  # OUT ARGS...: the Node generator
  local out=$1
  shift
  generate "$out" "the generator" node "$bench/load/load.js" "$@"
}
netty_load() {  # OUT ARGS...: the Netty generator
  local out=$1
  shift
  generate "$out" "the Netty generator" java -XX:+UseSerialGC -Xms256m -cp "$bench_jar" dev.cloudscope.bench.NettyLoad "$@"
}

summary() {  # one line about a raw result, for the log
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    if (r.scenario === "idle") console.log(r.levels.map(l => l.clients + " idle: " + l.rss_per_conn_kb + " KB RSS/conn" + (l.heap_per_conn_kb != null ? ", " + l.heap_per_conn_kb + " KB heap/conn" : "")).join("; "));
    else console.log(r.per_s + "/s, server " + r.server_us_per_op + " µs/op at " + Math.round(r.server_core * 100) + "% core, generator " + Math.round(r.gen_core * 100) + "%, p99 " + r.p99_ms + " ms, errors " + r.errors + ", lost " + (r.lost || 0));
  ' "$raw/$1.json" 2>/dev/null || echo "(no result)"
}

# the JVM peers run under bin/cloudscope-server, with its JVM options: ours, and the floor with the same options
floor_cmd=(env CLOUDSCOPE_SERVER_JAR="$bench_jar" "$root/bin/cloudscope-server")
start_peer() {  # NAME: starts a fresh instance of the peer; sets server_pid and url
  local name=$1 port
  case $name in
    ours)  port=$((port_base + 1))
           start_server ours "$port" "listening on" env CLOUDSCOPE_SERVER_JAR="$server_jar" \
             "$root/bin/cloudscope-server" --port "$port" || return 1 ;;
    floor) port=$((port_base + 2))
           start_server floor "$port" "listening on" "${floor_cmd[@]}" --port "$port" || return 1 ;;
    floor-tuned) port=$((port_base + 6))
           start_server floor-tuned "$port" "listening on" "${floor_cmd[@]}" --port "$port" \
             --flush-consolidation --one-log-write || return 1 ;;
    floor-deflate) port=$((port_base + 4))
           start_server floor-deflate "$port" "listening on" "${floor_cmd[@]}" --port "$port" --netty-defaults \
             || return 1 ;;
    egg)   port=$((port_base + 3))
           start_server egg "$port" "egg started on" env EGG_LOG_DIR="$work/egg-logs" \
             "$bench/egg-app/node_modules/.bin/egg-scripts" start --workers=1 --port="$port" \
             --title=cloudscope-bench-egg "$bench/egg-app" || return 1 ;;
  esac
  url=http://127.0.0.1:$port
}

run_peer() {  # NAME: the peer's scenarios; idle memory on a fresh instance, the rest on one warmed-up instance
  local name=$1 jvm=() c gen mode
  [ "$name" != egg ] && jvm=(--jvm)

  if has "$only" idle && [ "$name" != floor-tuned ]; then # floor-tuned holds what the floor holds per connection
    start_peer "$name" || return 0
    log "$name: idle memory ($idle_levels clients)"
    load "idle-$name-v2" --scenario idle --url "$url" --server-pid "$server_pid" --levels "$idle_levels" --procs 2 \
      "${jvm[@]}" --label "$name"
    log "  $(summary "idle-$name-v2")"
    stop_tree "$server_pid"
  fi

  has "$only" rt || has "$only" churn || return 0
  start_peer "$name" || return 0
  local common=(--url "$url" --server-pid "$server_pid")
  log "$name: warm-up (Netty generator, 500 clients, ${warm_seconds}s, not recorded)"
  netty_load "warmup-$name" "${common[@]}" --clients 500 --warmup 1 --duration "$warm_seconds" --label warmup
  rm -f "$raw/warmup-$name.json"

  if has "$only" rt; then
    # socket.io-client 2.5.0 for all; 4.8.1 for ours and the floor (egg speaks only Engine.IO 3); the Netty generator
    local gens=(v2)
    case $name in ours|floor) gens+=(v4) ;; esac
    has "$generators" netty && gens+=(netty)
    for gen in "${gens[@]}"; do
      for c in $clients; do
        log "$name: round trips, $gen, $c clients"
        if [ "$gen" = netty ]; then
          netty_load "rt-$name-$gen-$c" "${common[@]}" --clients "$c" --warmup "$warmup" --duration "$duration" --label "$name"
        else
          load "rt-$name-$gen-$c" --scenario rt "${common[@]}" --gen "$gen" --clients "$c" \
            --procs "$([ "$c" -ge 1000 ] && echo 2 || echo 1)" --warmup "$warmup" --duration "$duration" --label "$name"
        fi
        log "  $(summary "rt-$name-$gen-$c")"
      done
    done
  fi

  if has "$only" churn; then
    local modes=(websocket polling)
    case $name in floor-deflate|floor-tuned) modes=(websocket) ;; esac
    for mode in "${modes[@]}"; do
      log "$name: churn, $churn_concurrency at a time, $mode"
      load "churn-$name-$mode" --scenario churn "${common[@]}" --transport "$mode" \
        --concurrency "$churn_concurrency" --warmup 2 --duration "$duration" --label "$name"
      log "  $(summary "churn-$name-$mode")"
    done
    if has "$generators" netty; then # the generator that is not the limit (socket.io-client's saturates its core)
      log "$name: churn, $churn_concurrency at a time, Netty generator"
      netty_load "churn-$name-netty" --scenario churn "${common[@]}" --concurrency "$churn_concurrency" \
        --warmup "$warmup" --duration "$duration" --label "$name"
      log "  $(summary "churn-$name-netty")"
    fi
  fi

  log "$name: stopping (SIGTERM to pid $server_pid); it printed $(grep -c '^chat : ' "$work/$name.out" || true) chat lines"
  stop_tree "$server_pid"
}

for peer in ours floor floor-deflate floor-tuned egg; do
  has "$peers" "$peer" || continue
  has "$only" rt || has "$only" churn || has "$only" idle || continue
  run_peer "$peer"
done

# ---- the CLI: wall time of one chat, ours vs the lesson's Node client -------------------------------------------
if has "$only" cli; then
  port=$((port_base + 5))
  if start_server cli-server "$port" "listening on" env CLOUDSCOPE_SERVER_JAR="$server_jar" \
      "$root/bin/cloudscope-server" --port "$port"; then
    url=http://127.0.0.1:$port
    # the CLI as a user runs it: bin/cloudscope (it picks a JDK 24+ when there is one, and records a class cache on
    # its first run: the AOT cache of JDK 24+, an AppCDS archive on 17-23), on the copied jar, with a fresh cache;
    # and the same launcher on the JDK 17 on the PATH; and plain java -jar
    jdk17=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
    launcher_java=$(for d in /usr/lib/jvm/* /opt/java/*; do
        v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9.]*\).*/\1/p' "$d/release" 2>/dev/null)
        if [ -n "$v" ] && [ "${v%%.*}" -ge 24 ]; then echo "$v"; fi; done | sort -t. -k1,1n | tail -1)
    log "cli: bin/cloudscope runs on JDK ${launcher_java:-"$(java -version 2>&1 | head -1)"}"
    first_run() {  # NAME CACHE_DIR [ENV...]: the recording run, timed; then waits (<= 60 s) for the cache
      local name=$1 dir=$2 t0 i
      shift 2
      t0=$(date +%s%N)
      taskset -c "$gen_cpu" env "$@" CLOUDSCOPE_JAR="$cli_jar" CLOUDSCOPE_CACHE="$dir" "$root/bin/cloudscope" chat "$url" \
        >"$work/$name-first.out" 2>&1 || log "cli: first run of $name failed"
      echo "{\"name\": \"$name\", \"first_run_ms\": $(( ($(date +%s%N) - t0) / 1000000 ))}" >"$raw/cli-first-$name.json"
      for i in $(seq 1 600); do
        compgen -G "$dir/*.aot" >/dev/null || compgen -G "$dir/*.jsa" >/dev/null && break
        sleep 0.1
      done
      compgen -G "$dir/*.aot" >/dev/null || compgen -G "$dir/*.jsa" >/dev/null || log "cli: no class cache for $name"
    }
    first_run cli-launcher "$work/cli-cache"
    first_run cli-launcher-jdk17 "$work/cli-cache-17" JAVA_HOME="$jdk17"
    echo "{\"launcher_java\": \"${launcher_java:-}\", \"jdk17\": \"$jdk17\"}" >"$raw/cli-java.json"
    commands=(
      "node-client=[\"node\",\"$bench/load/lesson-client.js\",\"$url\"]"
      "cli-java-jar=[\"java\",\"-jar\",\"$cli_jar\",\"chat\",\"$url\"]"
      "cli-launcher=[\"env\",\"CLOUDSCOPE_JAR=$cli_jar\",\"CLOUDSCOPE_CACHE=$work/cli-cache\",\"$root/bin/cloudscope\",\"chat\",\"$url\"]"
      "cli-launcher-jdk17=[\"env\",\"JAVA_HOME=$jdk17\",\"CLOUDSCOPE_JAR=$cli_jar\",\"CLOUDSCOPE_CACHE=$work/cli-cache-17\",\"$root/bin/cloudscope\",\"chat\",\"$url\"]"
    )
    log "cli: $cli_runs runs each of: ${commands[*]%%=*}"
    taskset -c "$gen_cpu" node "$bench/load/walltime.js" "$cli_runs" "${commands[@]}" >"$raw/cli.json" || rm -f "$raw/cli.json"
    stop_tree "$server_pid"
  fi
fi

# ---- the table and the chart -------------------------------------------------------------------------------------
node "$bench/load/report.js" "$raw" "$results"
if command -v gnuplot >/dev/null && [ -f "$results/chart.gp" ]; then
  (cd "$results" && gnuplot chart.gp) && rm -f "$results/chart.gp" "$results/chart.dat" || log "gnuplot failed"
fi
cat "$results/results.md"
log "written: ${results#"$root"/}/results.md, results.json, chart.png, raw/"
