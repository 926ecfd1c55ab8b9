'use strict';
// The integration tests' rooms load: N clients spread over one or more servers, in rooms that span them, each
// saying numbered lines to its room for D seconds; every member checks that it heard every other member's lines
// exactly once and in order.
//
//   node rooms-load.js --urls URL[,URL...] --clients N --room-size S --seconds D [--every MS] [--grace S]
//
// Client i (socket.io-client 4.x, WebSocket only, no reconnection) connects to URLS[i % URLS.length] on /chat and
// joins room 'load-' + floor(i / S) as 'c' + i, so consecutive clients of one room sit on different servers. Once
// every client has joined, each emits 'say' (room, 'c<i> <k>'), k = 1, 2, ..., every MS milliseconds (default 1000,
// first one at a random offset) for D seconds. Then each waits until it has heard everything its room said (at most
// --grace seconds, default 10), leaves its room (with an ack) and disconnects.
//
// One JSON line on stdout at the end, exit code 0 whatever the counts (the test judges):
//   clients, connected, joined, sent (lines said), expected (deliveries owed: each line to each other member of its
//   room), delivered (distinct lines heard), lost (expected - delivered), doubled (a line heard again), reordered
//   (a line heard after a later one of the same sender), strangers (lines from outside the room, or malformed),
//   own (a member hearing itself), errors (connect errors, refused joins, disconnects not asked for), left (clients
//   whose leave was acked), sayingMs (from the first line said to the last one heard), deliveredPerSecond,
//   deliveryMs {p50, p99, max} (say to hear, one clock: one process), and with several URLs the same split into
//   sameServerMs (sender and member on one server) and otherServerMs (on different ones), errorSamples.
// Bounded: N in 1..5000, S in 2..N, D in 1..300; loopback URLs only.

const options = require('./options')('rooms-load.js',
  '--urls URL[,URL...] --clients N --room-size S --seconds D [--every MS] [--grace S]');
const usage = options.usage;
const args = options.args;
if (!args.urls) usage('--urls is required');
const urls = args.urls.split(',');
for (const url of urls) {
  let host;
  try {
    host = new URL(url).hostname;
  } catch (e) {
    usage('bad URL ' + url);
  }
  if (!['127.0.0.1', 'localhost'].includes(host)) usage('loopback only: ' + url);
}
const clients = options.int('clients', 1, 5000);
const roomSize = options.int('room-size', 2, Math.max(2, clients));
const seconds = options.int('seconds', 1, 300);
const every = options.int('every', 10, 60000, 1000);
const grace = options.int('grace', 1, 120, 10);
const io = require('socket.io-client-v4');

const totals = {
  clients, urls: urls.length, roomSize, seconds, every,
  connected: 0, joined: 0, sent: 0, expected: 0, delivered: 0, lost: 0, doubled: 0, reordered: 0, strangers: 0,
  own: 0, errors: 0, left: 0, sayingMs: 0, deliveredPerSecond: 0, deliveryMs: null, sameServerMs: null,
  otherServerMs: null, errorSamples: [],
};
const latencies = [];
const sameServer = [];
const otherServer = [];
let firstSaid = 0;
let lastHeard = 0;
const sentAt = new Map(); // 'c<i> <k>' -> ms
const members = [];

function error(description) {
  totals.errors++;
  if (totals.errorSamples.length < 5) totals.errorSamples.push(description);
}

function roomOf(i) {
  return 'load-' + Math.floor(i / roomSize);
}

for (let i = 0; i < clients; i++) {
  const name = 'c' + i;
  const member = { i, name, room: roomOf(i), heard: new Map(), sent: 0, joined: false, closing: false };
  member.socket = io(urls[i % urls.length].replace(/\/$/, '') + '/chat', { transports: ['websocket'], reconnection: false, forceNew: true });
  member.socket.on('connect', () => {
    totals.connected++;
    member.socket.emit('join', member.room, name, answer => {
      if (!answer || answer.error !== undefined) {
        error(name + ': join refused ' + JSON.stringify(answer));
        return;
      }
      member.joined = true;
      totals.joined++;
      if (totals.joined === clients) startSaying();
    });
  });
  member.socket.on('connect_error', e => error(name + ': connect_error ' + e.message));
  member.socket.on('disconnect', reason => {
    if (!member.closing) error(name + ': disconnected ' + reason);
  });
  member.socket.on('said', message => hear(member, message));
  members.push(member);
}

