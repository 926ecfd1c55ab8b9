// A chat room's page, /rooms/NAME, on /chat's rooms: 'join (room, name)', 'say (room, text)', 'leave (room)';
// the other members' messages come as 'said {room, from, text}'. After a lost connection the page joins again
// under the same name. Messages are text, never HTML.
'use strict';

(function () {
  const cs = window.cloudscope;
  const $ = cs.byId;
  const NAME_KEY = 'cloudscope.name';
  const room = cs.pathParameter('/rooms/');
  const messages = $('messages');
  const joinForm = $('join-form');
  const sayForm = $('say-form');
  const nameInput = $('name');
  const textInput = $('text');
  let name = null; // joined as, or null
  let rejoining = false; // joining again after a lost connection: what is said meanwhile waits in the outbox
  const outbox = [];

  $('room-name').textContent = room || '';
  document.title = 'Room ' + (room || '') + ' · cloudscope';
  try {
    nameInput.value = sessionStorage.getItem(NAME_KEY) || '';
  } catch (e) {
    // no storage: the name is asked for
  }

  const socket = cs.connect('/chat', {
    refused: function (message) {
      status('Cannot join: ' + message);
    }
  });

  socket.on('connect', function () {
    if (name !== null) {
      rejoining = true;
      join(name); // the server forgets a connection's rooms when it is lost
    }
  });
  socket.on('disconnect', function () {
    if (name !== null) {
      rejoining = true;
      status('Connection lost: joining ' + room + ' again once it is back…');
    }
  });
  socket.on('said', function (said) {
    if (said && said.room === room) {
      add(String(said.from), String(said.text), false);
    }
  });

  joinForm.addEventListener('submit', function (event) {
    event.preventDefault();
    const wanted = nameInput.value.trim();
    if (!wanted) {
      return;
    }
    try {
      sessionStorage.setItem(NAME_KEY, wanted);
    } catch (e) {
      // kept for this page only
    }
    join(wanted);
  });

  sayForm.addEventListener('submit', function (event) {
    event.preventDefault();
    const text = textInput.value;
    if (!text || name === null) {
      return;
    }
    if (socket.connected && !rejoining) {
      say(text);
    } else {
      // socket.io would send it first thing on the new connection, before the join again: the server would refuse it
      outbox.push(text);
      status('Connection lost: "' + text + '" goes out once ' + room + ' is joined again…');
    }
    textInput.value = '';
    textInput.focus();
  });

  function say(text) {
    socket.timeout(10000).emit('say', room, text, function (error, answer) {
      if (error) {
        status('Not sent (no answer from the server): ' + text);
        return;
      }
      if (answer && answer.error) {
        status('Not sent: ' + answer.error);
        return;
      }
      add(name, text, true);
    });
  }

  $('leave').addEventListener('click', function () {
    const left = name;
    name = null;
    rejoining = false;
    outbox.length = 0;
    socket.emit('leave', room, function () {
      status('You left ' + room + '.');
    });
    sayForm.hidden = true;
    joinForm.hidden = false;
    nameInput.value = left || '';
    nameInput.focus();
  });

  function join(wanted) {
    socket.timeout(10000).emit('join', room, wanted, function (error, answer) {
      if (error || (answer && answer.error)) {
        const why = error ? 'No answer from the server: try again.' : 'Cannot join: ' + answer.error;
        if (name !== null) { // joining again failed: not in the room any more, say so and offer to join
          name = null;
          rejoining = false;
          sayForm.hidden = true;
          joinForm.hidden = false;
          nameInput.value = wanted;
          outbox.forEach(function (text) { add(wanted, text + ' (not sent)', true); });
          outbox.length = 0;
        }
        status(why);
        return;
      }
      const wasJoined = name !== null;
      name = wanted;
      rejoining = false;
      const members = answer && typeof answer.members === 'number' ? answer.members : null;
      status('You are ' + name + ' in ' + room + (members === null ? '.'
        : ': ' + members + (members === 1 ? ' member' : ' members') + ' when you joined.'));
      joinForm.hidden = true;
      sayForm.hidden = false;
      outbox.splice(0).forEach(say); // in the order typed, after the join
      if (!wasJoined) {
        textInput.focus();
      }
    });
  }

  function add(from, text, mine) {
    const item = document.createElement('li');
    item.className = mine ? 'message mine' : 'message';
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = from;
    const what = document.createElement('span');
    what.className = 'text';
    what.textContent = text;
    item.append(who, what);
    messages.appendChild(item);
    item.scrollIntoView({ block: 'nearest' });
  }

  function status(text) {
    $('room-status').textContent = text;
  }
})();
