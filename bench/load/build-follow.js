'use strict';
// The cloud build benchmark's client side (bench/build.sh), speaking the /build protocol (docs/cloudbuild.md) with
// socket.io-client 4.8.1, WebSocket only:
//
//   node build-follow.js follow --url URL --followers N [--procs K] (--start REPO --branch B | --id ID)
//                               [--server-pid PID] [--pause-ms MS] [--deadline-s S]
//       N followers (in K worker processes) connect first; then either this process asks for a build of REPO's
//       branch B (build, then detach: it goes on whatever happens to this process) and all of them follow it from
//       seq 0 at once (live), or they follow the existing build ID from seq 0 (a replay). Each follower asks
//       `follow {id, after}` page after page until the ack says finished, checks that the entries come exactly once
//       and in order (seq = previous + 1), and counts the log lines' bytes (UTF-8 + 1 for the line break: what
//       build.maxLogBytes counts). --pause-ms: a pause after each page (a slow follower). Prints one JSON object:
//       every follower's bytes and times (epoch ms), the build's status (createdAt, startedAt, endedAt), the CPU
//       seconds of the server's process tree (--server-pid) and of the followers' processes.
//
//   node build-follow.js heap --url URL --server-pid PID --repo REPO --branch B --variant V [--followers N]
//                             [--stalled 'JSON argv' [--stalled-at start|end]] [--hold-s S]
//       The server's live heap (jcmd GC.class_histogram: a full GC, and what survived it) and its RSS: before a
//       build of B (once settled), every 0.5 s while it runs and until --hold-s after its end, then 1 s and 5 s
//       after every follower has gone.
//       Variants: control (N followers that follow as fast as they can), slow (N followers that read one page,
//       then sleep, connected, until the end of the hold), stalled (the command --stalled, given --id ID appended, e.g. the
//       bench module's StalledFollower: a raw client that never reads its socket), started when the build is
//       accepted, or with --stalled-at end once it has ended (then every page it asks for is there at once).
//       Prints one JSON object.
//
//   node build-follow.js status --url URL --id ID      the build's status, as JSON
//   node build-follow.js summary --url URL --file F    a `cloudscope build --json` output: id, status, stage
//                                                      durations, log bytes, and the server's createdAt/endedAt
//
// Bounded: every wait has a deadline (--deadline-s, 120 s by default), and the process exits when it is over.
// Loopback only: the URL must name 127.0.0.1 or localhost.
const { fork, spawn, execFileSync } = require('child_process');
const fs = require('fs');
const { io } = require('socket.io-client-v4');

function parseArgs(argv) {
  const args = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      args._.push(a);
      continue;
    }
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) {
      args[key] = true;
    } else {
      args[key] = next;
      i++;
    }
  }
  return args;
}

const TICK_S = 0.01; // CLK_TCK is 100 on Linux

function tree(root) {
  const byParent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync('/proc/' + name + '/stat', 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!byParent.has(ppid)) byParent.set(ppid, []);
      byParent.get(ppid).push(Number(name));
    } catch (e) {
      // gone
    }
  }
  const out = [];
  const todo = [root];
  while (todo.length) {
    const pid = todo.pop();
    out.push(pid);
    for (const child of byParent.get(pid) || []) todo.push(child);
  }
  return out;
}

function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync('/proc/' + pid + '/stat', 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch (e) {
      // gone
    }
  }
  return ticks * TICK_S;
}

function rssKb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch (e) {
    return null;
  }
}

// The live heap, in KB, and its largest classes: jcmd GC.class_histogram, which runs a full GC and counts what
// survived in the same pause. (GC.run then GC.heap_info would also count what a busy server allocates in eden
// between the two commands, each a JVM attach: several MB during a build.)
function liveHeap(pid) {
  const lines = execFileSync('jcmd', [String(pid), 'GC.class_histogram'], { encoding: 'utf8', timeout: 30000 }).split('\n');
  const total = lines.map(l => /^Total\s+\d+\s+(\d+)/.exec(l.trim())).find(m => m);
  if (!total) throw new Error('no total in the class histogram of ' + pid);
  return { kb: Math.round(Number(total[1]) / 1024),
    top: lines.filter(l => /^\s*\d+:\s+\d+/.test(l)).slice(0, 12).map(l => l.trim().replace(/\s+/g, ' ')) };
}

