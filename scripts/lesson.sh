#!/usr/bin/env bash
# The lesson end to end on the defaults: build both jars, start the server on 127.0.0.1:7001, run the CLI
# against / and /chat, show what each side printed, stop the server (SIGTERM, by pid).
#   scripts/lesson.sh            build, then run
#   scripts/lesson.sh --no-build run with the jars already built
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

server_jar=cloudscope-cli-server/target/cloudscope-cli-server.jar
cli_jar=cloudscope-cli/core/cli/target/cloudscope.jar

if [ "${1:-}" != "--no-build" ]; then
  echo "== building (mvn -q -B install -DskipTests)"
  mvn -q -B install -DskipTests
fi

work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== server: bin/cloudscope-server (java -jar $server_jar with its JVM options)"
CLOUDSCOPE_SERVER_JAR=$server_jar "$root/bin/cloudscope-server" >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
for _ in $(seq 1 150); do
  grep -q "listening on" "$work/server.out" 2>/dev/null && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "the server did not start:" >&2
    cat "$work/server.err" >&2
    server_pid=
    exit 1
  fi
  sleep 0.1
done
grep -q "listening on" "$work/server.out" || { echo "the server did not start within 15 s" >&2; exit 1; }
sed -n 1p "$work/server.out"

show_server_since() {
  # the server's lines printed since line $1 of its output
  tail -n +"$(( $1 + 1 ))" "$work/server.out" | sed 's/^/   server | /'
}

for url in http://127.0.0.1:7001 http://127.0.0.1:7001/chat; do
  echo
  echo "== client: java -jar $cli_jar chat $url"
  seen=$(wc -l <"$work/server.out")
  java -jar "$cli_jar" chat "$url" | sed 's/^/   client | /'
  # the server prints disconnect! once it has seen the client leave
  for _ in $(seq 1 50); do
    tail -n +"$(( seen + 1 ))" "$work/server.out" | grep -q "disconnect!" && break
    sleep 0.1
  done
  show_server_since "$seen"
done

echo
echo "== stopping the server (SIGTERM to pid $server_pid)"
kill -TERM "$server_pid"
wait "$server_pid" && echo "   server exited with 0"
server_pid=
