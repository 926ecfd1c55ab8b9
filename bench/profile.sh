#!/usr/bin/env bash
# Profiles a Java peer under the round-trip scenario with async-profiler (from Maven Central), attached after the
# warm-up and detached at the end of the window, and says where the CPU went.
#
#   bench/profile.sh [--peer ours|floor] [--generator netty|node] [--deflate on|off] [--clients N] [--seconds S]
#                    [--warmup S]
#
# Writes bench/results/profile/PEER-GENERATOR[-nodeflate].{html,collapsed,md}: the flame graph, the collapsed stacks
# and a summary by category (deflate, JSON, stdout, socket writes, thread hand-offs, framework, ...), per thread and
# by leaf frame. Defaults: ours, the Netty generator offering permessage-deflate as socket.io-client does, 1000
# clients, a 20 s window after 30 s of warm-up (the JIT compiler, on one core, needs that long to settle).
# Pinned as in bench/run.sh; every process it starts is stopped by pid at the end.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench
peer=ours generator=netty deflate=on clients=1000 seconds=20 warm=30
while [ $# -gt 0 ]; do
  case $1 in
    --peer) peer=$2; shift ;;
    --generator) generator=$2; shift ;;
    --deflate) deflate=$2; shift ;;
    --clients) clients=$2; shift ;;
    --seconds) seconds=$2; shift ;;
    --warmup) warm=$2; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "profile: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case $peer in
  ours) jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar ;;
  floor) jar=$bench/target/cloudscope-bench.jar ;;
  *) echo "profile: --peer ours|floor" >&2; exit 2 ;;
esac
[ -f "$jar" ] || { echo "profile: $jar is not built (mvn -q -B install -DskipTests)" >&2; exit 1; }
server_cpu=${BENCH_SERVER_CPU:-0}
gen_cpu=${BENCH_GEN_CPU:-$([ "$(nproc)" -ge 2 ] && echo 1 || echo 0)}
port=${BENCH_PORT_BASE:-18710}; port=$((port + 9))

# async-profiler's library, from its jar on Maven Central
version=4.1
arch=$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
lib=$bench/target/async-profiler/linux-$arch/libasyncProfiler.so
if [ ! -f "$lib" ]; then
  mvn -q -B dependency:copy -Dartifact=tools.profiler:async-profiler:$version \
    -DoutputDirectory="$bench/target/async-profiler" >/dev/null
  (cd "$bench/target/async-profiler" && unzip -q -o "async-profiler-$version.jar" "linux-$arch/libasyncProfiler.so")
fi

out=$bench/results/profile
name=$peer-$generator$([ "$deflate" = off ] && echo -nodeflate || true)
mkdir -p "$out"
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudscope-profile.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# with bin/cloudscope-server's JVM options, as bench/run.sh runs both
CLOUDSCOPE_SERVER_JAR=$jar taskset -c "$server_cpu" "$root/bin/cloudscope-server" --port "$port" \
  >"$work/server.out" 2>"$work/server.err" &
server=$!
pids+=("$server")
for _ in $(seq 1 300); do grep -q "listening on" "$work/server.out" && break; sleep 0.1; done
grep -q "listening on" "$work/server.out" || { echo "profile: the server did not start" >&2; cat "$work/server.err" >&2; exit 1; }

# the generator runs warm-up + window; the profiler is attached for the window only
total=$((warm + seconds))
if [ "$generator" = netty ]; then
  taskset -c "$gen_cpu" java -XX:+UseSerialGC -Xms256m -cp "$bench/target/cloudscope-bench.jar" dev.cloudscope.bench.NettyLoad \
    --url "http://127.0.0.1:$port" --server-pid "$server" --clients "$clients" --warmup "$warm" --duration "$seconds" \
    --deflate "$deflate" >"$work/load.json" &
else
  taskset -c "$gen_cpu" node "$bench/load/load.js" --scenario rt --url "http://127.0.0.1:$port" --server-pid "$server" \
    --clients "$clients" --procs 2 --warmup "$warm" --duration "$seconds" --deflate "$deflate" >"$work/load.json" &
fi
gen=$!
pids+=("$gen")
sleep $((warm + 2)) # connect time, then the warm-up
echo "profile: attaching async-profiler to pid $server for ${seconds}s" >&2
attach() { java -cp "$bench/target/cloudscope-bench.jar" dev.cloudscope.bench.Attach "$server" "$lib" "$1"; }
attach "start,event=cpu,interval=1ms,threads"
sleep "$seconds"
attach "dump,file=$out/$name.collapsed,collapsed"
attach "stop,file=$out/$name.html,flamegraph"
wait "$gen" || true
round_trips=$(node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); console.log(Math.round(r.per_s*r.window_s*(Number(process.argv[2])/r.window_s)))' "$work/load.json" "$seconds" 2>/dev/null || echo "")
{
  echo "# Profile: $peer under $generator load ($clients clients, permessage-deflate offered: $deflate), ${seconds}s"
  echo
  echo "Load: \`$(cat "$work/load.json")\`"
  echo
  node "$bench/load/profile-summary.js" "$out/$name.collapsed" $round_trips
} >"$out/$name.md"
cat "$out/$name.md"
echo "profile: written ${out#"$root"/}/$name.{md,collapsed,html}" >&2
