'use strict';
// The integration tests' load client: N concurrent lesson clients for D seconds against one server, checking that
// every packet gets all its replies, in order.
//
//   node load.js --url URL --clients N --seconds D [--gen v4|v2] [--grace S]
//
// Each client connects over WebSocket only (no polling, no reconnection), expects the auth reply first
// ('auth!Hello Man!!', once per connection), then loops: emit 'chat', 'm-<client>-<seq>' with an ack callback, expect
// 'packet!Hello Man!!' then 'Hello Man!!', then the ack (the server acks once the packet's whole chain is done, after
// its replies), emit the next one. After D seconds no client emits again; each waits for the ack of the packet it
// still has in flight (at most --grace seconds, default 10), then disconnects. A client the server disconnects, or
// that cannot connect, is done at once.
//
// Counts (one JSON line on stdout at the end, exit code 0 whatever the counts: the test judges):
//   sent        chat packets emitted
//   acked       acks received
//   lost        lostReplies + lostAcks
//   lostReplies packets acked before both their replies had arrived
//   lostAcks    packets whose ack never came (the client was disconnected, or the grace period ended)
//   reordered   replies in the wrong order: a packet reply before the auth reply, 'Hello Man!!' before
//               'packet!Hello Man!!', a second auth reply, a reply while no packet was in flight (late or extra)
//   unexpected  replies with an unknown text
//   errors      connect errors, 'error' events, disconnects the client did not ask for, clients never connected
//   connected   clients that connected; authed: clients that got their auth reply
//   serverDisconnects  disconnects the client did not ask for ('io server disconnect', 'transport close', ...)
//   durationMs, connectMsMax (the last client's connect, from the start), ackMs {p50, p99, max} (emit to ack)
//   errorSamples       the first few error descriptions
// Bounded: N in 1..5000, D in 1..600; the process ends at D + grace + 15 s at the latest, printing what it has.
// Loopback only: the URL must name 127.0.0.1 or localhost.

const AUTH = 'auth!Hello Man!!';
const EXPECTED = ['packet!Hello Man!!', 'Hello Man!!'];
const KNOWN = new Set([AUTH, ...EXPECTED]);

const options = require('./options')('load.js', '--url URL --clients N --seconds D [--gen v4|v2] [--grace S]');
const usage = options.usage;
const args = options.args;
const url = args.url;
if (!url) usage('--url is required');
let host;
try {
  host = new URL(url).hostname;
} catch (e) {
  usage('bad --url ' + url);
}
if (!['127.0.0.1', 'localhost'].includes(host)) usage('loopback only: ' + url);
const clients = options.int('clients', 1, 5000, undefined);
const seconds = options.int('seconds', 1, 600, undefined);
const grace = options.int('grace', 1, 120, 10);
const gen = args.gen || 'v4';
if (!['v2', 'v4'].includes(gen)) usage('--gen must be v2 or v4');
const io = require(gen === 'v2' ? 'socket.io-client-v2' : 'socket.io-client-v4');

const totals = {
  clients, seconds, gen,
  sent: 0, acked: 0, lost: 0, lostReplies: 0, lostAcks: 0, reordered: 0, unexpected: 0, errors: 0,
  connected: 0, authed: 0, serverDisconnects: 0, durationMs: 0, connectMsMax: 0, ackMs: null, errorSamples: [],
};
const ackLatencies = []; // emit to ack, ms
const started = Date.now();
let stopping = false; // past D seconds: emit no more
let finished = false;
let done = 0;

function error(text) {
  totals.errors++;
  if (totals.errorSamples.length < 10) totals.errorSamples.push(text);
}

function describe(err) {
  if (err === undefined || err === null) return String(err);
  let text = err.message ? err.message : (typeof err === 'object' ? JSON.stringify(err) : String(err));
  if (err.description !== undefined) {
    const d = err.description;
    text += ' (' + (d && d.message ? d.message : d && d.code ? d.code : typeof d === 'object' ? JSON.stringify(d) : String(d)) + ')';
  }
  return text;
}

