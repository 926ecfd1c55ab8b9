'use strict';
// The lesson's client (section 3-3), runnable against a URL under either socket.io-client generation:
//   node client.js v2|v4 URL [chat|echo]
// chat (default): exactly the lesson's code, plus an ack callback on the emit so that the process ends by itself
//                 once the server has finished with the packet (the server acks after the packet's whole chain).
// echo:           emits 'echo', 'hello world!' with an ack callback and prints 'ack: ARGS' (the server's
//                 controller answers the ack itself). Not 'ping': socket.io-client 2.x reserves that name.
// A connect error prints 'connect error: MESSAGE' and exits 1.
const [generation, url, mode = 'chat'] = process.argv.slice(2);
if (!['v2', 'v4'].includes(generation) || !url || !['chat', 'echo'].includes(mode)) {
  console.error('usage: node client.js v2|v4 URL [chat|echo]');
  process.exit(2);
}
const io = require(generation === 'v2' ? 'socket.io-client-v2' : 'socket.io-client-v4');

// or http://127.0.0.1:7001/chat
const socket = io(url, { reconnection: false, forceNew: true });

socket.on('connect', () => {
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

// never hang a test: give up after 20 s
setTimeout(() => {
  console.error('no answer from %s within 20 s', url);
  process.exit(1);
}, 20000).unref();
