'use strict';
// The cluster build benchmark's client (bench/build-cluster.sh): builds per minute across nodes.
//
//   node build-throughput.js --urls URL[,URL...] --repo REPO --branch B --builds N [--deadline-s S]
//
// Connects once to /build on every node (socket.io-client 4.8.1, WebSocket only), asks for N builds of REPO's
// branch B, spread round-robin over the nodes (each `build` then `detach`, so a build never depends on this
// process), then asks `status` every 250 ms until every build has ended. Prints one JSON object: each build's id,
// status, node, createdAt, startedAt, endedAt (the servers' clocks), and the summary: the wall time from the first
// createdAt to the last endedAt, builds per minute in all and per node, and how many builds each node ran.
// Bounded (--deadline-s, 600 s by default); loopback only.
const { io } = require('socket.io-client-v4');

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error('usage: see the header of this file');
    args[argv[i].slice(2)] = argv[i + 1];
  }
  return args;
}

function ack(socket, event, payload) {
  return new Promise((resolve, reject) => {
    socket.timeout(30000).emit(event, payload, (err, answer) => {
      if (err) reject(new Error(event + ': no answer in 30 s'));
      else if (answer && answer.error) reject(new Error(event + ': ' + answer.error));
      else resolve(answer);
    });
  });
}

function connect(url) {
  if (!/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/?$/.test(url)) throw new Error('loopback URLs only: ' + url);
  const socket = io(url.replace(/\/$/, '') + '/build', { transports: ['websocket'], reconnection: false });
  return new Promise((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', e => reject(new Error(url + ': ' + e.message)));
  });
}

(async () => {
  const args = parseArgs(process.argv.slice(2));
  const urls = args.urls.split(',');
  const builds = Number(args.builds);
  const deadline = Date.now() + 1000 * Number(args['deadline-s'] || 600);
  const sockets = await Promise.all(urls.map(connect));
  const ids = [];
  for (let i = 0; i < builds; i++) {
    const socket = sockets[i % sockets.length];
    const { id } = await ack(socket, 'build', { repo: args.repo, branch: args.branch });
    await ack(socket, 'detach', { id });
    ids.push(id);
  }
  const done = new Map();
  while (done.size < ids.length) {
    if (Date.now() > deadline) throw new Error('deadline: ' + (ids.length - done.size) + ' builds still running');
    await new Promise(r => setTimeout(r, 250));
    for (const id of ids) {
      if (done.has(id)) continue;
      const status = await ack(sockets[0], 'status', { id });
      if (!['QUEUED', 'WORKING'].includes(status.status)) done.set(id, status);
    }
  }
  const all = ids.map(id => done.get(id));
  const first = Math.min(...all.map(s => Date.parse(s.createdAt)));
  const last = Math.max(...all.map(s => Date.parse(s.endedAt)));
  const perNode = {};
  for (const s of all) perNode[s.node || 'one'] = (perNode[s.node || 'one'] || 0) + 1;
  const minutes = (last - first) / 60000;
  const nodes = Object.keys(perNode).length;
  console.log(JSON.stringify({
    builds: all.map(s => ({ id: s.id, status: s.status, node: s.node || null, createdAt: s.createdAt,
      startedAt: s.startedAt, endedAt: s.endedAt })),
    summary: {
      builds: all.length, succeeded: all.filter(s => s.status === 'SUCCESS').length, wallMs: last - first,
      buildsPerMinute: +(all.length / minutes).toFixed(1), nodes, perNode,
      buildsPerMinutePerNode: +(all.length / minutes / urls.length).toFixed(1),
      meanBuildMs: Math.round(all.reduce((t, s) => t + Date.parse(s.endedAt) - Date.parse(s.startedAt), 0) / all.length),
    },
  }));
  sockets.forEach(s => s.close());
  process.exit(0);
})().catch(e => { console.error('build-throughput: ' + e.message); process.exit(1); });
