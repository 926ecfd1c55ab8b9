'use strict';
// Turns the raw results of one benchmark run into the table (results.md), one JSON (results.json) and the chart's
// gnuplot script and data (chart.gp, chart.dat):  node report.js RAW_DIR RESULTS_DIR
const fs = require('fs');
const path = require('path');

const [rawDir, outDir] = process.argv.slice(2);
const raw = {};
for (const f of fs.readdirSync(rawDir)) {
  if (!f.endsWith('.json')) continue;
  try {
    raw[f.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(rawDir, f), 'utf8'));
  } catch (e) {
    process.stderr.write(`report: skipping ${f}: ${e.message}\n`); // a run cut short
  }
}
const machine = raw.machine || {};
const PEERS = ['ours', 'floor', 'floor-deflate', 'floor-tuned', 'egg'];
const PEER_NAME = {
  ours: 'ours (cloudscope-cli-server)',
  floor: 'floor (bare netty-socketio, configured as ours)',
  'floor-deflate': 'floor-deflate (bare netty-socketio on its own defaults: permessage-deflate on)',
  'floor-tuned': 'floor-tuned (the floor with one flush per read and one log write per round trip: what-if)',
  egg: 'egg (the lesson: egg 3 + egg-socket.io 4.1.6)',
};
const CLIENT_NAME = {
  v2: 'socket.io-client 2.5.0 (EIO 3)',
  v4: 'socket.io-client 4.8.1 (EIO 4)',
  netty: 'Netty generator (EIO 3)',
};
const CLIENTS = ['v2', 'v4', 'netty'];
const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const pct = x => (x === null || x === undefined ? '–' : Math.round(x * 100) + '%');
// the server core's busy share not spent by the server: other tenants of the machine, and the kernel's network
// softirq work that is charged to no process
const others = r => {
  const busy = r.cores_busy && r.cores_busy['cpu' + machine.server_cpu];
  return busy === undefined || busy === null ? '–' : pct(Math.max(0, busy - r.server_core));
};
const ratio = (a, b, d = 2) => (a && b ? (a / b).toFixed(d) + '×' : '–');

const lines = [];
const md = s => lines.push(s);
md('# Benchmark results');
md('');
md(`${machine.date || '?'} on ${machine.cpu || '?'}, ${machine.cores || '?'} cores, ${machine.memory_gib || '?'} GiB, ` +
  `Linux ${machine.kernel || '?'}; ${machine.java || 'java ?'}; node ${machine.node || '?'}. ` +
  `Servers pinned to cpu ${machine.server_cpu}, generators to cpu ${machine.gen_cpu}. ` +
  `Each measurement: ${machine.warmup_s} s warm-up, then a ${machine.duration_s} s window` +
  (machine.quick ? ' (--quick run: short windows, not for quoting)' : '') + '.');
md('');

// ---- round trips
const rtRows = [];
for (const peer of PEERS) {
  for (const client of CLIENTS) {
    for (const n of [100, 1000]) {
      const r = raw[`rt-${peer}-${client}-${n}`];
      if (r) rtRows.push({ peer, client, n, r });
    }
  }
}
md('## Round trips: N clients each looping the lesson\'s chat on `/` (emit, wait for both replies)');
md('');
md('| peer | client | clients | round trips/s | **server CPU µs / round trip** | server core | others on server core | server write / read syscalls per rt | generator core | generator µs / rt | p50 ms | p99 ms | max ms | errors | lost | limited by |');
md('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const { peer, client, n, r } of rtRows) {
  const limit = r.gen_core >= 0.85 && r.server_core < 0.85 ? 'generator'
    : r.server_core >= 0.85 ? 'server' : 'neither (shared cores)';
  md(`| ${peer} | ${CLIENT_NAME[client]} | ${n} | ${fmt(r.per_s)} | **${fmt(r.server_us_per_op, 1)}** | ${pct(r.server_core)} | ` +
    `${others(r)} | ${fmt(r.server_writes_per_op, 1)} / ${fmt(r.server_reads_per_op, 1)} | ${pct(r.gen_core)} | ${fmt(r.gen_us_per_op, 1)} | ${fmt(r.p50_ms, 1)} | ${fmt(r.p99_ms, 1)} | ${fmt(r.max_ms, 1)} | ` +
    `${r.errors + (r.wrong_replies || 0)} | ${r.lost} | ${limit} |`);
}
const timeouts = rtRows.filter(x => x.r.connect_timeouts > 0);
if (timeouts.length) {
  md('');
  md('Clients that were neither connected nor refused within 30 s (counted in errors): ' +
    timeouts.map(x => `${x.peer} ${x.client} ${x.n}: ${x.r.connect_timeouts}`).join('; ') + '.');
}
md('');

