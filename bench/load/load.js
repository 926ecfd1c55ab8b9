'use strict';
// The benchmark's load generator: the lesson's client (section 3-3) under socket.io-client 2.5.0 (v2, Engine.IO 3)
// or 4.8.1 (v4, Engine.IO 4), many of them, in one or more worker processes driven by this process.
//
//   node load.js --scenario rt|churn|idle --url URL --server-pid PID [options]   prints one JSON result on stdout
//
// rt     --clients N: N clients connect (WebSocket only), wait for connect! and the auth reply, then each loops the
//        lesson's chat (emit 'chat', 'hello world!'; wait for both replies, 'packet!Hello Man!!' then 'Hello Man!!';
//        emit again). After --warmup seconds the window opens for --duration seconds: round trips completed in it,
//        their latency (emit to second reply), the CPU the server's process tree and the generator used in it.
//        Then every client stops emitting, waits up to 5 s for what it still has in flight (what never comes is
//        'lost'), and disconnects.
// churn  --concurrency C: C sessions at a time, each a new client: connect, auth reply, chat, both replies,
//        disconnect; --transport polling (socket.io-client's default: polling first, then the upgrade) or websocket.
// idle   --levels 1000,5000: clients connect (and get their auth reply) up to each level, then sit idle; the server's
//        resident memory (its whole process tree) and, with --jvm, its heap used after a full GC, against the
//        baseline taken before the first client, each reading once RSS has settled. With --jvm the server is GC'ed (jcmd GC.run) before every sample.
//
// Options: --gen v2|v4 (v2), --procs K worker processes (1), --warmup S (5), --duration S (10),
//          --transport websocket|polling (websocket), --deflate on|off (on: the client's default, it offers
//          permessage-deflate), --label TEXT (copied to the result).
// Bounded: every phase has a deadline; the whole run is killed after warmup + duration + 120 s at the latest.
// Loopback only: the URL must name 127.0.0.1 or localhost.
const { fork, execFileSync } = require('child_process');
const fs = require('fs');
const { performance } = require('perf_hooks');

const EXPECTED = ['packet!Hello Man!!', 'Hello Man!!']; // the lesson's replies to a chat on '/', in order
const AUTH = 'auth!Hello Man!!';

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error('unexpected argument ' + a);
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

// ---------------------------------------------------------------------------------------------------------------
// /proc readings
const TICK_S = 0.01; // CLK_TCK is 100 on Linux

function children() {
  const byParent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync('/proc/' + name + '/stat', 'utf8');
    } catch (e) {
      continue;
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!byParent.has(ppid)) byParent.set(ppid, []);
    byParent.get(ppid).push(Number(name));
  }
  return byParent;
}

function tree(root) {
  const byParent = children();
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

// read and write system calls made so far (/proc/PID/io: syscr, syscw)
function syscalls(pids) {
  let r = 0;
  let w = 0;
  for (const pid of pids) {
    try {
      const io = fs.readFileSync('/proc/' + pid + '/io', 'utf8');
      r += Number(/syscr: (\d+)/.exec(io)[1]);
      w += Number(/syscw: (\d+)/.exec(io)[1]);
    } catch (e) {
      // gone, or not ours to read
    }
  }
  return { r, w };
}

function rssKb(pids) {
  let kb = 0;
  for (const pid of pids) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/' + pid + '/status', 'utf8'));
      if (m) kb += Number(m[1]);
    } catch (e) {
      // gone
    }
  }
  return kb;
}

function cores() {
  const out = {};
  for (const line of fs.readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const v = m[2].split(/\s+/).map(Number);
    const idle = v[3] + v[4];
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    out[m[1]] = { idle, total };
  }
  return out;
}

function coreBusy(before, after) {
  const out = {};
  for (const k of Object.keys(after)) {
    const total = after[k].total - before[k].total;
    const idle = after[k].idle - before[k].idle;
    out['cpu' + k] = total > 0 ? round((total - idle) / total, 3) : null;
  }
  return out;
}