const round = (x, d) => (x === null || x === undefined ? null : Math.round(x * 10 ** d) / 10 ** d);
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function checkUrl(url) {
  const host = new URL(url).hostname;
  if (host !== '127.0.0.1' && host !== 'localhost') throw new Error('loopback only: ' + url);
}

function connect(url) {
  return new Promise((resolve, reject) => {
    const socket = io(url + '/build', { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20000 });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', e => {
      socket.close();
      reject(new Error('connect: ' + e.message));
    });
  });
}

function request(socket, event, payload, timeoutMs = 60000) {
  return new Promise((resolve, reject) => {
    socket.timeout(timeoutMs).emit(event, payload, (err, ack) => {
      if (err) reject(new Error(event + ': no answer within ' + timeoutMs + ' ms'));
      else if (ack && ack.error) reject(new Error(event + ': ' + ack.error));
      else resolve(ack);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// one follower: connected first, told to go, follows to the end (or for --pages pages, then holds)
function follower(socket, opts) {
  const r = { bytes: 0, lines: 0, entries: 0, pages: 0, out_of_order: 0, t_go: null, t_first_line: null,
    t_last_line: null, t_end: null, finished: false, status: null, build_stage_ms: null, error: null };
  let expected = 1;
  const handlers = {
    log: e => onLog(e),
    stage: e => onStage(e),
    status: e => onStatus(e),
  };
  for (const type of Object.keys(handlers)) socket.on(type, handlers[type]);
  // follow {..., batch: true} (what the CLI asks for): a page as one event
  socket.on('entries', page => { for (const e of page.entries) handlers[e.type](e); });
  function onLog(e) {
    const now = Date.now();
    if (r.t_first_line === null) r.t_first_line = now;
    r.t_last_line = now;
    r.lines++;
    r.bytes += Buffer.byteLength(e.line, 'utf8') + 1;
    seq(e);
  }
  function onStage(e) {
    if (e.stage === 'build' && e.state === 'end') r.build_stage_ms = e.durationMs;
    seq(e);
  }
  function onStatus(e) {
    r.status = e.status;
    seq(e);
  }
  function seq(e) {
    r.entries++;
    if (e.seq !== expected) r.out_of_order++;
    expected = e.seq + 1;
  }
  async function run(id) {
    r.t_go = Date.now();
    let after = 0;
    try {
      for (;;) {
        const ack = await request(socket, 'follow', { id, after, batch: !opts.perEvent });
        r.pages++;
        if (ack.lastSeq < after) throw new Error('lastSeq went back: ' + ack.lastSeq + ' < ' + after);
        after = ack.lastSeq;
        if (ack.finished) {
          r.finished = true;
          break;
        }
        if (opts.pages && r.pages >= opts.pages) break;
        if (opts.pauseMs) await sleep(opts.pauseMs);
      }
    } catch (e) {
      r.error = e.message;
    }
    r.t_end = Date.now();
    return r;
  }
  return { run, result: r };
}

// a worker process: its followers connect, say ready, wait for {id}, follow, report, and stay until told to quit
async function worker() {
  let followers = [];
  process.on('disconnect', () => process.exit(0)); // the driver has gone: so do its workers
  process.on('message', async msg => {
    if (msg.type === 'connect') {
      try {
        const sockets = await Promise.all(Array.from({ length: msg.count }, () => connect(msg.url)));
        followers = sockets.map(s => ({ socket: s, f: follower(s, msg.opts) }));
        process.send({ type: 'ready' });
      } catch (e) {
        process.send({ type: 'failed', error: e.message });
      }
    } else if (msg.type === 'go') {
      const cpu0 = process.cpuUsage();
      const results = await Promise.all(followers.map(x => x.f.run(msg.id)));
      const cpu = process.cpuUsage(cpu0);
      process.send({ type: 'done', results, cpu_s: (cpu.user + cpu.system) / 1e6 });
    } else if (msg.type === 'quit') {
      for (const x of followers) x.socket.close();
      setTimeout(() => process.exit(0), 50);
    }
  });
}

function startWorkers(url, total, procs, opts) {
  const workers = [];
  for (let i = 0; i < procs; i++) {
    const count = Math.floor(total / procs) + (i < total % procs ? 1 : 0);
    if (count === 0) continue;
    const child = fork(__filename, ['--worker'], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    workers.push({ child, count });
  }
  const ready = Promise.all(workers.map(w => new Promise((resolve, reject) => {
    w.child.once('message', m => (m.type === 'ready' ? resolve() : reject(new Error(m.error))));
    w.child.send({ type: 'connect', url, count: w.count, opts });
  })));
  return { workers, ready };
}

function go(workers, id) {
  return Promise.all(workers.map(w => new Promise(resolve => {
    w.child.once('message', m => resolve(m));
    w.child.send({ type: 'go', id });
  })));
}

function quit(workers) {
  for (const w of workers) {
    try {
      w.child.send({ type: 'quit' });
    } catch (e) {
      // gone
    }
  }
}

async function startBuild(url, repo, branch) {
  const owner = await connect(url);
  const { id } = await request(owner, 'build', { repo, branch });
  await request(owner, 'detach', { id });
  return { owner, id };
}

async function status(url, id) {
  const s = await connect(url);
  try {
    return await request(s, 'status', { id });
  } finally {
    s.close();
  }
}

async function waitEnded(socket, id, deadline) {
  for (;;) {
    const st = await request(socket, 'status', { id });
    if (st.endedAt) return st;
    if (Date.now() > deadline) throw new Error('build ' + id + ' not ended in time');
    await sleep(100);
  }
}

async function followCmd(args) {
  const url = args.url;
  const total = Number(args.followers || 1);
  const procs = Math.min(Number(args.procs || 1), total);
  const deadline = Date.now() + Number(args['deadline-s'] || 120) * 1000;
  const opts = { pauseMs: Number(args['pause-ms'] || 0), perEvent: Boolean(args['per-event']) };
  const { workers, ready } = startWorkers(url, total, procs, opts);
  await ready;
  const serverTree = args['server-pid'] ? tree(Number(args['server-pid'])) : [];
  const serverCpu0 = cpuSeconds(serverTree);
  let id = args.id;
  let owner = null;
  const t0 = Date.now();
  if (args.start) {
    ({ owner, id } = await startBuild(url, args.start, args.branch || 'main'));
  }
  const done = await Promise.race([go(workers, id),
    sleep(Math.max(0, deadline - Date.now())).then(() => { throw new Error('followers not done in time'); })]);
  const t1 = Date.now();
  // the build's processes have ended by now: only the server's JVM is left in its tree
  const serverCpu = cpuSeconds(serverTree) - serverCpu0;
  const st = owner ? await waitEnded(owner, id, deadline) : await status(url, id);
  if (owner) owner.close();
  quit(workers);
  const followers = done.flatMap(d => d.results);
  return {
    id, mode: args.start ? 'live' : 'replay', followers_n: total, procs, pause_ms: opts.pauseMs,
    t_start: t0, t_done: t1, status: st, server_cpu_s: round(serverCpu, 2),
    followers_cpu_s: round(done.reduce((a, d) => a + d.cpu_s, 0), 2), followers,
  };
}

// ---------------------------------------------------------------------------------------------------------------
async function heapCmd(args) {
  const url = args.url;
  const pid = Number(args['server-pid']);
  const variant = args.variant;
  const holdMs = Number(args['hold-s'] || 5) * 1000;
  const deadline = Date.now() + Number(args['deadline-s'] || 120) * 1000;
  const samples = [];
  let top = null; // the class histogram at the highest reading during the build and the hold: what was live
  const sample = label => {
    const t = Date.now();
    const heap = liveHeap(pid);
    samples.push({ label, t, heap_kb: heap.kb, rss_kb: rssKb(pid) });
    if ((label === 'during' || label === 'held') && (!top || heap.kb > top.heap_kb)) {
      top = { label, t, heap_kb: heap.kb, classes: heap.top };
    }
  };
  // the baseline once it has settled: what an earlier scenario left (sockets closing, writes still queued) goes
  // first, and it can sit still for seconds before it goes: readings 1 s apart until three in a row lie within
  // 256 KB of each other (at most 20)
  for (let i = 0; i < 20; i++) {
    sample('before');
    const b = samples.filter(x => x.label === 'before').slice(-3).map(x => x.heap_kb);
    if (b.length === 3 && Math.max(...b) - Math.min(...b) < 256) break;
    await sleep(1000);
  }
  let workers = [];
  let stalled = null;
  const n = variant === 'slow' || variant === 'control' ? Number(args.followers || 1) : 0;
  if (n > 0) {
    const started = startWorkers(url, n, n >= 10 ? 2 : 1, { pages: variant === 'slow' ? 1 : 0 });
    workers = started.workers;
    await started.ready;
  }
  const { owner, id } = await startBuild(url, args.repo, args.branch || 'main');
  let followDone = n > 0 ? go(workers, id) : Promise.resolve([]);
  const startStalled = () => {
    const argv = JSON.parse(args.stalled).concat(['--id', id]);
    // its stdin is a pipe from this process: if this process dies, the client sees the end of it and goes too
    stalled = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] });
    stalled.out = '';
    stalled.stdout.on('data', d => { stalled.out += d; });
  };
  const stalledAtEnd = args['stalled-at'] === 'end';
  if (variant === 'stalled' && !stalledAtEnd) startStalled();
  // while the build runs: a sample every 0.5 s (each a full GC: what is live, not what is garbage)
  let st;
  for (;;) {
    st = await request(owner, 'status', { id });
    if (st.endedAt || Date.now() > deadline) break;
    sample('during');
    await sleep(500);
  }
  if (variant === 'stalled' && stalledAtEnd) startStalled(); // the whole log is there: every page it asks for comes
  const holdUntil = Date.now() + holdMs;
  while (Date.now() < holdUntil) {
    sample('held');
    await sleep(500);
  }
  sample('held');
  // the followers go: the slow ones are still sleeping after their page
  quit(workers);
  const followers = (await Promise.race([followDone, sleep(2000).then(() => null)])) || [];
  let stalledResult = null;
  if (stalled) {
    stalled.kill('SIGTERM');
    await new Promise(resolve => stalled.once('exit', resolve));
    try {
      stalledResult = JSON.parse(stalled.out.trim().split('\n').pop());
    } catch (e) {
      stalledResult = { output: stalled.out.slice(0, 500) };
    }
  }
  owner.close();
  await sleep(1000);
  sample('after');
  await sleep(4000);
  sample('after');
  const before = samples.filter(s => s.label === 'before').pop().heap_kb;
  const beforeRss = samples.filter(s => s.label === 'before').pop().rss_kb;
  const max = (label, key) => Math.max(...samples.filter(s => label.includes(s.label)).map(s => s[key]));
  return {
    variant, followers_n: n, id, status: st, samples,
    heap_before_kb: before,
    heap_max_during_kb: max(['during', 'held'], 'heap_kb'),
    heap_held_kb: samples.filter(s => s.label === 'held').pop().heap_kb,
    heap_after_kb: samples.filter(s => s.label === 'after').pop().heap_kb,
    rss_before_kb: beforeRss,
    rss_max_kb: max(['during', 'held', 'after'], 'rss_kb'),
    followers: followers.flatMap(d => (d ? d.results : [])).map(f => ({ pages: f.pages, lines: f.lines, error: f.error })),
    stalled: stalledResult,
    histogram_at_max: top,
  };
}

// ---------------------------------------------------------------------------------------------------------------
async function summaryCmd(args) {
  const out = { id: null, status: null, stages: {}, lines: 0, log_bytes: 0 };
  for (const line of fs.readFileSync(args.file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch (err) {
      continue;
    }
    if (e.type === 'build') out.id = e.id;
    else if (e.type === 'stage' && e.state === 'end') out.stages[e.stage] = e.durationMs;
    else if (e.type === 'log') {
      out.lines++;
      out.log_bytes += Buffer.byteLength(e.line, 'utf8') + 1;
    } else if (e.type === 'status') out.status = e.status;
  }
  if (out.id) {
    const st = await status(args.url, out.id);
    out.created_at = st.createdAt;
    out.started_at = st.startedAt;
    out.ended_at = st.endedAt;
    out.server_ms = st.endedAt && st.createdAt ? Date.parse(st.endedAt) - Date.parse(st.createdAt) : null;
  }
  return out;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.worker) return worker();
  const cmd = args._[0];
  if (!args.url) throw new Error('--url is needed');
  checkUrl(args.url);
  const killer = setTimeout(() => {
    process.stderr.write('build-follow: deadline passed\n');
    process.exit(3);
  }, (Number(args['deadline-s'] || 120) + 30) * 1000);
  killer.unref();
  let result;
  if (cmd === 'follow') result = await followCmd(args);
  else if (cmd === 'heap') result = await heapCmd(args);
  else if (cmd === 'status') result = await status(args.url, args.id);
  else if (cmd === 'summary') result = await summaryCmd(args);
  else throw new Error('unknown command ' + cmd + ' (follow, heap, status, summary)');
  process.stdout.write(JSON.stringify(result) + '\n');
  setTimeout(() => process.exit(0), 100);
}

main().catch(e => {
  process.stderr.write('build-follow: ' + e.message + '\n');
  process.exit(1);
});
