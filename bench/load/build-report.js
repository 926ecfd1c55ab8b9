'use strict';
// Turns the raw results of one cloud build benchmark run (bench/build.sh) into the table (results.md) and one JSON
// (results.json):  node build-report.js RAW_DIR RESULTS_DIR
const fs = require('fs');
const path = require('path');

const [rawDir, outDir] = process.argv.slice(2);
const raw = {};
for (const f of fs.readdirSync(rawDir)) {
  if (!f.endsWith('.json')) continue;
  try {
    raw[f.slice(0, -5)] = JSON.parse(fs.readFileSync(path.join(rawDir, f), 'utf8'));
  } catch (e) {
    process.stderr.write(`build-report: skipping ${f}: ${e.message}\n`); // a run cut short
  }
}
const builds = [];
if (fs.existsSync(path.join(rawDir, 'builds.jsonl'))) {
  for (const line of fs.readFileSync(path.join(rawDir, 'builds.jsonl'), 'utf8').split('\n')) {
    if (line.trim()) builds.push(JSON.parse(line));
  }
}
const machine = raw.machine || {};

const sorted = xs => xs.filter(x => x !== null && x !== undefined && !Number.isNaN(x)).sort((a, b) => a - b);
const median = xs => {
  const s = sorted(xs);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const min = xs => (sorted(xs).length ? sorted(xs)[0] : null);
const max = xs => (sorted(xs).length ? sorted(xs).slice(-1)[0] : null);
const fmt = (x, d = 0) => (x === null || x === undefined || Number.isNaN(x) ? '–' : Number(x).toFixed(d));
const MB = 1e6;

const out = { machine, load_after: raw['load-after'] || null };
const md = [];

// ---- 1, 2: cold and warm builds ----------------------------------------------------------------------------------
const ok = b => b.exit === 0 && (!b.kind.startsWith('server') || (b.build && b.build.status === 'SUCCESS'));
const of = kind => builds.filter(b => b.kind === kind);
const walls = kind => of(kind).filter(ok).map(b => b.wall_ms);
const rounds = [...new Set(builds.map(b => b.round))].sort((a, b) => a - b);
const byRound = (kind, r) => of(kind).find(b => b.round === r && ok(b));
const paired = (a, b, f) => rounds.map(r => {
  const x = byRound(a, r);
  const y = byRound(b, r);
  return x && y ? f(x, y) : null;
}).filter(v => v !== null);

if (builds.length) {
  const rows = [
    ['shell-cold', 'the floor: the same steps typed in a shell (git clone --depth 1, npm ci, npm run build, cp dist)'],
    ['server-cold', '`cloudscope build` through the server, cold (a fresh server: no cache whatever it keeps), start to exit'],
    ['server-cold:server', '… of which the server: the build from its creation to its end (`status`: endedAt − createdAt)'],
    ['server-warm', '`cloudscope build` again right after: the same commit, the same lock file'],
    ['server-warm:server', '… of which the server'],
    ['shell-cached', 'reference: the shell with what a cache keyed by the lock file would keep (git fetch, no npm ci, build, cp)'],
  ];
  const series = {};
  for (const [key] of rows) {
    const [kind, part] = key.split(':');
    series[key] = part === 'server' ? of(kind).filter(ok).map(b => b.build.server_ms) : walls(kind);
  }
  md.push('### Cold and warm builds of the fixture (wall time, ms)', '');
  md.push('| what | median | min | max | runs | failed |', '|---|---:|---:|---:|---:|---:|');
  for (const [key, label] of rows) {
    const kind = key.split(':')[0];
    const failed = key.includes(':') ? '' : of(kind).filter(b => !ok(b)).length;
    md.push(`| ${label} | **${fmt(median(series[key]))}** | ${fmt(min(series[key]))} | ${fmt(max(series[key]))} | ${series[key].length} | ${failed} |`);
  }
  md.push('');

  // per step: the shell's steps against the server's stages
  const stage = (kind, name) => of(kind).filter(ok).map(b => b.build.stages[name]);
  const step = (kind, name) => of(kind).filter(ok).map(b => b.steps[name]);
  const cliPart = kind => of(kind).filter(ok).map(b => b.wall_ms - b.build.server_ms);
  const queued = kind => of(kind).filter(ok).map(b => b.build.server_ms
    - Object.values(b.build.stages).reduce((a, x) => a + x, 0));
  md.push('### Where the time goes (median ms)', '');
  md.push('| step | shell, cold | server, cold | server, warm | shell, cached |', '|---|---:|---:|---:|---:|');
  const cliBefore = kind => of(kind).filter(ok).map(b => Date.parse(b.build.created_at) - b.t_start);
  const cliAfter = kind => of(kind).filter(ok).map(b => b.t_exit - Date.parse(b.build.ended_at));
  const stepRows = [
    ['the CLI, in all (wall − the server\'s part)', null, cliPart('server-cold'), cliPart('server-warm'), null],
    ['… the CLI before the server has the request (JVM start, git defaults, connect)', null, cliBefore('server-cold'), cliBefore('server-warm'), null],
    ['… the CLI after the build\'s end (the last entries, the status, exit)', null, cliAfter('server-cold'), cliAfter('server-warm'), null],
    ['server: before the stages and between them (queue, threads, log)', null, queued('server-cold'), queued('server-warm'), null],
    ['prepare', null, stage('server-cold', 'prepare'), stage('server-warm', 'prepare'), null],
    ['clone (server: download, JGit, and package.json checked)', step('shell-cold', 'clone'), stage('server-cold', 'download'), stage('server-warm', 'download'), step('shell-cached', 'clone')],
    ['npm ci (server: install, in bwrap as the build user)', step('shell-cold', 'install'), stage('server-cold', 'install'), stage('server-warm', 'install'), step('shell-cached', 'install')],
    ['npm run build (server: in bwrap)', step('shell-cold', 'build'), stage('server-cold', 'build'), stage('server-warm', 'build'), step('shell-cached', 'build')],
    ['copy dist (server: publish, with its SHA-256 manifest)', step('shell-cold', 'copy'), stage('server-cold', 'publish'), stage('server-warm', 'publish'), step('shell-cached', 'copy')],
  ];
  for (const [label, ...cols] of stepRows) {
    md.push(`| ${label} | ${cols.map(c => (c ? fmt(median(c)) : '')).join(' | ')} |`);
  }
  md.push('');

  const overheadMedians = median(walls('server-cold')) / median(walls('shell-cold')) - 1;
  const overheadPaired = paired('server-cold', 'shell-cold', (s, f) => s.wall_ms / f.wall_ms - 1);
  const overheadServerOnly = median(of('server-cold').filter(ok).map(b => b.build.server_ms)) / median(walls('shell-cold')) - 1;
  const warmRatio = paired('server-warm', 'server-cold', (w, c) => w.wall_ms / c.wall_ms);
  const warmRatioServer = paired('server-warm', 'server-cold', (w, c) => w.build.server_ms / c.build.server_ms);
  const shellCachedRatio = paired('shell-cached', 'shell-cold', (w, c) => w.wall_ms / c.wall_ms);
  // what a cache keyed by the lock file would leave of the warm build here, estimated: the warm build less its
  // install stage (a hash and a copy or a link cost a few ms)
  const projected = paired('server-warm', 'server-cold', (w, c) => (w.wall_ms - (w.build.stages.install || 0)) / c.wall_ms);
  out.builds = {
    series: Object.fromEntries(rows.map(([k]) => [k, { median: median(series[k]), min: min(series[k]), max: max(series[k]), runs: series[k] }])),
    overhead_cold_of_medians: overheadMedians,
    overhead_cold_paired: { median: median(overheadPaired), min: min(overheadPaired), max: max(overheadPaired), runs: overheadPaired },
    overhead_cold_server_only: overheadServerOnly,
    warm_over_cold: { median: median(warmRatio), min: min(warmRatio), max: max(warmRatio), runs: warmRatio },
    warm_over_cold_server_only: { median: median(warmRatioServer), runs: warmRatioServer },
    shell_cached_over_cold: { median: median(shellCachedRatio), runs: shellCachedRatio },
    warm_without_install_over_cold: { median: median(projected), runs: projected },
  };
}

// ---- 3: log throughput -------------------------------------------------------------------------------------------
const runsOf = prefix => Object.keys(raw).filter(k => k.startsWith(prefix + '-') && /-\d+$/.test(k)).map(k => raw[k]);
const logRows = [];
function followRow(label, runs) {
  runs = runs.filter(r => r && r.followers && r.followers.length);
  if (!runs.length) return;
  const live = runs[0].mode === 'live';
  const perFollower = [];
  const totals = [];
  const lags = [];
  const buildMs = [];
  let errors = 0;
  let wrong = 0;
  let bytes = 0;
  const serverCpu = [];
  const followersCpu = [];
  const usPerEntry = [];
  for (const r of runs) {
    const ended = r.status && r.status.endedAt ? Date.parse(r.status.endedAt) : null;
    let sum = 0;
    let first = Infinity;
    let last = 0;
    for (const f of r.followers) {
      if (f.error || !f.finished) errors++;
      wrong += f.out_of_order;
      bytes = Math.max(bytes, f.bytes);
      const from = live ? f.t_first_line : f.t_go;
      const to = live ? f.t_last_line : f.t_end;
      if (to > from) perFollower.push(f.bytes / MB / ((to - from) / 1000));
      sum += f.bytes;
      first = Math.min(first, from);
      last = Math.max(last, to);
      if (f.build_stage_ms !== null) buildMs.push(f.build_stage_ms);
    }
    totals.push(sum / MB / ((last - first) / 1000));
    if (ended) lags.push(Math.max(...r.followers.map(f => f.t_end)) - ended);
    serverCpu.push(r.server_cpu_s);
    const entries = r.followers.reduce((a, f) => a + f.entries, 0);
    if (entries) usPerEntry.push(r.server_cpu_s * 1e6 / entries);
    followersCpu.push(r.followers_cpu_s);
  }
  const n = runs[0].followers_n;
  const row = {
    label, mode: runs[0].mode, followers: n, runs: runs.length, log_bytes: bytes,
    mb_s_per_follower: { median: median(perFollower), min: min(perFollower), max: max(perFollower) },
    mb_s_total: { median: median(totals), min: min(totals), max: max(totals) },
    lag_ms: { median: median(lags), max: max(lags) },
    build_stage_ms: median(buildMs), server_cpu_s: median(serverCpu), followers_cpu_s: median(followersCpu),
    server_us_per_entry: median(usPerEntry),
    errors, out_of_order: wrong,
  };
  logRows.push(row);
}
followRow('live: 1 follower (Node, socket.io-client 4.8.1)', runsOf('log-live-1'));
followRow(`live: ${machine.followers || 50} followers at once (Node, 2 processes)`, runsOf('log-live-' + (machine.followers || 50)));
followRow('replay of the finished build: 1 follower', runsOf('log-replay-1'));
followRow(`replay of the finished build: ${machine.followers || 50} followers at once`, runsOf('log-replay-' + (machine.followers || 50)));

const cliLive = runsOf('log-live-cli').filter(r => r.exit === 0 && r.build);
const cliReplay = runsOf('log-replay-cli').filter(r => r.exit === 0);
if (logRows.length || cliLive.length) {
  md.push(`### Log throughput: a build printing ${fmt((machine.log_bytes || 0) / 1048576, 0)} MiB in lines of 100 bytes`, '');
  md.push('MB = 10⁶ bytes of log lines (UTF-8 and the line break, as `build.maxLogBytes` counts them); the wire carries each as a socket.io event, about 1.7× that. *per follower*: live, its bytes ÷ the time from its first line to its last; replay, ÷ the time from its first `follow` to its last answer. *total*: all followers\' bytes ÷ the time from the first one\'s start to the last one\'s end. *lag*: from the build\'s end (its `endedAt`) to the last follower\'s end. *build stage*: how long `npm run build` took to print it all (server side, npm\'s start included).', '');
  md.push('| followers | runs | MB/s per follower: median (min–max) | MB/s in total | lag after the build\'s end: median (max) | build stage ms | server CPU s | server CPU µs per entry sent | followers\' CPU s | errors, out of order |');
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of logRows) {
    md.push(`| ${r.label} | ${r.runs} | **${fmt(r.mb_s_per_follower.median, 1)}** (${fmt(r.mb_s_per_follower.min, 1)}–${fmt(r.mb_s_per_follower.max, 1)}) | ${fmt(r.mb_s_total.median, 1)} | ${r.mode === 'live' ? fmt(r.lag_ms.median) + ' ms (' + fmt(r.lag_ms.max) + ')' : '–'} | ${r.mode === 'live' ? fmt(r.build_stage_ms) : '–'} | ${fmt(r.server_cpu_s, 1)} | ${fmt(r.server_us_per_entry, 1)} | ${fmt(r.followers_cpu_s, 1)} | ${r.errors}, ${r.out_of_order} |`);
  }
  const cliBytes = cliLive.map(r => r.build.log_bytes);
  if (cliLive.length) {
    const lag = cliLive.map(r => r.t_exit - Date.parse(r.build.ended_at));
    const wall = cliLive.map(r => r.wall_ms);
    md.push(`| live: \`cloudscope build --json\` (the real CLI; its output to a file) | ${cliLive.length} | – | – | ${fmt(median(lag))} ms (${fmt(max(lag))}), to its exit | ${fmt(median(cliLive.map(r => r.build.stages.build)))} | – | – | – | ${cliLive.filter(r => r.build.status !== 'SUCCESS').length}, – |`);
    out.log_cli_live = { wall_ms: { median: median(wall), min: min(wall), max: max(wall) }, lag_ms: { median: median(lag), max: max(lag) }, log_bytes: median(cliBytes) };
  }
  if (cliReplay.length && cliBytes.length) {
    const rate = cliReplay.map(r => median(cliBytes) / MB / (r.wall_ms / 1000));
    md.push(`| replay: \`cloudscope build logs ID --follow --json >/dev/null\` (JVM start included) | ${cliReplay.length} | **${fmt(median(rate), 1)}** (${fmt(min(rate), 1)}–${fmt(max(rate), 1)}) | – | – | – | – | – | – | 0, – |`);
    out.log_cli_replay = { wall_ms: cliReplay.map(r => r.wall_ms), mb_s: { median: median(rate), min: min(rate), max: max(rate) } };
  }
  md.push('');
  out.log = logRows;
}

