#!/usr/bin/env bash
# The cluster build benchmark (issue 11): builds per minute per node. The real server jar with the cloud build on
# (bwrap, as in production), a real redis-server and s3proxy (the shared S3 store, on disk), and the fixture of
# bench/build.sh's main branch (one real npm dependency), asked for by one socket.io client (bench/load/
# build-throughput.js) spreading its requests over the nodes. Three set-ups, each BUILDS builds:
#   one       one node, no cluster.redis (logs in files, the queue in memory), the same S3 store
#   cluster1  one node with cluster.redis (records, queue and logs in Redis)
#   cluster2  two nodes with cluster.redis
# Each node runs build.concurrency builds at once (2); its first builds fill its dependency cache (npm ci), later
# ones copy node_modules from it, as rebuilds of one project do. Prints the table; results in
# bench/results/build-cluster/. What the numbers mean: docs/benchmarks.md, section "Builds across nodes".
#
#   bench/build-cluster.sh              build the server jar, run the three set-ups (~2 min on 2 cores)
#   bench/build-cluster.sh --quick      fewer builds (for trying the harness)
#   bench/build-cluster.sh --no-build   use the jar already built
#   bench/build-cluster.sh --builds N   builds per set-up (60; --quick: 12)
#
# Needs Java 17, Maven (online once, for s3proxy's class path), Node 18+ with npm, git, bubblewrap, redis-server, the
# npm registry; as root, setpriv and the user cloudscope-build. Everything on 127.0.0.1; every process it starts is
# stopped by pid when it ends, however it ends. Nothing here asserts a timing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench
server_jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar

quick=0 build=1 builds=''
usage() { sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --builds) builds=${2:?--builds needs a number}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/build-cluster: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then builds=${builds:-12}; fi
builds=${builds:-60}
[[ $builds =~ ^[1-9][0-9]{0,2}$ ]] || { echo "bench/build-cluster: --builds must be 1 to 999" >&2; exit 2; }
concurrency=2

results=$bench/results/build-cluster
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudscope-cluster-bench.XXXXXX")
chmod 755 "$work" # the build user must reach the servers' work dirs under it

# ---- process bookkeeping: everything started is stopped by pid --------------------------------------------------
started=()
stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for i in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  if [ -n "${BENCH_KEEP_WORK:-}" ]; then echo "bench/build-cluster: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "bench/build-cluster: interrupted" >&2; exit 130' INT TERM
log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for SECONDS COMMAND...: until the command succeeds, or fail
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# ---- setup --------------------------------------------------------------------------------------------------------
for tool in java mvn node npm git bwrap redis-server redis-cli python3 curl; do
  command -v "$tool" >/dev/null || { echo "bench/build-cluster: needs $tool on the PATH" >&2; exit 1; }
done
if [ "$(id -u)" = 0 ]; then
  id cloudscope-build >/dev/null 2>&1 || { echo "bench/build-cluster: as root, needs the user cloudscope-build" >&2; exit 1; }