// ---- churn
md('## Churn: 50 sessions at a time (connect, auth reply, chat, both replies, disconnect)');
md('');
md('Server CPU per session includes everything a session costs the server: handshake(s), the upgrade, the connection middleware, the chat, the disconnect path.');
md('');
md('| peer | client | transport | sessions/s | server CPU µs / session | server core | generator core | p50 ms | p99 ms | errors |');
md('|---|---|---|---:|---:|---:|---:|---:|---:|---:|');
const CHURN_MODES = ['websocket', 'polling', 'netty'];
const CHURN_CLIENT = { websocket: 'socket.io-client 2.5.0', polling: 'socket.io-client 2.5.0', netty: 'Netty generator (EIO 3)' };
const CHURN_HOW = { polling: 'polling first, then upgrade', websocket: 'WebSocket only', netty: 'WebSocket only' };
for (const peer of PEERS) {
  for (const mode of CHURN_MODES) {
    const r = raw[`churn-${peer}-${mode}`];
    if (!r) continue;
    md(`| ${peer} | ${CHURN_CLIENT[mode]} | ${CHURN_HOW[mode]} | ${fmt(r.per_s)} | ` +
      `${fmt(r.server_us_per_op, 0)} | ${pct(r.server_core)} | ${pct(r.gen_core)} | ${fmt(r.p50_ms, 1)} | ${fmt(r.p99_ms, 1)} | ` +
      `${r.errors + (r.wrong_replies || 0)} |`);
  }
}
md('');

// ---- idle memory
md('## Idle memory: clients connected (auth reply received), then idle');
md('');
md('*RSS KB / connection*: (RSS − baseline) ÷ connections. *per added connection*: (RSS − RSS at the level before) ÷ the connections added, which leaves out what a first burst of clients costs once (JIT, heap pages first touched).');
md('');
md('| peer | client | clients | connected | server RSS MB | **RSS KB / connection** | RSS KB / added connection | JVM heap used after GC KB / connection | connect time s |');
md('|---|---|---:|---:|---:|---:|---:|---:|---:|');
for (const peer of PEERS) {
  for (const variant of ['v2']) {
    const r = raw[`idle-${peer}-${variant}`];
    if (!r) continue;
    r.levels.forEach((l, i) => {
      const prev = r.levels[i - 1];
      const added = prev && l.connected > prev.connected ? (l.rss_kb - prev.rss_kb) / (l.connected - prev.connected) : null;
      md(`| ${peer} | ${CLIENT_NAME.v2} | ${l.clients} | ${l.connected} | ` +
        `${fmt(l.rss_kb / 1024, 0)} | **${fmt(l.rss_per_conn_kb, 1)}** | ${fmt(added, 1)} | ${fmt(l.heap_per_conn_kb, 1)} | ${fmt(l.connect_s, 1)} |`);
    });
  }
}
md('');

// ---- CLI
const cli = raw.cli;
if (cli) {
  md('## The CLI: wall time of one `chat` on `/`, start to exit, against our server');
  md('');
  md('| client | min ms | median ms | runs | failed |');
  md('|---|---:|---:|---:|---:|');
  const CLI_NAME = {
    'node-client': 'the lesson\'s Node client (socket.io-client 2.5.0)',
    'cli-java-jar': '`java -jar cloudscope.jar chat` (JDK 17)',
    'cli-launcher': '`bin/cloudscope chat`' + (raw['cli-java'] && raw['cli-java'].launcher_java ? ` (JDK ${raw['cli-java'].launcher_java}, its AOT cache)` : ''),
    'cli-launcher-jdk17': '`bin/cloudscope chat` with JAVA_HOME = JDK 17 (its AppCDS archive)',
  };
  for (const name of Object.keys(cli)) {
    const c = cli[name];
    md(`| ${CLI_NAME[name] || name} | ${fmt(c.min_ms)} | ${fmt(c.median_ms)} | ${c.ms.length} | ${c.failures.length} |`);
  }
  const firsts = Object.keys(raw).filter(k => k.startsWith('cli-first-')).map(k => raw[k]);
  if (firsts.length) {
    md('');
    md('The first run of `bin/cloudscope` with a new jar records its class cache (then assembled in the background): ' +
      firsts.map(f => `${CLI_NAME[f.name] || f.name}: ${f.first_run_ms} ms`).join('; ') + '. All runs pinned to the generator\'s core.');
  }
  md('');
}

// ---- ratios
const rt = (peer, client, n) => raw[`rt-${peer}-${client}-${n}`];
md('## Ratios (same run)');
md('');
md('| measure | ours ÷ egg | ours ÷ floor | floor-deflate ÷ floor | floor-tuned ÷ floor | goal (ours vs egg) |');
md('|---|---:|---:|---:|---:|---|');
// the last argument but one: floor-tuned's value (what-if), read by the row's caller as `ft`
let ft = null;
const row = (label, o, e, f, fd, goal, d = 2) =>
  md(`| ${label} | ${ratio(o, e, d)} | ${ratio(o, f, d)} | ${ratio(fd, f, d)} | ${ratio(ft, f, d)} | ${goal} |`);