// ---- 4: heap ----------------------------------------------------------------------------------------------------
const heapVariants = [
  ['control', 'control: one follower that keeps up'],
  ['slow-1', '**a slow follower**: reads one page, then sleeps (connected)'],
  ['slow-50', '50 slow followers, each one page then asleep'],
  ['stalled-1', 'a raw client that asked for one page and never reads its socket (4 KiB receive buffer)'],
  ['control-50', '50 followers, each as fast as it can (here they fall seconds behind the build: see the log table)'],
  ['stalled-pipeline', 'a raw client that never reads and asks for every page at once (`after` = 0, 500, 1000…), once the log is complete'],
];
const heapRows = heapVariants.filter(([k]) => raw['heap-' + k]).map(([k, label]) => ({ key: k, label, ...raw['heap-' + k] }));
if (heapRows.length) {
  const mb = kb => (kb === null || kb === undefined ? null : kb / 1024);
  md.push(`### The server's heap while a build prints ${fmt((machine.log_bytes || 0) / 1048576, 0)} MiB (live heap in MB: jcmd GC.class_histogram, which runs a full GC and counts what survived it)`, '');
  md.push(`*before*: the last of readings 1 s apart before the build, once three in a row lie within 256 KB (on a server of its own, after two warm-up builds). *max*: the highest reading taken every 0.5 s while the build ran and for ${machine.hold_s} s after its end, the followers still connected: it includes what the build itself holds while it runs, which the control row measures with a follower that keeps up. *held*: the last reading before the followers leave (the build has ended, the slow ones are still connected and behind). *after*: 5 s after they left. Growth = reading − before. RSS: the process's resident memory (the heap's pages, and Netty's pooled direct buffers, which the heap does not show).`, '');
  md.push('| follower(s) | heap before | **growth: max** | growth over the control\'s max | held at the end | after they left | RSS before | RSS growth (max) |');
  md.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  const control = heapRows.find(r => r.key === 'control');
  const controlGrowth = control ? control.heap_max_during_kb - control.heap_before_kb : null;
  for (const r of heapRows) {
    const growth = r.heap_max_during_kb - r.heap_before_kb;
    md.push(`| ${r.label} | ${fmt(mb(r.heap_before_kb), 1)} | **${fmt(mb(growth), 1)}** | ${r.key === 'control' || controlGrowth === null ? '–' : fmt(mb(growth - controlGrowth), 1)} | ${fmt(mb(r.heap_held_kb - r.heap_before_kb), 1)} | ${fmt(mb(r.heap_after_kb - r.heap_before_kb), 1)} | ${fmt(mb(r.rss_before_kb), 0)} | ${fmt(mb(r.rss_max_kb - r.rss_before_kb), 1)} |`);
  }
  md.push('');
  out.heap = heapRows.map(r => ({ variant: r.key, heap_before_mb: mb(r.heap_before_kb), heap_growth_mb: mb(r.heap_max_during_kb - r.heap_before_kb),
    heap_held_mb: mb(r.heap_held_kb - r.heap_before_kb), heap_after_mb: mb(r.heap_after_kb - r.heap_before_kb),
    rss_growth_mb: mb(r.rss_max_kb - r.rss_before_kb), status: r.status && r.status.status, stalled: r.stalled,
    histogram_at_max: r.histogram_at_max, samples: r.samples }));
}

