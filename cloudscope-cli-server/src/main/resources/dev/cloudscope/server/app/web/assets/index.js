// The home page: the server's recent builds (the cloud build's 'list' on /build, asked again every few seconds while
// the page is shown) and a form to open a chat room.
'use strict';

(function () {
  const $ = window.cloudscope.byId;
  const REFRESH_MS = 5000;
  const table = $('builds');
  const body = table.tBodies[0];
  const note = $('builds-note');
  let shown = null;
  let timer = null;

  $('room-form').addEventListener('submit', function (event) {
    event.preventDefault();
    const room = $('room').value.trim();
    if (room) {
      location.assign('/rooms/' + encodeURIComponent(room));
    }
  });

  const socket = window.cloudscope.connect('/build', {
    refused: function (message) {
      note.textContent = 'No builds to show: ' + message;
      table.hidden = true;
    }
  });
  socket.on('connect', refresh);
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && socket.connected) {
      refresh();
    }
  });

  function refresh() {
    clearTimeout(timer);
    socket.timeout(10000).emit('list', function (error, answer) {
      if (!error) {
        if (answer && answer.error) {
          note.textContent = 'The server could not list its builds: ' + answer.error;
        } else {
          render((answer && answer.builds) || []);
        }
      }
      if (socket.connected && !document.hidden) {
        timer = setTimeout(refresh, REFRESH_MS);
      }
    });
  }

  function render(builds) {
    const json = JSON.stringify(builds);
    if (json === shown) {
      return;
    }
    shown = json;
    note.textContent = builds.length === 0 ? 'No builds yet.'
      : builds.length === 1 ? '1 build.' : builds.length + ' builds.';
    table.hidden = builds.length === 0;
    const rows = document.createDocumentFragment();
    for (const build of builds) {
      const row = document.createElement('tr');
      const link = document.createElement('a');
      link.href = '/builds/' + encodeURIComponent(build.id);
      link.textContent = build.id;
      row.appendChild(cell('Build', link));
      row.appendChild(cell('Status', statusBadge(build.status)));
      row.appendChild(cell('Repository', text(build.repo)));
      row.appendChild(cell('Branch', text(build.branch)));
      row.appendChild(cell('Created', time(build.createdAt)));
      rows.appendChild(row);
    }
    body.replaceChildren(rows);
  }

  function cell(label, content) {
    const td = document.createElement('td');
    td.dataset.label = label;
    td.appendChild(content);
    return td;
  }

  function text(value) {
    return document.createTextNode(value == null ? '' : String(value));
  }

  function statusBadge(status) {
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.status = String(status || '');
    badge.textContent = String(status || '?');
    return badge;
  }

  function time(iso) {
    const element = document.createElement('time');
    if (iso) {
      const date = new Date(String(iso));
      element.dateTime = String(iso);
      element.textContent = isNaN(date) ? String(iso) : date.toLocaleString();
    }
    return element;
  }
})();