class LoadClient {
  constructor(index) {
    this.index = index;
    this.seq = 0;
    this.authSeen = false;
    this.inFlight = null; // {stage: replies seen so far, in order}
    this.finished = false;
    this.socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    this.socket.on('connect', () => this.onConnect());
    this.socket.on('res', msg => this.onReply(msg));
    this.socket.on('connect_error', err => { error('client ' + index + ' connect error: ' + describe(err)); this.finish(); });
    this.socket.on('error', err => { error('client ' + index + ' error: ' + describe(err)); this.finish(); });
    this.socket.on('disconnect', reason => {
      if (this.finished) return;
      totals.serverDisconnects++;
      error('client ' + index + ' disconnected: ' + reason);
      this.finish();
    });
  }

  onConnect() {
    totals.connected++;
    totals.connectMsMax = Math.max(totals.connectMsMax, Date.now() - started);
    this.next();
  }

  next() {
    if (this.finished) return;
    if (stopping) {
      this.finish();
      return;
    }
    const packet = { stage: 0, at: Date.now() };
    this.inFlight = packet;
    this.seq++;
    totals.sent++;
    this.socket.emit('chat', 'm-' + this.index + '-' + this.seq, () => this.onAck(packet));
  }

  onReply(msg) {
    if (!KNOWN.has(msg)) {
      totals.unexpected++;
      return;
    }
    if (msg === AUTH) {
      if (this.authSeen) totals.reordered++;
      else totals.authed++;
      this.authSeen = true;
      return;
    }
    if (!this.authSeen) totals.reordered++; // a packet reply before the auth reply
    const packet = this.inFlight;
    if (packet === null || packet.stage >= EXPECTED.length) {
      totals.reordered++; // a reply while no packet waits for one: late or extra
      return;
    }
    if (msg === EXPECTED[packet.stage]) {
      packet.stage++;
    } else {
      totals.reordered++;
      packet.stage = EXPECTED.length; // the order is broken; do not count its ack as lost on top
      packet.reordered = true;
    }
  }

  onAck(packet) {
    if (packet.acked) return;
    packet.acked = true;
    totals.acked++;
    ackLatencies.push(Date.now() - packet.at);
    if (packet.stage < EXPECTED.length) totals.lostReplies++;
    if (this.inFlight === packet) this.inFlight = null;
    this.next();
  }

  /** Done: count what is still in flight as lost, disconnect, count it done. */
  finish() {
    if (this.finished) return;
    this.finished = true;
    if (this.inFlight !== null && !this.inFlight.acked) totals.lostAcks++;
    this.inFlight = null;
    this.socket.close(); // also stops a connection attempt
    done++;
    if (done === clients) report();
  }
}

function report() {
  if (finished) return;
  finished = true;
  totals.lost = totals.lostReplies + totals.lostAcks;
  totals.durationMs = Date.now() - started;
  if (ackLatencies.length > 0) {
    ackLatencies.sort((a, b) => a - b);
    const at = q => ackLatencies[Math.min(ackLatencies.length - 1, Math.floor(q * ackLatencies.length))];
    totals.ackMs = { p50: at(0.5), p99: at(0.99), max: ackLatencies[ackLatencies.length - 1] };
  }
  // a short pause so that the last close frames leave before the process exits
  setTimeout(() => process.stdout.write(JSON.stringify(totals) + '\n', () => process.exit(0)), 200);
}

const all = [];
for (let i = 1; i <= clients; i++) all.push(new LoadClient(i));

setTimeout(() => {
  stopping = true;
  for (const c of all) {
    if (!c.finished && c.inFlight === null && c.socket.connected) c.finish();
  }
}, seconds * 1000);

// the grace period: whatever is still in flight is lost; a client never connected is an error
setTimeout(() => {
  for (const c of all) {
    if (c.finished) continue;
    if (!c.socket.connected && c.seq === 0) error('client ' + c.index + ' never connected');
    c.finish();
  }
}, (seconds + grace) * 1000);

// never hang a test
setTimeout(() => {
  error('load.js: still running at D + grace + 15 s; ' + (clients - done) + ' clients not done');
  report();
}, (seconds + grace + 15) * 1000).unref();