// ---- the targets --------------------------------------------------------------------------------------------------
const targets = [];
const pct = x => (x === null || x === undefined ? '–' : (x >= 0 ? '+' : '') + (x * 100).toFixed(0) + ' %');
if (out.builds) {
  const b = out.builds;
  targets.push(['overhead over the shell on a cold build ≤ 10 %',
    `**${pct(b.overhead_cold_paired.median)}** (median of the rounds' ratios; ${pct(b.overhead_cold_paired.min)} to ${pct(b.overhead_cold_paired.max)}); medians: ${fmt(b.series['server-cold'].median)} ms against ${fmt(b.series['shell-cold'].median)} ms; the server's part alone ${pct(b.overhead_cold_server_only)}`,
    b.overhead_cold_paired.median <= 0.10 ? 'met' : 'missed']);
  targets.push(['a rebuild of the same commit, lock file unchanged ≤ 0.3× a cold one',
    `**${fmt(b.warm_over_cold.median, 2)}×** (${fmt(b.warm_over_cold.min, 2)}–${fmt(b.warm_over_cold.max, 2)}×; server side alone ${fmt(b.warm_over_cold_server_only.median, 2)}×); with no install stage at all (an estimate of what such a cache would leave): ${fmt(b.warm_without_install_over_cold.median, 2)}×; the shell with what such a cache keeps: ${fmt(b.shell_cached_over_cold.median, 2)}× its cold build`,
    b.warm_over_cold.median <= 0.3 ? 'met' : 'missed']);
}
if (out.log) {
  const one = out.log.find(r => r.mode === 'replay' && r.followers === 1);
  const oneLive = out.log.find(r => r.mode === 'live' && r.followers === 1);
  const many = out.log.find(r => r.mode === 'replay' && r.followers > 1);
  if (one) {
    targets.push(['≥ 20 MB/s of log to a follower',
      `**${fmt(one.mb_s_per_follower.median, 1)} MB/s** to one follower (a replay); live, one follower ends ${fmt(oneLive && oneLive.lag_ms.median)} ms after the build${many ? `; ${many.followers} at once: ${fmt(many.mb_s_per_follower.median, 1)} MB/s each, ${fmt(many.mb_s_total.median, 1)} MB/s in total` : ''}`,
      one.mb_s_per_follower.median >= 20 ? 'met' : 'missed']);
  }
}
if (out.heap) {
  const slow = out.heap.find(r => r.variant === 'slow-1');
  const control = out.heap.find(r => r.variant === 'control');
  const worst = out.heap.reduce((a, r) => (a && a.heap_growth_mb > r.heap_growth_mb ? a : r), null);
  if (slow) {
    targets.push(['heap growth under a slow follower ≤ 10 MB',
      `**${fmt(slow.heap_growth_mb, 1)} MB** at most while the build ran (a follower that keeps up: ${fmt(control ? control.heap_growth_mb : null, 1)} MB, the build's own); held once the build had ended, the slow follower still connected: ${fmt(slow.heap_held_mb, 1)} MB; the most of any variant: ${fmt(worst.heap_growth_mb, 1)} MB (${worst.variant}, held ${fmt(worst.heap_held_mb, 1)} MB)`,
      slow.heap_growth_mb <= 10 ? 'met' : 'missed']);
  }
}
out.targets = targets.map(([target, measured, verdict]) => ({ target, measured, verdict }));

