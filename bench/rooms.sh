#!/usr/bin/env bash
# Rooms across nodes (issue 11): the same room traffic against one node on its own (LocalRooms, no Redis), one node
# with cluster.redis (every emit through Redis, every member local) and two nodes sharing one redis-server (members
# alternately on each: most deliveries cross nodes). Prints the table and writes it under bench/results/rooms/.
# What each number means and the latest results: docs/benchmarks.md, section "Rooms across nodes".
#
#   bench/rooms.sh               build the jars (mvn package), npm ci in integration-tests/node-client, run (~7 min)
#   bench/rooms.sh --quick       2 rates, 5 s each (~3 min; for trying the harness, not for quoting)
#   bench/rooms.sh --no-build    use the jars already built
#
# Load: integration-tests/node-client/rooms-load.js, 100 clients in rooms of 10 (each line to 9 members), each
# saying a numbered line every E ms for D s; it checks every member heard every line once and in order, and measures
# say-to-hear latency on one clock (one process). Servers and redis-server share core 0, the load has core 1
# (taskset), as in bench/run.sh. Needs Java 17, Maven, Node 18+ with npm, redis-server, taskset. Everything it starts
# is stopped by pid when it ends, however it ends. Nothing here asserts a timing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
server_jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar
load_js=$root/integration-tests/node-client/rooms-load.js

quick=0 build=1
usage() { sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/rooms: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

clients=100 room_size=10 seconds=10 rates="1000 100 25 10"
if [ "$quick" = 1 ]; then seconds=5 rates="1000 25"; fi
base_port=${BENCH_ROOMS_PORT:-18831}
results=$root/bench/results/rooms
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudscope-rooms-bench.XXXXXX")

started=()
stop() {            # SIGTERM, up to 15 s, then SIGKILL; by pid
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
stop_all() {         # the nodes before their Redis (started first): they leave it cleanly
  local i
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop "${started[$i]}"; done
  started=()
}
cleanup() {
  stop_all
  if [ -n "${BENCH_KEEP_WORK:-}" ]; then echo "bench/rooms: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "bench/rooms: interrupted" >&2; exit 130' INT TERM
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

for tool in java node npm redis-server redis-cli taskset; do
  command -v "$tool" >/dev/null || { echo "bench/rooms: needs $tool on the PATH" >&2; exit 1; }
done
if [ "$build" = 1 ]; then
  log "build: mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server -am"
  (cd "$root" && mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server -am)
fi
[ -f "$server_jar" ] || { echo "bench/rooms: $server_jar is not built (run without --no-build)" >&2; exit 1; }
cp "$server_jar" "$work/server.jar" # a build in the same tree must not swap the jar under a running JVM
dir=$root/integration-tests/node-client
if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  log "setup: npm ci in integration-tests/node-client"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

start_redis() {     # $1 port
  taskset -c 0 redis-server --port "$1" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" \
    >"$work/redis-$1.log" 2>&1 &
  started+=($!)
  for _ in $(seq 1 100); do redis-cli -p "$1" ping >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "bench/rooms: redis-server on $1 did not start" >&2; exit 1
}
start_node() {      # $1 port, $2 cluster.redis or '', $3 node id
  local opts=(-XX:+UseSerialGC -Xmx512m)
  [ -n "$2" ] && opts+=("-Dcluster.redis=$2" "-Dcluster.nodeId=$3")
  taskset -c 0 java "${opts[@]}" -jar "$work/server.jar" --port "$1" >"$work/node-$1.out" 2>"$work/node-$1.err" &
  started+=($!)
  for _ in $(seq 1 300); do grep -q 'listening on' "$work/node-$1.out" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench/rooms: the node on $1 did not start: $(cat "$work/node-$1.err")" >&2; exit 1
}
run_load() {        # $1 setup name, $2 every ms, $3... urls
  local setup=$1 every=$2; shift 2
  local urls; urls=$(IFS=,; echo "$*")
  local out="$work/$setup-$every.json"
  # a few seconds' warm-up at the same rate, not counted (the JIT, the streams' first entries)
  taskset -c 1 node "$load_js" --urls "$urls" --clients "$clients" --room-size "$room_size" --seconds 3 \
    --every "$every" >/dev/null
  taskset -c 1 node "$load_js" --urls "$urls" --clients "$clients" --room-size "$room_size" --seconds "$seconds" \
    --every "$every" >"$out"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    r.setup = process.argv[2];
    console.log(JSON.stringify(r));' "$out" "$setup"
}

rm -rf "$results"
mkdir -p "$results"
runs=$results/runs.jsonl
: >"$runs"
{
  echo "{\"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"commit\": \"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\","
  echo " \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\", \"cores\": $(nproc),"
  echo " \"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"redis\": \"$(redis-server --version | sed 's/ sha=.*//')\","
  echo " \"clients\": $clients, \"room_size\": $room_size, \"seconds\": $seconds}"
} >"$results/machine.json"

redis_port=$((base_port + 9))
for setup in one one-redis two; do
  for every in $rates; do
    log "$setup: $clients clients, a line every $every ms each, $seconds s"
    case $setup in
      one) start_node "$base_port" '' ''
           run_load one "$every" "http://127.0.0.1:$base_port" >>"$runs" ;;
      one-redis) start_redis "$redis_port"; start_node "$base_port" "redis://127.0.0.1:$redis_port" a
           run_load one-redis "$every" "http://127.0.0.1:$base_port" >>"$runs" ;;
      two) start_redis "$redis_port"
           start_node "$base_port" "redis://127.0.0.1:$redis_port" a
           start_node "$((base_port + 1))" "redis://127.0.0.1:$redis_port" b
           run_load two "$every" "http://127.0.0.1:$base_port" "http://127.0.0.1:$((base_port + 1))" >>"$runs" ;;
    esac
    if [ "$setup" != one ]; then # what Redis did for the run (and its warm-up): calls per command, network bytes
      redis-cli -p "$redis_port" info commandstats | grep -E '^cmdstat_(xadd|xread|xrevrange|sadd|srem|eval|evalsha|zadd)' \
        | sed 's/\r$//' >"$results/redis-$setup-$every.txt"
      redis-cli -p "$redis_port" info stats | grep -E '^total_net_(input|output)_bytes' | sed 's/\r$//' \
        >>"$results/redis-$setup-$every.txt"
    fi
    stop_all
  done
done

node - "$runs" "$results/machine.json" >"$results/results.md" <<'JS'
const fs = require('fs');
const runs = fs.readFileSync(process.argv[2], 'utf8').trim().split('\n').map(JSON.parse);
const machine = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const names = { one: 'one node, no Redis', 'one-redis': 'one node, cluster.redis', two: 'two nodes, one Redis' };
const ms = p => p ? p.p50 + ' / ' + p.p99 : '';
console.log('Rooms across nodes, ' + machine.date + ' at ' + machine.commit + ' (' + machine.cpu + ', ' + machine.cores
  + ' cores, load before ' + machine.load_before + ', ' + machine.redis + '): ' + machine.clients + ' clients in rooms of '
  + machine.room_size + ', ' + machine.seconds + ' s a run.\n');
console.log('| setup | a line every (ms) | lines said/s | deliveries/s | latency p50 / p99 (ms) | same node p50 / p99 | other node p50 / p99 | lost | doubled | reordered |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of runs) {
  console.log('| ' + [names[r.setup], r.every, Math.round(r.sent / r.seconds), r.deliveredPerSecond, ms(r.deliveryMs),
    ms(r.sameServerMs), ms(r.otherServerMs), r.lost, r.doubled, r.reordered].join(' | ') + ' |');
}
JS
cat "$results/results.md"
