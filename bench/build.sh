#!/usr/bin/env bash
# The cloud build benchmark (issue 10): the real server with the cloud build on (bwrap, as in production) and the
# real CLI, against the same steps typed in a shell. Prints the table and writes it under bench/results/build/.
# What each number means and the latest results: docs/benchmarks.md, section "Cloud build".
#
#   bench/build.sh               set up (npm ci in bench/load), build the jars (mvn package), run everything (~5 min)
#   bench/build.sh --quick       fewer runs (~2 min; for trying the harness, not for quoting)
#   bench/build.sh --no-build    use the jars already built
#   bench/build.sh --runs N      cold/warm rounds (7; --quick: 2)
#   bench/build.sh --only cold,log,heap   some scenarios only
#
# Needs Java 17, Maven, Node 18+ with npm, git, bubblewrap, jcmd, the npm registry (one real dependency), and, as
# root, setpriv and the user cloudscope-build. Bounded and local: the server on 127.0.0.1 only, every wait bounded;
# every process it starts is stopped by pid when it ends, however it ends. Nothing here asserts a timing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench=$root/bench
server_jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar
cli_jar=$root/cloudscope-cli/core/cli/target/cloudscope.jar
bench_jar=$bench/target/cloudscope-bench.jar

quick=0 build=1 setup=1 runs='' only=cold,log,heap
usage() { sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --no-build) build=0 ;;
    --no-setup) setup=0 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --only) only=${2:?--only needs a list}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/build: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
has() { [[ ",$1," == *",$2,"* ]]; }

# ---- sizes (all bounded) ------------------------------------------------------------------------------------------
log_bytes=$((4 * 1024 * 1024)) followers=50 log_runs=3 hold_s=5
if [ "$quick" = 1 ]; then
  runs=${runs:-2} log_runs=1 hold_s=2
fi
runs=${runs:-7}
[[ $runs =~ ^[1-9][0-9]?$ ]] || { echo "bench/build: --runs must be 1 to 99" >&2; exit 2; }
port=${BENCH_BUILD_PORT:-18721}

results=$bench/results/build
raw=$results/raw
work=$(mktemp -d "${TMPDIR:-/tmp}/cloudscope-build-bench.XXXXXX")
chmod 755 "$work" # the build user must reach the server's work dir under it