function jvmHeapUsedKb(pid) {
  execFileSync('jcmd', [String(pid), 'GC.run'], { stdio: 'ignore', timeout: 30000 });
  const info = execFileSync('jcmd', [String(pid), 'GC.heap_info'], { encoding: 'utf8', timeout: 30000 });
  // one line per generation (Serial: new + tenured; Parallel: young + old; G1: one heap line); not Metaspace
  let used = null;
  for (const m of info.matchAll(/total (\d+)K, used (\d+)K/g)) used = (used || 0) + Number(m[2]);
  return used;
}

function round(x, digits) {
  const f = Math.pow(10, digits);
  return Math.round(x * f) / f;
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

function latencySummary(lists) {
  let n = 0;
  for (const l of lists) n += l.length;
  const all = new Float64Array(n);
  let i = 0;
  for (const l of lists) {
    all.set(l, i);
    i += l.length;
  }
  all.sort();
  return {
    p50_ms: all.length ? round(percentile(all, 0.5), 2) : null,
    p99_ms: all.length ? round(percentile(all, 0.99), 2) : null,
    max_ms: all.length ? round(all[all.length - 1], 2) : null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// driver
async function driver(args) {
  const scenario = args.scenario;
  if (!['rt', 'churn', 'idle'].includes(scenario)) throw new Error('--scenario rt|churn|idle');
  const url = args.url;
  if (!/^https?:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url || '')) throw new Error('--url must be on loopback');
  const serverPid = Number(args['server-pid']);
  if (!serverPid) throw new Error('--server-pid PID');
  const procs = Math.max(1, Number(args.procs || 1));
  const warmup = Number(args.warmup || 5);
  const duration = Number(args.duration || 10);
  const gen = args.gen || 'v2';
  const transport = args.transport || 'websocket';
  const deflate = (args.deflate || 'on') === 'on';
  const levels = String(args.levels || '1000,5000').split(',').map(Number);
  const clients = scenario === 'idle' ? levels[levels.length - 1] : Number(args.clients || 100);
  const concurrency = Number(args.concurrency || 50);

  const hardLimit = setTimeout(() => {
    process.stderr.write('load: hard time limit reached; stopping\n');
    for (const w of workers) w.kill('SIGKILL');
    process.exit(3);
  }, (warmup + duration + 120 + (scenario === 'idle' ? 120 : 0)) * 1000);
  hardLimit.unref();

  const share = (total, i) => Math.floor(total / procs) + (i < total % procs ? 1 : 0);
  const workers = [];
  const inbox = [];
  for (let i = 0; i < procs; i++) {
    const w = fork(__filename, ['--worker'], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: Object.assign({}, process.env, {
        LOAD_CONFIG: JSON.stringify({ scenario, url, gen, transport, deflate,
          concurrency: share(concurrency, i), id: i }),
      }),
    });
    inbox.push([]);
    w.on('message', m => {
      inbox[i].push(m);
      if (w.waiter) w.waiter();
    });
    w.on('exit', code => {
      w.exited = true;
      if (w.waiter) w.waiter();
      if (code && !w.done) process.stderr.write('load: worker ' + i + ' exited with ' + code + '\n');
    });
    workers.push(w);
  }
  const generatorPids = () => [process.pid].concat(workers.map(w => w.pid));

  // waits for one message of type `ev` from every worker
  async function collect(ev, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const out = [];
    for (let i = 0; i < workers.length; i++) {
      const w = workers[i];
      for (;;) {
        const idx = inbox[i].findIndex(m => m.ev === ev);
        if (idx >= 0) {
          out.push(inbox[i].splice(idx, 1)[0]);
          break;
        }
        if (w.exited) throw new Error('worker ' + i + ' exited before ' + ev);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error('worker ' + i + ': no ' + ev + ' within ' + timeoutMs + ' ms');
        await new Promise(resolve => {
          const t = setTimeout(resolve, Math.min(left, 1000));
          w.waiter = () => {
            clearTimeout(t);
            resolve();
          };
        });
        w.waiter = null;
      }
    }
    return out;
  }
  const send = m => workers.forEach(w => w.send(m));
  const sleep = s => new Promise(resolve => setTimeout(resolve, s * 1000));
  const sample = () => {
    const pids = tree(serverPid);
    return { t: performance.now(), server: cpuSeconds(pids), gen: cpuSeconds(generatorPids()), cores: cores(), pids,
      sys: syscalls(pids) };
  };
  const result = { scenario, label: args.label || null, url, gen, transport, deflate, procs };

  if (scenario === 'idle') {
    const jvm = Boolean(args.jvm);
    const memory = () => {
      const heap = jvm ? jvmHeapUsedKb(serverPid) : null;
      return { rss_kb: rssKb(tree(serverPid)), heap_kb: heap };
    };
    // RSS keeps moving for a while after clients connect (a JIT finishing its compiles, a GC): wait until two
    // readings a second apart are within 0.5 %, for at most 20 s more, so that one-time costs are not read as
    // per-connection ones; the same for every peer
    const settle = async () => {
      await sleep(3);
      let last = rssKb(tree(serverPid));
      for (let i = 0; i < 20; i++) {
        await sleep(1);
        const now = rssKb(tree(serverPid));
        if (Math.abs(now - last) <= last * 0.005) return;
        last = now;
      }
    };
    // connect and drop a few clients first, so that the baseline has every code path loaded; then let it settle
    workers.forEach((w, i) => w.send({ cmd: 'connect', n: share(Math.min(200, levels[0]), i) }));
    await collect('ready', 60000);
    send({ cmd: 'closeall' });
    await collect('closed', 30000);
    await settle();
    const base = memory();
    result.baseline = base;
    result.levels = [];
    let totalConnected = 0;
    for (const level of levels) {
      const have = result.levels.length ? result.levels[result.levels.length - 1].clients : 0;
      workers.forEach((w, i) => w.send({ cmd: 'connect', n: share(level, i) - share(have, i) }));
      const t0 = performance.now();
      const ready = await collect('ready', 120000);
      totalConnected += ready.reduce((a, r) => a + r.connected, 0);
      const connected = totalConnected;
      const errors = ready.reduce((a, r) => a + r.errors, 0);
      const connectSeconds = (performance.now() - t0) / 1000;
      await settle();
      const m = memory();
      result.levels.push({
        clients: level, connected, errors, connect_s: round(connectSeconds, 2),
        rss_kb: m.rss_kb, heap_kb: m.heap_kb,
        rss_per_conn_kb: connected ? round((m.rss_kb - base.rss_kb) / connected, 2) : null,
        heap_per_conn_kb: connected && jvm ? round((m.heap_kb - base.heap_kb) / connected, 2) : null,
      });
    }
    send({ cmd: 'stop' });
    const done = await collect('done', 30000);
    result.errors = done.reduce((a, d) => a + d.errors, 0);
  } else {
    if (scenario === 'rt') {
      workers.forEach((w, i) => w.send({ cmd: 'connect', n: share(clients, i) }));
      const ready = await collect('ready', 120000);
      result.clients = clients;
      result.connected = ready.reduce((a, r) => a + r.connected, 0);
      result.connect_errors = ready.reduce((a, r) => a + r.errors, 0);
      result.connect_timeouts = ready.reduce((a, r) => a + (r.timeouts || 0), 0);
    } else {
      result.concurrency = concurrency;
    }
    send({ cmd: 'go' });
    await sleep(warmup);
    const a = sample();
    send({ cmd: 'mark' });
    await sleep(duration);
    const b = sample();
    send({ cmd: 'snap' });
    const windows = await collect('window', 30000);
    send({ cmd: 'stop' });
    const done = await collect('done', 30000);
    const wall = (b.t - a.t) / 1000;
    const count = windows.reduce((x, w) => x + w.count, 0);
    const rate = windows.reduce((x, w) => x + (w.seconds > 0 ? w.count / w.seconds : 0), 0);
    const serverCpu = b.server - a.server;
    const genCpu = b.gen - a.gen;
    Object.assign(result, {
      window_s: round(wall, 2),
      completed: count,
      per_s: Math.round(rate),
      server_cpu_s: round(serverCpu, 2),
      server_core: round(serverCpu / wall, 3),
      server_us_per_op: rate > 0 ? round(serverCpu * 1e6 / (rate * wall), 1) : null,
      gen_core: round(genCpu / wall, 3),
      gen_us_per_op: rate > 0 ? round(genCpu * 1e6 / (rate * wall), 1) : null,
      server_writes_per_op: rate > 0 ? round((b.sys.w - a.sys.w) / (rate * wall), 2) : null,
      server_reads_per_op: rate > 0 ? round((b.sys.r - a.sys.r) / (rate * wall), 2) : null,
      cores_busy: coreBusy(a.cores, b.cores),
      server_processes: b.pids.length,
      errors: windows.reduce((x, w) => x + w.errors, 0) + done.reduce((x, d) => x + d.errors, 0),
      wrong_replies: windows.reduce((x, w) => x + w.wrong, 0) + done.reduce((x, d) => x + d.wrong, 0),
      lost: done.reduce((x, d) => x + d.lost, 0),
    }, latencySummary(windows.map(w => w.latencies)));
  }
  for (const w of workers) w.done = true;
  await Promise.all(workers.map(w => w.exited ? null : new Promise(resolve => {
    const t = setTimeout(() => {
      w.kill('SIGKILL');
      resolve();
    }, 10000);
    w.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
  })));
  process.stdout.write(JSON.stringify(result) + '\n');
}

// ---------------------------------------------------------------------------------------------------------------
// worker
function worker() {
  const cfg = JSON.parse(process.env.LOAD_CONFIG);
  const io = require(cfg.gen === 'v2' ? 'socket.io-client-v2' : 'socket.io-client-v4');
  const opts = {
    forceNew: true,
    reconnection: false,
    timeout: 20000,
    transports: cfg.transport === 'polling' ? ['polling', 'websocket'] : ['websocket'],
  };
  if (!cfg.deflate) opts.perMessageDeflate = false;

  const all = [];
  let running = false;
  let measuring = false;
  let windowStart = 0;
  let count = 0;
  let errors = 0;
  let wrong = 0;
  let connectTimeouts = 0;
  let latencies = [];

  function record(latencyMs) {
    if (measuring) {
      count++;
      latencies.push(latencyMs);
    }
  }

  // one long-lived client: connect, auth reply, then (once running) chat after chat
  function client(onReady) {
    const c = { s: io(cfg.url, opts), ready: false, connected: false, authed: false, replies: 0, t0: 0,
      busy: false, dead: false };
    const s = c.s;
    const maybeReady = () => {
      if (!c.ready && c.connected && c.authed) {
        c.ready = true;
        onReady(true);
      }
    };
    s.on('connect', () => {
      c.connected = true;
      maybeReady();
    });
    s.on('res', msg => {
      if (!c.authed && msg === AUTH) {
        c.authed = true;
        maybeReady();
        return;
      }
      if (!c.busy) {
        wrong++;
        return;
      }
      if (msg !== EXPECTED[c.replies]) wrong++;
      if (++c.replies === EXPECTED.length) {
        c.busy = false;
        record(performance.now() - c.t0);
        if (running) chat(c);
        else if (stopWaiter) stopWaiter();
      }
    });
    const fail = () => {
      if (c.dead) return;
      c.dead = true;
      if (!stopping) errors++;
      if (!c.ready) onReady(false);
      if (c.busy && stopWaiter) stopWaiter();
    };
    s.on('connect_error', fail);
    s.on('error', fail);
    s.on('disconnect', fail);
    // a client that is neither in nor refused within 30 s counts as a connect error (socket.io-client 4.x has no
    // timeout of its own for a namespace CONNECT that never comes)
    const deadline = setTimeout(() => {
      if (!c.ready && !c.dead) {
        connectTimeouts++;
        fail();
        s.close();
      }
    }, 30000);
    deadline.unref();
    all.push(c);
    return c;
  }

  function chat(c) {
    c.busy = true;
    c.replies = 0;
    c.t0 = performance.now();
    c.s.emit('chat', 'hello world!');
  }

  // connects n more clients, at most 50 connecting at a time
  function connect(n) {
    let started = 0;
    let finished = 0;
    let ok = 0;
    let bad = 0;
    return new Promise(resolve => {
      const next = () => {
        while (started < n && started - finished < 50) {
          started++;
          client(success => {
            finished++;
            if (success) ok++;
            else bad++;
            if (finished === n) resolve({ connected: ok, errors: bad });
            else next();
          });
        }
      };
      if (n === 0) resolve({ connected: 0, errors: 0 });
      else next();
    });
  }

  // churn: one slot runs session after session while running
  let churnActive = 0;
  function session() {
    churnActive++;
    const t0 = performance.now();
    const s = io(cfg.url, opts);
    let connected = false;
    let authed = false;
    let replies = 0;
    let over = false;
    const end = ok => {
      if (over) return;
      over = true;
      clearTimeout(timer);
      if (ok) record(performance.now() - t0);
      else errors++;
      s.close();
      churnActive--;
      if (running) setImmediate(session);
      else if (stopWaiter) stopWaiter();
    };
    const timer = setTimeout(() => end(false), 20000);
    const maybeChat = () => {
      if (connected && authed) s.emit('chat', 'hello world!');
    };
    s.on('connect', () => {
      connected = true;
      maybeChat();
    });
    s.on('res', msg => {
      if (!authed && msg === AUTH) {
        authed = true;
        maybeChat();
        return;
      }
      if (msg !== EXPECTED[replies]) wrong++;
      if (++replies === EXPECTED.length) end(true);
    });
    s.on('connect_error', () => end(false));
    s.on('error', () => end(false));
    s.on('disconnect', () => end(false));
  }

  let stopping = false;
  let stopWaiter = null;
  function stop() {
    running = false;
    stopping = true;
    const deadline = Date.now() + 5000;
    return new Promise(resolve => {
      const check = () => {
        const inFlight = cfg.scenario === 'churn' ? churnActive : all.filter(c => c.busy && !c.dead).length;
        if (inFlight === 0 || Date.now() >= deadline) {
          stopWaiter = null;
          clearInterval(poll);
          resolve(cfg.scenario === 'churn' ? 0 : inFlight);
        }
      };
      stopWaiter = check;
      const poll = setInterval(check, 100);
      check();
    });
  }

  process.on('message', async m => {
    switch (m.cmd) {
      case 'connect': {
        const r = await connect(m.n);
        process.send({ ev: 'ready', connected: r.connected, errors: r.errors, timeouts: connectTimeouts });
        break;
      }
      case 'closeall': {
        stopping = true;
        for (const c of all) c.s.close();
        all.length = 0;
        setTimeout(() => {
          stopping = false;
          process.send({ ev: 'closed' });
        }, 500);
        break;
      }
      case 'go':
        running = true;
        if (cfg.scenario === 'rt') all.filter(c => c.ready && !c.dead).forEach(chat);
        else if (cfg.scenario === 'churn') for (let i = 0; i < cfg.concurrency; i++) session();
        break;
      case 'mark':
        measuring = true;
        windowStart = performance.now();
        count = 0;
        latencies = [];
        break;
      case 'snap': {
        measuring = false;
        const seconds = (performance.now() - windowStart) / 1000;
        process.send({ ev: 'window', count, seconds, errors, wrong, latencies: Float64Array.from(latencies) });
        errors = 0;
        wrong = 0;
        latencies = [];
        break;
      }
      case 'stop': {
        const lost = await stop();
        for (const c of all) c.s.close();
        process.send({ ev: 'done', lost, errors, wrong }, () => setTimeout(() => process.exit(0), 200));
        break;
      }
      default:
        break;
    }
  });
  process.on('disconnect', () => process.exit(0)); // the driver is gone
}

if (process.argv[2] === '--worker') {
  worker();
} else {
  driver(parseArgs(process.argv.slice(2))).catch(e => {
    process.stderr.write('load: ' + (e && e.stack || e) + '\n');
    process.exit(1);
  });
}
