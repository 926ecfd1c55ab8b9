'use strict';
// The lesson's client (section 3-3), runnable against a URL under either socket.io-client generation:
//   node client.js v2|v4 URL [chat|echo]
//   node client.js v2|v4 URL room ROOM NAME
// chat (default): exactly the lesson's code, plus an ack callback on the emit so that the process ends by itself
//                 once the server has finished with the packet (the server acks after the packet's whole chain).
// echo:           emits 'echo', 'hello world!' with an ack callback and prints 'ack: ARGS' (the server's
//                 controller answers the ack itself). Not 'ping': socket.io-client 2.x reserves that name.
// room:           what 'cloudscope room' does, for the rooms contract on /chat: emits 'join' (ROOM, NAME) with an ack
//                 and prints 'joined ROOM as NAME (N members)' on stderr once the server acks {room, members} (an
//                 ack {error} prints 'join refused: MESSAGE' and exits 1); then sends each non-empty stdin line as
//                 'say' (ROOM, TEXT), prints each 'said' {room, from, text} as 'FROM: TEXT' on stdout (control
//                 characters but tab escaped, as the CLI does), and at the end of stdin emits 'leave' (ROOM), waits
//                 for its ack (1 s at most) and closes. Being disconnected by the server prints
//                 'disconnected: REASON' on stderr and exits 1. (A 2.x client asked for /chat is connected to '/'
//                 too by its protocol, so '/''s connection middleware runs for it as well.)
// A connect error prints 'connect error: MESSAGE' and exits 1.
const [generation, url, mode = 'chat', room, name] = process.argv.slice(2);
const modes = ['chat', 'echo', 'room'];
if (!['v2', 'v4'].includes(generation) || !url || !modes.includes(mode)
    || (mode === 'room' && (room === undefined || name === undefined))) {
  console.error('usage: node client.js v2|v4 URL [chat|echo]\n       node client.js v2|v4 URL room ROOM NAME');
  process.exit(2);
}
const io = require(generation === 'v2' ? 'socket.io-client-v2' : 'socket.io-client-v4');

// or http://127.0.0.1:7001/chat
const socket = io(url, { reconnection: false, forceNew: true });

socket.on('connect', () => {
  if (mode === 'room') {
    joinRoom();
    return;
  }
  console.log('connect!');
  if (mode === 'chat') {
    socket.emit('chat', 'hello world!', () => socket.close());
  } else {
    socket.emit('echo', 'hello world!', (...args) => {
      console.log('ack: %s', args.join(','));
      socket.close();
    });
  }
});
socket.on('res', msg => {
  console.log('res from server: %s!', msg);
});

function refused(err) {
  const message = err && err.message ? err.message : String(err);
  // a transport error carries its cause (an HTTP status, or a network error) in description
  const cause = err && err.description !== undefined ? ' (' + describe(err.description) + ')' : '';
  console.error('connect error: %s%s', message, cause);
  socket.close();
  process.exitCode = 1;
}
function describe(description) {
  if (description && description.message) return description.message;
  if (description && description.code) return description.code;
  return typeof description === 'object' ? JSON.stringify(description) : String(description);
}
socket.on('connect_error', refused);
socket.on('error', refused); // socket.io-client 2.x reports a refused namespace as 'error'

// never hang a test: give up after 20 s (in room mode, only until the room is joined)
const giveUp = setTimeout(() => {
  console.error('no answer from %s within 20 s', url);
  process.exit(1);
}, 20000).unref();

// ---- room mode ------------------------------------------------------------------------------------------------------
let joined = false;
let closing = false; // our own close: its 'disconnect' is no news

function joinRoom() {
  if (joined) return; // a 2.x client may fire 'connect' again after a reconnect; this one never reconnects
  socket.emit('join', room, name, answer => {
    if (!answer || typeof answer !== 'object' || answer.error !== undefined || typeof answer.members !== 'number') {
      const why = answer && answer.error !== undefined ? answer.error : 'unexpected answer ' + JSON.stringify(answer);
      console.error('join refused: %s', printable(String(why)));
      closing = true;
      socket.close();
      process.exit(1);
    }
    joined = true;
    clearTimeout(giveUp);
    console.error('joined %s as %s (%d member%s)', printable(room), printable(name), answer.members,
      answer.members === 1 ? '' : 's');
    readLines();
  });
}

socket.on('said', message => {
  if (!message || typeof message !== 'object') return;
  console.log('%s: %s', printable(text(message.from)), printable(text(message.text)));
});

socket.on('disconnect', reason => {
  if (mode !== 'room' || closing) return;
  console.error('disconnected: %s', reason);
  process.exit(1);
});

function readLines() {
  const lines = require('readline').createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  lines.on('line', line => {
    if (line !== '') socket.emit('say', room, line);
  });
  lines.on('close', leave);
}

function leave() {
  closing = true;
  let left = false;
  const done = () => {
    if (left) return;
    left = true;
    clearTimeout(timer);
    socket.close(); // nothing else keeps the process: it ends, stdout written
  };
  const timer = setTimeout(done, 1000);
  socket.emit('leave', room, done);
}

function text(value) {
  return value === undefined || value === null ? '' : String(value);
}

// control characters but tab shown as \n, \r or \xHH, so that another member cannot drive the terminal
function printable(s) {
  return s.replace(/[\x00-\x08\x0a-\x1f\x7f-\x9f]/g, c => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    return '\\x' + c.charCodeAt(0).toString(16).padStart(2, '0');
  });
}