# ---- process bookkeeping: everything started is stopped by pid --------------------------------------------------
started=()
descendants() {
  local todo=("$1") out=() pid child
  while [ ${#todo[@]} -gt 0 ]; do
    pid=${todo[0]}; todo=("${todo[@]:1}")
    out+=("$pid")
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do todo+=("$child"); done
  done
  echo "${out[@]}"
}
forget() {
  local keep=() pid
  for pid in "${started[@]}"; do [ "$pid" != "$1" ] && keep+=("$pid"); done
  started=("${keep[@]}")
}
stop_tree() {       # SIGTERM the root, wait up to 15 s for the whole tree, then SIGKILL what is left, by pid
  local root_pid=$1 tree pid i alive
  kill -0 "$root_pid" 2>/dev/null || { forget "$root_pid"; return 0; }
  tree=$(descendants "$root_pid")
  kill -TERM "$root_pid" 2>/dev/null || true
  for i in $(seq 1 150); do
    alive=0
    for pid in $tree; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pid in $tree; do kill -KILL "$pid" 2>/dev/null || true; done
  wait "$root_pid" 2>/dev/null || true
  forget "$root_pid"
}
cleanup() {
  local pid
  for pid in "${started[@]}"; do stop_tree "$pid"; done
  if [ -n "${BENCH_KEEP_WORK:-}" ]; then echo "bench/build: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'echo "bench/build: interrupted" >&2; exit 130' INT TERM

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---- setup --------------------------------------------------------------------------------------------------------
for tool in java node npm git bwrap jcmd; do
  command -v "$tool" >/dev/null || { echo "bench/build: needs $tool on the PATH" >&2; exit 1; }
done
if [ "$(id -u)" = 0 ]; then
  command -v setpriv >/dev/null || { echo "bench/build: as root, needs setpriv (util-linux)" >&2; exit 1; }
  id cloudscope-build >/dev/null 2>&1 || { echo "bench/build: as root, needs the user cloudscope-build:" \
    "useradd --system --no-create-home --shell /usr/sbin/nologin cloudscope-build" >&2; exit 1; }
fi
if [ "$setup" = 1 ]; then
  dir=$bench/load
  if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "setup: npm ci in bench/load"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
fi
if [ "$build" = 1 ]; then
  # package, not install: nothing goes to ~/.m2; tests neither compiled nor run
  log "build: mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server,cloudscope-cli/core/cli,bench -am"
  (cd "$root" && mvn -q -B package -Dmaven.test.skip=true -pl cloudscope-cli-server,cloudscope-cli/core/cli,bench -am)
fi
for jar in "$server_jar" "$cli_jar" "$bench_jar"; do
  [ -f "$jar" ] || { echo "bench/build: $jar is not built (run without --no-build)" >&2; exit 1; }
done
# run from copies: a build in the same tree must not swap a jar under a running JVM
mkdir -p "$work/jars"
cp "$server_jar" "$cli_jar" "$bench_jar" "$work/jars/"
chmod -R a+rX "$work/jars"
server_jar=$work/jars/$(basename "$server_jar")
cli_jar=$work/jars/$(basename "$cli_jar")
bench_jar=$work/jars/$(basename "$bench_jar")
follow_js=$bench/load/build-follow.js

rm -rf "$raw"
mkdir -p "$raw"
launcher_java=$(for d in /usr/lib/jvm/* /opt/java/*; do
    v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([0-9][0-9.]*\).*/\1/p' "$d/release" 2>/dev/null)
    if [ -n "$v" ] && [ "${v%%.*}" -ge 24 ]; then echo "$v"; fi; done | sort -t. -k1,1n | tail -1)
{
  echo "{"
  echo "  \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
  echo "  \"commit\": \"$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)\","
  echo "  \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')\","
  echo "  \"cores\": $(nproc), \"memory_gib\": $(awk '/MemTotal/ {printf "%.0f", $2/1048576}' /proc/meminfo),"
  echo "  \"load_before\": \"$(cut -d' ' -f1-3 /proc/loadavg)\","
  echo "  \"kernel\": \"$(uname -r)\","
  echo "  \"java\": \"$(java -version 2>&1 | head -1 | sed 's/"/\\"/g')\","
  echo "  \"cli_java\": \"${launcher_java:-the java on the PATH}\","
  echo "  \"node\": \"$(node --version)\", \"npm\": \"$(npm --version)\", \"git\": \"$(git --version | cut -d' ' -f3)\","
  echo "  \"bwrap\": \"$(bwrap --version 2>/dev/null | cut -d' ' -f2)\", \"user\": \"$(id -un)\","
  echo "  \"quick\": $quick, \"only\": \"$only\", \"runs\": $runs, \"log_runs\": $log_runs, \"log_bytes\": $log_bytes,"
  echo "  \"followers\": $followers, \"hold_s\": $hold_s"
  echo "}"
} >"$raw/machine.json"

# ---- the fixture: a front-end project in a git repository (a bare one as origin), three branches -----------------
#   main    one real dependency (is-number@7.0.0, its package-lock.json made by npm now); build.js uses it and
#           writes dist/index.html
#   log     no dependency; build.js prints LOG_BYTES of ~100-byte lines, then writes dist/
#   warmup  another name, no dependency: warms the server's JIT before a cold build without warming any cache
fixture=$work/fixture bare=$work/fixture.git
repo_url=file://$bare
make_fixture() {
  local g=(git -C "$fixture" -c user.name=bench -c user.email=bench@localhost -c init.defaultBranch=main)
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
  # the lock file, from the registry, with an npm cache of its own (the user's is neither read nor written)
  (cd "$fixture" && HOME=$work/npm-home npm_config_cache=$work/npm-home/.npm npm install --package-lock-only \
    --no-audit --no-fund --loglevel=error >/dev/null)
  [ -f "$fixture/package-lock.json" ] || { echo "bench/build: npm made no package-lock.json" >&2; return 1; }
  "${g[@]}" init -q -b main
  "${g[@]}" add -A
  "${g[@]}" commit -q -m "bench-site with one dependency"

  "${g[@]}" checkout -q -b log main
  cat >"$fixture/package.json" <<'JSON'
{ "name": "bench-log", "version": "1.0.0", "private": true, "scripts": { "build": "node build.js" } }
JSON
  rm -f "$fixture/package-lock.json"
  cat >"$fixture/build.js" <<JS
// prints $log_bytes bytes of output in lines of 100 bytes (99 + the line break), in writes of ~64 KiB
const fs = require('fs');
const total = $log_bytes, width = 100;
let chunk = '';
for (let i = 0, n = Math.floor(total / width); i < n; i++) {
  const head = 'line ' + String(i).padStart(7, '0') + ' ';
  chunk += head + 'x'.repeat(width - 1 - head.length) + '\n';
  if (chunk.length >= 65536) { fs.writeSync(1, chunk); chunk = ''; }
}
if (chunk) fs.writeSync(1, chunk);
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>log</title>\n');
JS
  "${g[@]}" add -A
  "${g[@]}" commit -q -m "bench-log: $log_bytes bytes of log"

  "${g[@]}" checkout -q -b warmup main
  cat >"$fixture/package.json" <<'JSON'
{ "name": "bench-warmup", "version": "1.0.0", "private": true, "scripts": { "build": "node build.js" } }
JSON
  rm -f "$fixture/package-lock.json"
  cat >"$fixture/build.js" <<'JS'
const fs = require('fs');
for (let i = 0; i < 200; i++) console.log('warm-up line ' + i);
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>warm-up</title>\n');
JS
  "${g[@]}" add -A
  "${g[@]}" commit -q -m "bench-warmup"

  git init -q --bare "$bare"
  "${g[@]}" remote add origin "$repo_url"
  "${g[@]}" push -q origin main log warmup
  "${g[@]}" checkout -q main
  "${g[@]}" branch -q --set-upstream-to=origin/main main
  chmod -R a+rX "$bare"
}

# ---- the server ---------------------------------------------------------------------------------------------------
server_pid='' url=http://127.0.0.1:$port
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start_server() {  # NAME: a fresh server with a fresh build.workDir ($work/NAME)
  local name=$1 i
  for i in $(seq 1 100); do port_free "$port" && break; sleep 0.1; done
  port_free "$port" || { log "port $port is in use; set BENCH_BUILD_PORT"; return 1; }
  mkdir -p "$work/$name/builds"
  chmod 755 "$work/$name"
  cat >"$work/$name/server.conf" <<CONF
build { enabled = true, repoSchemes = [https, file], workDir = "$work/$name/builds", maxLogBytes = 8MiB }
CONF
  env CLOUDSCOPE_SERVER_JAR="$server_jar" "$root/bin/cloudscope-server" --host 127.0.0.1 --port "$port" \
    --config "$work/$name/server.conf" >"$work/$name/server.out" 2>"$work/$name/server.err" &
  server_pid=$!
  started+=("$server_pid")
  for i in $(seq 1 600); do
    grep -q "listening on" "$work/$name/server.out" 2>/dev/null && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      log "the server did not start:"; tail -5 "$work/$name/server.err" >&2; return 1
    fi
    sleep 0.1
  done
  grep -q "listening on" "$work/$name/server.out" || { log "the server was not ready within 60 s"; return 1; }
}
stop_server() {
  [ -n "$server_pid" ] && stop_tree "$server_pid"
  server_pid=
}

# the CLI as a user runs it: bin/cloudscope (it picks a JDK 24+ when there is one), no class cache (it records one
# only for chat and echo)
# bounded: 5 minutes each at most (--foreground: Ctrl-C still reaches them)
cli() { timeout --foreground 300 env CLOUDSCOPE_JAR="$cli_jar" CLOUDSCOPE_CACHE=off "$root/bin/cloudscope" "$@"; }
follow() { timeout --foreground 300 node "$follow_js" "$@"; }

# ---- 1 and 2: cold and warm builds against the shell ------------------------------------------------------------
server_round() {  # ROUND: a fresh server, a warm-up build of another project, then the cold build and the warm one
  local r=$1 kind t0 t1 rc summary
  start_server "srv-$r" || return 1
  (cd "$fixture" && cli build "$repo_url" --branch warmup --server "$url" --json >"$work/warmup-$r.jsonl" 2>&1) \
    || log "  round $r: the warm-up build failed (see $work/warmup-$r.jsonl)"
  for kind in cold warm; do
    t0=$(now_ms); rc=0
    (cd "$fixture" && cli build --server "$url" --json >"$work/cli-$r-$kind.jsonl" 2>"$work/cli-$r-$kind.err") || rc=$?
    t1=$(now_ms)
    summary=$(follow summary --url "$url" --file "$work/cli-$r-$kind.jsonl" 2>/dev/null || echo null)
    echo "{\"round\": $r, \"kind\": \"server-$kind\", \"wall_ms\": $((t1 - t0)), \"t_start\": $t0, \"t_exit\": $t1, \"exit\": $rc, \"build\": $summary}" \
      >>"$raw/builds.jsonl"
    log "  round $r: server $kind $((t1 - t0)) ms (exit $rc)"
  done
  stop_server
  rm -rf "${work:?}/srv-$r"
}
shell_round() {  # ROUND: the same steps typed in a shell; then the same commit again with what a cache would keep
  local r=$1
  local d=$work/shell-$r t0 t1 t2 t3 t4 rc=0 lock
  mkdir -p "$d/home"
  # as the server runs npm: a fresh npm cache (HOME in the work dir), CI=true, no notifier, fund or audit
  local npm_env=(timeout --foreground 300 env HOME="$d/home" CI=true npm_config_update_notifier=false
    npm_config_fund=false npm_config_audit=false)
  {
    t0=$(now_ms)
    timeout --foreground 120 git clone -q --depth 1 --branch main "$repo_url" "$d/src" &&
    t1=$(now_ms) &&
    (cd "$d/src" && "${npm_env[@]}" npm ci) &&
    t2=$(now_ms) &&
    (cd "$d/src" && "${npm_env[@]}" npm run build) &&
    t3=$(now_ms) &&
    mkdir -p "$d/site" && cp -R "$d/src/dist/." "$d/site/" &&
    t4=$(now_ms)
  } >"$d/out.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    log "  round $r: the shell's cold build failed:"; tail -5 "$d/out.log" >&2
    echo "{\"round\": $r, \"kind\": \"shell-cold\", \"exit\": $rc}" >>"$raw/builds.jsonl"
    rm -rf "$d"; return 0
  fi
  echo "{\"round\": $r, \"kind\": \"shell-cold\", \"wall_ms\": $((t4 - t0)), \"exit\": 0, \"steps\": {\"clone\": $((t1 - t0)), \"install\": $((t2 - t1)), \"build\": $((t3 - t2)), \"copy\": $((t4 - t3))}}" \
    >>"$raw/builds.jsonl"
  log "  round $r: shell cold $((t4 - t0)) ms"
  # the same commit again, as a cache keyed by the lock file's hash would do it: fetch instead of clone, no npm ci
  # when the lock file's hash is the one installed
  lock=$(sha256sum "$d/src/package-lock.json" | cut -d' ' -f1)
  rc=0
  {
    t0=$(now_ms)
    git -C "$d/src" fetch -q --depth 1 origin main && git -C "$d/src" reset -q --hard FETCH_HEAD &&
    t1=$(now_ms) &&
    if [ "$(sha256sum "$d/src/package-lock.json" | cut -d' ' -f1)" != "$lock" ]; then
      (cd "$d/src" && "${npm_env[@]}" npm ci)
    fi &&
    t2=$(now_ms) &&
    (cd "$d/src" && "${npm_env[@]}" npm run build) &&
    t3=$(now_ms) &&
    rm -rf "$d/site" && mkdir -p "$d/site" && cp -R "$d/src/dist/." "$d/site/" &&
    t4=$(now_ms)
  } >>"$d/out.log" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then
    echo "{\"round\": $r, \"kind\": \"shell-cached\", \"wall_ms\": $((t4 - t0)), \"exit\": 0, \"steps\": {\"clone\": $((t1 - t0)), \"install\": $((t2 - t1)), \"build\": $((t3 - t2)), \"copy\": $((t4 - t3))}}" \
      >>"$raw/builds.jsonl"
    log "  round $r: shell cached $((t4 - t0)) ms"
  else
    log "  round $r: the shell's cached rebuild failed"; tail -5 "$d/out.log" >&2
  fi
  rm -rf "$d"
}

# ---- 3: log throughput ----------------------------------------------------------------------------------------------
log_scenario() {
  local i t0 t1 rc id
  log "log: a fresh server; a warm-up build with 5 followers (not recorded)"
  start_server srv-log || return 1
  follow follow --url "$url" --start "$repo_url" --branch log --followers 5 >/dev/null \
    || log "log: the warm-up failed"
  for i in $(seq 1 "$log_runs"); do
    log "log $i/$log_runs: cloudscope build --json (the CLI follows it live)"
    t0=$(now_ms); rc=0
    cli build "$repo_url" --branch log --server "$url" --json >"$work/log-cli.jsonl" 2>"$work/log-cli.err" || rc=$?
    t1=$(now_ms)
    echo "{\"run\": $i, \"wall_ms\": $((t1 - t0)), \"t_exit\": $t1, \"exit\": $rc, \"build\": $(follow summary --url "$url" --file "$work/log-cli.jsonl" || echo null)}" \
      >"$raw/log-live-cli-$i.json"
    id=$(sed -n '1s/.*"id":"\([^"]*\)".*/\1/p' "$work/log-cli.jsonl")
    rm -f "$work/log-cli.jsonl"
    if [ -n "$id" ]; then
      log "log $i/$log_runs: cloudscope build logs $id --follow --json >/dev/null (a replay)"
      t0=$(now_ms); rc=0
      cli build logs "$id" --follow --server "$url" --json >/dev/null 2>"$work/log-cli.err" || rc=$?
      t1=$(now_ms)
      echo "{\"run\": $i, \"id\": \"$id\", \"wall_ms\": $((t1 - t0)), \"exit\": $rc}" >"$raw/log-replay-cli-$i.json"
    fi
    for n in 1 "$followers"; do
      log "log $i/$log_runs: $n follower(s), live"
      follow follow --url "$url" --server-pid "$server_pid" --start "$repo_url" --branch log --followers "$n" \
        --procs "$([ "$n" -ge 10 ] && echo 2 || echo 1)" >"$raw/log-live-$n-$i.json" || rm -f "$raw/log-live-$n-$i.json"
      id=$(sed -n 's/^{"id":"\([^"]*\)".*/\1/p' "$raw/log-live-$n-$i.json" 2>/dev/null || true)
      [ -n "$id" ] || continue
      log "log $i/$log_runs: $n follower(s), a replay of the finished build"
      follow follow --url "$url" --server-pid "$server_pid" --id "$id" --followers "$n" \
        --procs "$([ "$n" -ge 10 ] && echo 2 || echo 1)" >"$raw/log-replay-$n-$i.json" || rm -f "$raw/log-replay-$n-$i.json"
    done
  done
}

# ---- 4: the server's heap under a slow follower ------------------------------------------------------------------
# On a server of its own: after many followers a server keeps some MB reachable for a while (see docs/benchmarks.md),
# which would move the baseline. The 50 fast followers come last for the same reason.
heap_scenario() {
  stop_server
  log "heap: a fresh server; two warm-up builds with a follower (not recorded)"
  start_server srv-heap || return 1
  follow follow --url "$url" --start "$repo_url" --branch log --followers 1 >/dev/null || log "heap: the warm-up failed"
  follow follow --url "$url" --start "$repo_url" --branch log --followers 1 >/dev/null || log "heap: the warm-up failed"
  local v
  local stalled_cmd
  stalled_cmd=$(printf '["java","-XX:+UseSerialGC","-Xmx64m","-cp","%s","dev.cloudscope.bench.StalledFollower","--url","%s","--hold-s","120","--pipeline","%s"]' \
    "$bench_jar" "$url" "PIPELINE")
  for v in control slow-1 slow-50 stalled-1 stalled-pipeline control-50; do
    log "heap: $v"
    case $v in
      control) follow heap --url "$url" --server-pid "$server_pid" --repo "$repo_url" --branch log \
                 --variant control --hold-s "$hold_s" ;;
      control-50) follow heap --url "$url" --server-pid "$server_pid" --repo "$repo_url" --branch log \
                 --variant control --followers "$followers" --hold-s "$hold_s" ;;
      slow-*) follow heap --url "$url" --server-pid "$server_pid" --repo "$repo_url" --branch log \
                 --variant slow --followers "${v#slow-}" --hold-s "$hold_s" ;;
      stalled-1) follow heap --url "$url" --server-pid "$server_pid" --repo "$repo_url" --branch log \
                 --variant stalled --stalled "${stalled_cmd/PIPELINE/0}" --hold-s "$hold_s" ;;
      stalled-pipeline) follow heap --url "$url" --server-pid "$server_pid" --repo "$repo_url" --branch log \
                 --variant stalled --stalled "${stalled_cmd/PIPELINE/$(( log_bytes / 100 / 500 + 2 ))}" \
                 --stalled-at end --hold-s "$hold_s" ;;
    esac >"$raw/heap-$v.json" || { log "heap: $v failed"; rm -f "$raw/heap-$v.json"; }
  done
}

log "fixture: $fixture (origin $repo_url): main with is-number@7.0.0, log ($log_bytes bytes), warmup"
make_fixture
if has "$only" cold; then
  log "cold and warm builds: $runs rounds, server and shell alternating"
  for r in $(seq 1 "$runs"); do
    if (( r % 2 )); then server_round "$r"; shell_round "$r"; else shell_round "$r"; server_round "$r"; fi
  done
fi
if has "$only" log; then log_scenario; fi
if has "$only" heap; then heap_scenario; fi
stop_server

echo "\"$(cut -d' ' -f1-3 /proc/loadavg)\"" >"$raw/load-after.json"
node "$bench/load/build-report.js" "$raw" "$results"
cat "$results/results.md"
log "written: ${results#"$root"/}/results.md, results.json, raw/"