const field = (peer, client, n, key) => { const r = rt(peer, client, n); return r ? r[key] : null; };
for (const client of ['v2', 'netty', 'v4']) {
  for (const n of [100, 1000]) {
    if (!rt('ours', client, n)) continue;
    ft = field('floor-tuned', client, n, 'server_us_per_op');
    row(`**server CPU per round trip**, ${CLIENT_NAME[client]}, ${n} clients`, field('ours', client, n, 'server_us_per_op'),
      field('egg', client, n, 'server_us_per_op'), field('floor', client, n, 'server_us_per_op'),
      field('floor-deflate', client, n, 'server_us_per_op'), '≤ 0.33×');
  }
}
for (const client of ['v2', 'netty']) {
  for (const n of [100, 1000]) {
    if (!rt('ours', client, n)) continue;
    ft = field('floor-tuned', client, n, 'per_s');
    row(`round trips/s, ${CLIENT_NAME[client]}, ${n} clients`, field('ours', client, n, 'per_s'), field('egg', client, n, 'per_s'),
      field('floor', client, n, 'per_s'), field('floor-deflate', client, n, 'per_s'), '≥ 3× (once the generator is not the limit)');
  }
}
for (const client of ['v2', 'netty']) {
  if (!rt('ours', client, 1000)) continue;
  ft = field('floor-tuned', client, 1000, 'p99_ms');
  row(`p99 latency, ${CLIENT_NAME[client]}, 1000 clients`, field('ours', client, 1000, 'p99_ms'), field('egg', client, 1000, 'p99_ms'),
    field('floor', client, 1000, 'p99_ms'), field('floor-deflate', client, 1000, 'p99_ms'), '≤ 0.25×');
}
for (const mode of CHURN_MODES) {
  const c = peer => raw[`churn-${peer}-${mode}`] && raw[`churn-${peer}-${mode}`].per_s;
  ft = c('floor-tuned');
  if (c('ours')) row(`churn sessions/s, ${CHURN_CLIENT[mode]}, ${CHURN_HOW[mode]}`, c('ours'), c('egg'), c('floor'), c('floor-deflate'), '≥ 3×');
}
for (const i of [0, 1]) {
  const l = peer => raw[`idle-${peer}-v2`] && raw[`idle-${peer}-v2`].levels[i];
  const m = peer => l(peer) && l(peer).rss_per_conn_kb;
  ft = null;
  if (l('ours')) row(`RSS per idle connection, ${l('ours').clients} clients`, m('ours'), m('egg'), m('floor'), m('floor-deflate'), '≤ 0.5×');
}
{
  const added = peer => {
    const ls = raw[`idle-${peer}-v2`] && raw[`idle-${peer}-v2`].levels;
    if (!ls || ls.length < 2) return null;
    const [a, b] = ls.slice(-2);
    return b.connected > a.connected ? (b.rss_kb - a.rss_kb) / (b.connected - a.connected) : null;
  };
  ft = null;
  if (added('ours') !== null) row('RSS per added idle connection (the last two levels)', added('ours'), added('egg'), added('floor'), added('floor-deflate'), '≤ 0.5×');
}
if (cli && cli['node-client']) {
  const node = cli['node-client'].median_ms;
  for (const name of ['cli-java-jar', 'cli-launcher', 'cli-launcher-jdk17']) {
    if (cli[name]) md(`| CLI wall time (median), ${name} ÷ the lesson's Node client | ${ratio(cli[name].median_ms, node)} | | | | ≤ 1.5× |`);
  }
}
md('');
for (const peer of PEERS) {
  const s = raw[`start-${peer}`];
  if (s) md(`- ${PEER_NAME[peer]}: ready ${s.ready_s.toFixed(2)} s after launch.`);
}
md('');

fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.md'), lines.join('\n') + '\n');
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(raw, null, 1) + '\n');

// ---- chart: server CPU per round trip and round trips/s, per peer and client, at 100 and 1000 clients
const series = [];
for (const client of CLIENTS) {
  for (const peer of PEERS) {
    const a = rt(peer, client, 100);
    const b = rt(peer, client, 1000);
    if (!a && !b) continue;
    const short = { v2: 'sio 2.5', v4: 'sio 4.8', netty: 'netty gen' }[client];
    series.push({ label: `${peer}\\n${short}`, us100: a && a.server_us_per_op, us1000: b && b.server_us_per_op,
      rate100: a && a.per_s, rate1000: b && b.per_s });
  }
}
if (series.length) {
  const dat = series.map(s => `"${s.label}" ${s.us100 || 0} ${s.us1000 || 0} ${s.rate100 || 0} ${s.rate1000 || 0}`);
  fs.writeFileSync(path.join(outDir, 'chart.dat'), dat.join('\n') + '\n');
  fs.writeFileSync(path.join(outDir, 'chart.gp', ), `
set terminal png size 1400,560 font ",10"
set output "chart.png"
set multiplot layout 1,2 title "cloudscope benchmark, ${machine.date || ''} (server pinned to 1 core; generator on the other)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set grid ytics
set xtics rotate by -35 scale 0 font ",9"
set key top left
set yrange [0:*]
set title "server CPU per round trip (µs, lower is better)"
plot "chart.dat" using 2:xtic(1) title "100 clients", "" using 3 title "1000 clients"
set title "round trips per second (higher is better)"
plot "chart.dat" using 4:xtic(1) title "100 clients", "" using 5 title "1000 clients"
unset multiplot
`);
}