fi
if [ ! -d "$bench/load/node_modules" ] || [ "$bench/load/package-lock.json" -nt "$bench/load/node_modules/.package-lock.json" ]; then
  log "setup: npm ci in bench/load"
  (cd "$bench/load" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
if [ "$build" = 1 ]; then
  log "build: mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server -am"
  (cd "$root" && mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server -am)
fi
[ -f "$server_jar" ] || { echo "bench/build-cluster: $server_jar is not built (run without --no-build)" >&2; exit 1; }
mkdir -p "$work/jars" && cp "$server_jar" "$work/jars/server.jar" && chmod -R a+rX "$work/jars"
log "setup: s3proxy's class path (bench/s3proxy/pom.xml)"
(cd "$bench/s3proxy" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$work/s3proxy.cp" >/dev/null)

# ---- the fixture: bench/build.sh's main branch, a project with one real dependency, in a bare repository ----------
fixture=$work/fixture bare=$work/fixture.git
mkdir -p "$fixture"
cat >"$fixture/package.json" <<'JSON'
{
  "name": "bench-site",
  "version": "1.0.0",
  "private": true,
  "scripts": { "build": "node build.js" },
  "dependencies": { "is-number": "7.0.0" }
}
JSON
cat >"$fixture/build.js" <<'JS'
const fs = require('fs');
const isNumber = require('is-number');
console.log('building bench-site; is-number says 42 is a number: ' + isNumber(42));
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>bench</title><p>' + isNumber('7') + '</p>\n');
fs.writeFileSync('dist/app.js', 'console.log("bench-site");\n');
console.log('wrote dist/');
JS
(cd "$fixture" && HOME=$work/npm-home npm_config_cache=$work/npm-home/.npm npm install --package-lock-only \
  --no-audit --no-fund --loglevel=error >/dev/null)
g=(git -C "$fixture" -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main)
"${g[@]}" init -q -b main && "${g[@]}" add -A && "${g[@]}" commit -q -m "bench-site with one dependency"
git clone -q --bare "$fixture" "$bare"
chmod -R a+rX "$work/fixture.git"
repo_url=file://$bare

# ---- the shared parts: s3proxy (on disk) and redis-server ---------------------------------------------------------
s3_port=$(free_port)
mkdir -p "$work/s3/sites"
cat >"$work/s3.properties" <<EOF2
s3proxy.endpoint=http://127.0.0.1:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=bench
s3proxy.credential=bench-secret
jclouds.provider=filesystem
jclouds.filesystem.basedir=$work/s3
EOF2
java -cp "$(cat "$work/s3proxy.cp")" org.gaul.s3proxy.Main --properties "$work/s3.properties" >"$work/s3proxy.log" 2>&1 &
started+=($!)
wait_for 60 curl -s -o /dev/null "http://127.0.0.1:$s3_port/" || { echo "bench/build-cluster: s3proxy did not start" >&2; exit 1; }

# ---- one set-up: N nodes (with or without Redis), BUILDS builds, the client's JSON --------------------------------
run_setup() { # run_setup NAME NODES REDIS(yes|no)
  local name=$1 nodes=$2 with_redis=$3 urls=() pids=() i port dir redis_port='' redis_pid=''
  if [ "$with_redis" = yes ]; then
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
      --dir "$work" >"$work/redis-$name.log" 2>&1 &
    redis_pid=$!; started+=("$redis_pid")
    wait_for 20 redis-cli -p "$redis_port" ping || { echo "bench/build-cluster: redis-server did not start" >&2; exit 1; }
  fi
  for i in $(seq 1 "$nodes"); do
    port=$(free_port) dir=$work/$name-node$i
    mkdir -p "$dir/work" && chmod 711 "$dir" "$dir/work"
    cat >"$dir/build.conf" <<EOF2
build {
  enabled = true
  repoSchemes = [https, file]
  workDir = "$dir/work"
  concurrency = $concurrency
  queueLimit = 1000
  keep = 1000
  store.s3 { endpoint = "http://127.0.0.1:$s3_port", bucket = sites, accessKey = bench, secretKey = bench-secret }
}
EOF2
    local opts=(-Xmx512m)
    if [ "$with_redis" = yes ]; then opts+=("-Dcluster.redis=redis://127.0.0.1:$redis_port" "-Dcluster.nodeId=node$i"); fi
    java "${opts[@]}" -jar "$work/jars/server.jar" --port "$port" --config "$dir/build.conf" >"$dir/stdout" 2>"$dir/stderr" &
    pids+=($!); started+=($!)
    urls+=("http://127.0.0.1:$port")
    wait_for 60 grep -q "listening on" "$dir/stdout" || { echo "bench/build-cluster: node $i of $name did not start:" >&2; cat "$dir/stderr" >&2; exit 1; }
  done
  local joined; joined=$(IFS=,; echo "${urls[*]}")
  log "$name: warm-up ($((nodes * concurrency)) builds: each node's dependency cache)"
  node "$bench/load/build-throughput.js" --urls "$joined" --repo "$repo_url" --branch main \
    --builds $((nodes * concurrency)) >"$raw/$name-warmup.json"
  log "$name: $builds builds over $nodes node(s)"
  node "$bench/load/build-throughput.js" --urls "$joined" --repo "$repo_url" --branch main --builds "$builds" \
    >"$raw/$name.json"
  for i in "${pids[@]}"; do stop_pid "$i"; done
  if [ -n "$redis_pid" ]; then
    echo "$(redis-cli -p "$redis_port" info commandstats | tr -d '\r' | grep -E '^cmdstat_(xadd|eval|xrange|hgetall|publish|xreadgroup|set|hget|hmget|hset|evalsha):' | tr '\n' ' ')" >"$raw/$name-redis-commands.txt"
    stop_pid "$redis_pid"
  fi
}

raw=$results/raw
rm -rf "$raw" && mkdir -p "$raw"
{
  echo "{\"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\", \"commit\": \"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\","
  echo " \"cores\": $(nproc), \"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"builds\": $builds, \"concurrency\": $concurrency,"
  echo " \"redis\": \"$(redis-server --version | cut -d' ' -f3)\", \"java\": \"$(java -version 2>&1 | head -1 | sed 's/"/\\"/g')\"}"
} >"$raw/machine.json"
run_setup one 1 no
run_setup cluster1 1 yes
run_setup cluster2 2 yes

# ---- the table ----------------------------------------------------------------------------------------------------
node -e '
const fs = require("fs"), raw = process.argv[1];
const m = JSON.parse(fs.readFileSync(raw + "/machine.json"));
const rows = [["set-up", "nodes", "builds", "ok", "wall s", "builds/min", "builds/min/node", "mean build s", "per node"]];
for (const name of ["one", "cluster1", "cluster2"]) {
  const s = JSON.parse(fs.readFileSync(raw + "/" + name + ".json")).summary;
  rows.push([name, s.nodes, s.builds, s.succeeded, (s.wallMs / 1000).toFixed(1), s.buildsPerMinute,
    s.buildsPerMinutePerNode, (s.meanBuildMs / 1000).toFixed(2), JSON.stringify(s.perNode)]);
}
const md = ["# Builds across nodes: builds per minute (bench/build-cluster.sh)", "",
  `${m.date}, commit ${m.commit}, ${m.cores} cores, load before ${m.load_before}, build.concurrency ${m.concurrency} per node, redis ${m.redis}`, "",
  "| " + rows[0].join(" | ") + " |", "|" + rows[0].map(() => "---").join("|") + "|",
  ...rows.slice(1).map(r => "| " + r.join(" | ") + " |"), ""];
for (const name of ["cluster1", "cluster2"]) {
  try { md.push(`Redis commands (${name}, warm-up included): ` + fs.readFileSync(raw + "/" + name + "-redis-commands.txt", "utf8").trim(), ""); } catch (e) {}
}
fs.writeFileSync(raw + "/../results.md", md.join("\n"));
console.log(md.join("\n"));
' "$raw"