const head = [`## Cloud build benchmark: ${machine.date || ''}${machine.quick ? ' (--quick: for trying the harness, not for quoting)' : ''}`, '',
  `Machine: ${machine.cpu || '?'}, ${machine.cores || '?'} cores, ${machine.memory_gib || '?'} GiB, Linux ${machine.kernel || '?'}; server on ${machine.java || '?'}, the CLI on JDK ${machine.cli_java || '?'}; node ${machine.node || '?'}, npm ${machine.npm || '?'}, git ${machine.git || '?'}, bubblewrap ${machine.bwrap || '?'}; run as ${machine.user || '?'} (builds as cloudscope-build when root); at ${machine.commit || '?'}. Load average before: ${machine.load_before || '?'}; after: ${out.load_after || '?'}. ${[(!machine.only || machine.only.includes('cold')) && `${machine.runs} cold/warm rounds`, (!machine.only || machine.only.includes('log')) && `${machine.log_runs} log runs`, (!machine.only || machine.only.includes('heap')) && 'the heap scenario'].filter(Boolean).join(', ')}.`, ''];
if (targets.length) {
  head.push('| target (issue 10) | measured | |', '|---|---|---|');
  for (const [t, m, v] of targets) head.push(`| ${t} | ${m} | ${v} |`);
  head.push('');
}
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'results.md'), head.concat(md).join('\n'));
fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(out, null, 2) + '\n');
