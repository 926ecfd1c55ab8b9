'use strict';
// The lesson's client (section 3-3, models/cloudbuild/lib/index.js) for the benchmark's CLI scenario:
//   node lesson-client.js URL
// Exactly the lesson's code under socket.io-client 2.5.0, plus an ack callback on the emit so that the process
// ends by itself once the server has finished with the packet (our server acks after the packet's whole chain),
// the same end as 'cloudscope chat'. A connect error prints 'connect error: MESSAGE' and exits 1.
const url = process.argv[2] || 'http://127.0.0.1:7001';

// or http://127.0.0.1:7001/chat
const socket = require('socket.io-client-v2')(url, { reconnection: false });

socket.on('connect', () => {
  console.log('connect!');
  socket.emit('chat', 'hello world!', () => socket.close());
});
socket.on('res', msg => {
  console.log('res from server: %s!', msg);
});

function refused(err) {
  console.error('connect error: %s', err && err.message ? err.message : String(err));
  socket.close();
  process.exitCode = 1;
}
socket.on('connect_error', refused);
socket.on('error', refused);

// never hang: give up after 20 s
setTimeout(() => {
  console.error('no answer from %s within 20 s', url);
  process.exit(1);
}, 20000).unref();
