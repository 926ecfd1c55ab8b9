#!/usr/bin/env bash
# A cloud build end to end: build both jars, make a small front-end project in a git repository, start a server
# with the cloud build on (on a free port), run `cloudscope build` from the project's directory, fetch the published
# site and check it against the manifest, stop the server (SIGTERM, by pid).
#   scripts/cloudbuild.sh            build, then run
#   scripts/cloudbuild.sh --no-build run with the jars already built
# Needs Java 17, Maven, Node and npm, git, and bubblewrap (as root, also the user cloudscope-build: see .ci/run).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

server_jar=$root/cloudscope-cli-server/target/cloudscope-cli-server.jar
cli_jar=$root/cloudscope-cli/core/cli/target/cloudscope.jar

if [ "${1:-}" != "--no-build" ]; then
  echo "== building (mvn -q -B install -DskipTests)"
  mvn -q -B install -DskipTests
fi

work=$(mktemp -d)
chmod 755 "$work" # the build user must reach the work dir under it
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== a project: $work/site (git, branch main)"
mkdir -p "$work/site"
cat >"$work/site/package.json" <<'JSON'
{ "name": "hello-site", "version": "1.0.0", "private": true, "scripts": { "build": "node build.js" } }
JSON
cat >"$work/site/build.js" <<'JS'
const fs = require('fs');
console.log('building hello-site');
fs.mkdirSync('dist', { recursive: true });
fs.writeFileSync('dist/index.html', '<!doctype html><title>hello</title><p>Hello from a cloud build</p>\n');
console.log('wrote dist/index.html');
JS
git -C "$work/site" init -q -b main
git -C "$work/site" add -A
git -C "$work/site" -c user.name=cloudscope -c user.email=cloudscope@localhost commit -q -m "hello-site"
git -C "$work/site" remote add origin "file://$work/site"
git -C "$work/site" fetch -q origin
git -C "$work/site" branch -q --set-upstream-to=origin/main main

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$work/server.conf" <<CONF
build { enabled = true, repoSchemes = [https, file], workDir = "$work/builds" }
CONF
echo "== server: java -jar $server_jar --port $port --config server.conf"
java -jar "$server_jar" --port "$port" --config "$work/server.conf" >"$work/server.out" 2>"$work/server.err" &
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
sed -n 1p "$work/server.out"

echo
echo "== cd $work/site && cloudscope build --server http://127.0.0.1:$port"
(cd "$work/site" && java -jar "$cli_jar" build --server "http://127.0.0.1:$port") | tee "$work/build.out" | sed 's/^/   cli | /'
site=$(sed -n 's/^site: //p' "$work/build.out")

echo
echo "== the site: $site"
curl -fsS "$site" | sed 's/^/   site | /'
want=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([f["sha256"] for f in m["files"] if f["path"]=="index.html"][0])' \
  "$work/builds/sites/hello-site/1.0.0.manifest.json")
got=$(curl -fsS "${site}index.html" | sha256sum | cut -d' ' -f1)
echo "   index.html sha256 $got, manifest $want"
[ "$got" = "$want" ] || { echo "the site does not match its manifest" >&2; exit 1; }

kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=
echo
echo "== server stopped"