function hear(member, message) {
  const match = message && typeof message.text === 'string' ? /^c(\d+) (\d+)$/.exec(message.text) : null;
  if (!match || message.room !== member.room || message.from !== 'c' + match[1] || roomOf(Number(match[1])) !== member.room) {
    totals.strangers++;
    return;
  }
  if (message.from === member.name) {
    totals.own++;
    return;
  }
  const k = Number(match[2]);
  const last = member.heard.get(message.from) || 0;
  if (k <= last) {
    // heard again, or heard after a later line of the same sender
    if (member.heard.has(message.from + ' ' + k)) totals.doubled++; else totals.reordered++;
    return;
  }
  if (k !== last + 1) totals.reordered++; // a line skipped, so far: counted as out of order until it comes
  member.heard.set(message.from, k);
  member.heard.set(message.from + ' ' + k, true);
  totals.delivered++;
  const at = sentAt.get(message.text);
  if (at !== undefined) {
    lastHeard = Date.now();
    const ms = lastHeard - at;
    latencies.push(ms);
    (Number(match[1]) % urls.length === member.i % urls.length ? sameServer : otherServer).push(ms);
  }
}

let started = false;
const timeout = setTimeout(() => {
  error('not every client joined within 60 s (' + totals.joined + ' of ' + clients + ')');
  finish();
}, 60000);

function startSaying() {
  if (started) return;
  started = true;
  clearTimeout(timeout);
  const end = Date.now() + seconds * 1000;
  for (const member of members) {
    const say = () => {
      if (Date.now() >= end) return;
      member.sent++;
      totals.sent++;
      if (firstSaid === 0) firstSaid = Date.now();
      const text = member.name + ' ' + member.sent;
      sentAt.set(text, Date.now());
      member.socket.emit('say', member.room, text);
      setTimeout(say, every);
    };
    setTimeout(say, Math.floor(Math.random() * every));
  }
  setTimeout(awaitQuiet, seconds * 1000 + every, Date.now() + seconds * 1000 + grace * 1000);
}

// each member owes (lines said in its room by others); wait until everyone has them all, or the grace period ends
function owed() {
  let missing = 0;
  for (const member of members) {
    for (const other of members) {
      if (other !== member && other.room === member.room) missing += other.sent - (member.heard.get(other.name) || 0);
    }
  }
  return missing;
}

function awaitQuiet(deadline) {
  if (owed() > 0 && Date.now() < deadline) {
    setTimeout(awaitQuiet, 100, deadline);
    return;
  }
  finish();
}

function percentiles(ms) {
  ms.sort((a, b) => a - b);
  const pick = q => ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] : -1;
  return { p50: pick(0.5), p99: pick(0.99), max: ms.length ? ms[ms.length - 1] : -1 };
}

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  for (const member of members) {
    for (const other of members) {
      if (other !== member && other.room === member.room) totals.expected += other.sent;
    }
  }
  totals.lost = totals.expected - totals.delivered;
  totals.sayingMs = lastHeard > firstSaid ? lastHeard - firstSaid : 0;
  totals.deliveredPerSecond = totals.sayingMs > 0 ? Math.round(totals.delivered * 1000 / totals.sayingMs) : 0;
  totals.deliveryMs = percentiles(latencies);
  if (urls.length > 1) {
    totals.sameServerMs = percentiles(sameServer);
    totals.otherServerMs = percentiles(otherServer);
  }
  let pending = members.length;
  const done = () => {
    if (--pending === 0) {
      console.log(JSON.stringify(totals));
      process.exit(0);
    }
  };
  for (const member of members) {
    member.closing = true;
    if (!member.socket.connected) {
      done();
      continue;
    }
    let answered = false;
    const close = () => {
      if (answered) return;
      answered = true;
      member.socket.close();
      done();
    };
    setTimeout(close, 5000);
    member.socket.emit('leave', member.room, answer => {
      if (answer && answer.room === member.room) totals.left++;
      close();
    });
  }
}

// the process ends whatever happens: D + 60 s of joining + grace + 15 s
setTimeout(() => {
  error('rooms-load.js ran out of time');
  console.log(JSON.stringify(totals));
  process.exit(0);
}, (seconds + 60 + grace + 15) * 1000).unref();
