'use strict';
// A cloud build client that never detaches (socket.io-client 4.x), for the cancel-by-disconnect test:
//   node build-client.js SERVER_URL REPO BRANCH [COMMAND]
// Joins SERVER_URL/build, emits 'build' {repo, branch, command?} with an ack and prints 'accepted ID' (an ack
// {error} prints 'refused: MESSAGE' and exits 1); then follows the log ('follow' {id, after} again from each ack's
// lastSeq), printing each build line as 'log LINE' and the final 'status STATUS', and closes. It never emits
// 'detach': the socket owns its build, so the server cancels the build when this process goes away mid-build.
const io = require('socket.io-client-v4');

const [server, repo, branch, command] = process.argv.slice(2);
if (!server || !repo || !branch) {
  console.error('usage: node build-client.js SERVER_URL REPO BRANCH [COMMAND]');
  process.exit(2);
}
const socket = io(server.replace(/\/$/, '') + '/build', { reconnection: false, forceNew: true });

socket.on('connect_error', err => {
  console.error('connect error: %s', err && err.message ? err.message : String(err));
  process.exit(1);
});
socket.on('connect', () => {
  const request = command ? { repo, branch, command } : { repo, branch };
  socket.emit('build', request, answer => {
    if (!answer || typeof answer.id !== 'string') {
      console.error('refused: %s', answer && answer.error !== undefined ? answer.error : JSON.stringify(answer));
      process.exit(1);
    }
    console.log('accepted %s', answer.id);
    follow(answer.id, 0);
  });
});
socket.on('log', entry => console.log('log %s', entry.line));
socket.on('status', entry => {
  console.log('status %s', entry.status);
  socket.close();
});
socket.on('disconnect', reason => {
  if (reason !== 'io client disconnect') {
    console.error('disconnected: %s', reason);
    process.exit(1);
  }
});

function follow(id, after) {
  socket.emit('follow', { id, after }, ack => {
    if (!ack || ack.error !== undefined) {
      console.error('follow refused: %s', ack && ack.error);
      process.exit(1);
    }
    if (!ack.finished) {
      follow(id, ack.lastSeq);
    }
  });
}
