// A build's page, /builds/ID: its summary ('status'), then its log from the first entry ('follow' on /build, a page
// of entries at a time, each page one 'entries' event before the answer), to its final status and the built site.
//
// No entry is lost or shown twice: an entry is taken only if its seq is the one after the last taken, and after a
// lost connection the page asks again from the last one it took. Lines are rendered in batches, once per animation
// frame, and the page keeps the newest MAX_LINES of them (a 4 MiB log is some 60,000 lines): the rest is counted
// in a note, never held in the DOM.
'use strict';

(function () {
  const cs = window.cloudscope;
  const $ = cs.byId;
  const MAX_LINES = 5000;
  const LINES_PER_FRAME = 1500;
  // the server answers a follow with nothing new after 25 s, and waits up to 25 s before that for a client that has
  // not read its last page: 50 s at worst
  const FOLLOW_ANSWER_MS = 55000;
  const id = cs.pathParameter('/builds/');

  const log = $('log');
  const tail = $('tail');
  let lastSeq = 0;        // the last entry taken
  let finished = false;   // the status entry was taken
  let epoch = 0;          // one per connection: answers to an older connection's requests are dropped
  let summaryShown = false;
  let pending = [];       // log entries taken, not rendered yet
  let pendingHead = 0;
  let pendingStatus = null;
  let frameAsked = false;
  let rendered = 0;       // lines in the DOM
  let hidden = 0;         // lines taken but not in the DOM (dropped: more than MAX_LINES)
  let total = 0;          // lines taken

  $('build-id').textContent = id || '';
  document.title = 'Build ' + (id || '') + ' · cloudscope';

  const socket = cs.connect('/build', {
    refused: function (message) {
      showStatus('', 'Cannot follow this build: ' + message);
    }
  });

  socket.on('connect', function () {
    epoch++;
    const mine = epoch;
    if (!summaryShown) {
      askStatus(mine);
    }
    if (!finished) {
      follow(mine);
    }
  });

  socket.on('entries', function (page) {
    if (page && page.id === id && Array.isArray(page.entries)) {
      take(page.entries);
    }
  });
  // a client that asks without batch gets one event per entry; this page always asks for batches, but takes both
  ['stage', 'log', 'status'].forEach(function (type) {
    socket.on(type, function (entry) {
      if (entry && entry.id === id) {
        entry.type = type;
        take([entry]);
      }
    });
  });

  function askStatus(mine) {
    socket.timeout(10000).emit('status', { id: id }, function (error, answer) {
      if (error || mine !== epoch || !answer) {
        return;
      }
      if (answer.error) {
        showStatus('', answer.error);
        return;
      }
      summaryShown = true;
      showSummary(answer);
      // a final status is shown by the status entry, once the lines before it are on the page: not before
      if (!finished && lastSeq === 0 && (answer.status === 'QUEUED' || answer.status === 'WORKING')) {
        showStatus(answer.status, statusWords(answer.status));
      }
    });
  }

  function showSummary(answer) {
    $('repo').textContent = String(answer.repo || '');
    $('branch').textContent = String(answer.branch || '');
    $('command').textContent = String(answer.command || '');
    $('package').textContent = answer.name ? answer.name + (answer.version ? '@' + answer.version : '') : '—';
    $('summary').hidden = false;
  }

  function follow(mine) {
    socket.timeout(FOLLOW_ANSWER_MS).emit('follow', { id: id, after: lastSeq, batch: true }, function (error, answer) {
      if (mine !== epoch || finished) {
        return; // an older connection's answer, or the end was taken already
      }
      if (error) {
        // no answer in time on a live connection: ask again (a lost one asks again once it is back)
        if (socket.connected) {
          setTimeout(function () { if (mine === epoch) follow(mine); }, 1000);
        }
        return;
      }
      if (answer && answer.error) {
        if (/already follows/.test(answer.error)) {
          setTimeout(function () { if (mine === epoch) follow(mine); }, 1000);
        } else {
          showStatus('', answer.error);
        }
        return;
      }
      if (!finished) {
        follow(mine);
      }
    });
  }

  /** Takes entries in order: only the one after the last taken; the others were taken already or come again. */
  function take(entries) {
    for (const entry of entries) {
      if (!entry || entry.seq !== lastSeq + 1 || finished) {
        continue;
      }
      lastSeq = entry.seq;
      switch (entry.type) {
        case 'log':
          pending.push(entry);
          total++;
          break;
        case 'stage':
          stage(entry);
          break;
        case 'status':
          finished = true;
          pendingStatus = entry;
          break;
        default:
          break;
      }
    }
    // lines that would be pushed out of the DOM at once are never rendered
    const waiting = pending.length - pendingHead;
    if (waiting > MAX_LINES) {
      const drop = waiting - MAX_LINES;
      pendingHead += drop;
      hidden += drop;
      hiddenAll();
    }
    if (pendingHead > 10000) { // a hidden tab renders slowly: what it will never render is let go here
      pending = pending.slice(pendingHead);
      pendingHead = 0;
    }
    askFrame();
  }

  function askFrame() {
    if (!frameAsked) {
      frameAsked = true;
      // a hidden tab gets no animation frames: a timer there, so that it still reaches the end and lets go
      if (document.hidden) {
        setTimeout(frame, 100);
      } else {
        requestAnimationFrame(frame);
      }
    }
  }

  function frame() {
    frameAsked = false;
    const end = Math.min(pending.length, pendingHead + LINES_PER_FRAME);
    if (end > pendingHead) {
      const lines = document.createDocumentFragment();
      for (let i = pendingHead; i < end; i++) {
        const entry = pending[i];
        const line = document.createElement('span');
        line.className = entry.stream === 'err' ? 'line err' : 'line';
        line.dataset.seq = String(entry.seq);
        line.textContent = String(entry.line) + '\n';
        lines.appendChild(line);
      }
      log.appendChild(lines);
      rendered += end - pendingHead;
      pendingHead = end;
      if (pendingHead === pending.length) {
        pending = [];
        pendingHead = 0;
      } else if (pendingHead > 10000) {
        pending = pending.slice(pendingHead);
        pendingHead = 0;
      }
      if (rendered > MAX_LINES) {
        const drop = rendered - MAX_LINES;
        const range = document.createRange();
        range.setStartBefore(log.firstChild);
        range.setEndBefore(log.children[drop]);
        range.deleteContents();
        rendered -= drop;
        hidden += drop;
      }
      showCounts();
      if (tail.checked) {
        log.scrollTop = log.scrollHeight;
      }
    }
    if (pendingHead < pending.length) {
      askFrame();
    } else if (pendingStatus) {
      end_(pendingStatus);
      pendingStatus = null;
    }
  }

  function hiddenAll() {
    // everything in the DOM will be replaced by newer lines
    if (rendered > 0) {
      hidden += rendered;
      rendered = 0;
      log.replaceChildren();
    }
  }

  function showCounts() {
    $('log-count').textContent = total === 1 ? '1 line' : total.toLocaleString('en') + ' lines';
    const note = $('log-note');
    if (hidden > 0) {
      note.hidden = false;
      note.textContent = hidden.toLocaleString('en') + ' earlier lines are not shown: this page keeps the last '
        + MAX_LINES.toLocaleString('en') + '. The whole log: cloudscope build logs ' + id;
    }
  }

  const STAGE_WORDS = { start: 'running', end: 'done' };

  function stage(entry) {
    const item = document.querySelector('#stages li[data-stage="' + CSS.escape(String(entry.stage)) + '"]');
    if (!item) {
      return;
    }
    const state = item.querySelector('.stage-state');
    if (entry.state === 'start') {
      item.dataset.state = 'running';
      state.textContent = STAGE_WORDS.start;
      if (!finished) {
        showStatus('WORKING', 'Working: ' + entry.stage);
      }
    } else {
      const failed = entry.exitCode != null && entry.exitCode !== 0;
      item.dataset.state = failed ? 'failed' : 'done';
      const seconds = entry.durationMs != null ? ' in ' + (entry.durationMs / 1000).toFixed(1) + ' s' : '';
      state.textContent = failed ? 'failed (exit code ' + entry.exitCode + ')' + seconds : STAGE_WORDS.end + seconds;
    }
  }

  /** The status entry, once every line before it is on the page. */
  function end_(entry) {
    const words = [entry.status];
    if (entry.stage && entry.status !== 'SUCCESS') {
      words.push('in stage ' + entry.stage);
    }
    if (entry.exitCode != null && entry.status !== 'SUCCESS') {
      words.push('(exit code ' + entry.exitCode + ')');
    }
    let text = words.join(' ');
    if (entry.message) {
      text += ': ' + entry.message;
    }
    showStatus(entry.status, text);
    document.querySelectorAll('#stages li[data-state="running"]').forEach(function (item) {
      item.dataset.state = entry.status === 'SUCCESS' ? 'done' : 'failed';
      item.querySelector('.stage-state').textContent = entry.status === 'SUCCESS' ? 'done' : 'stopped';
    });
    const site = entry.siteUrl ? cs.safeUrl(entry.siteUrl) : null;
    if (site) {
      $('site-link').href = site;
      $('site-url').textContent = site;
      $('site').hidden = false;
    }
    showCounts();
    // the summary again: the package's name and version are known once the build has read package.json
    const mine = epoch;
    socket.timeout(10000).emit('status', { id: id }, function (error, answer) {
      if (!error && answer && !answer.error) {
        showSummary(answer);
      }
      if (mine === epoch) {
        socket.disconnect();
      }
    });
    cs.showConnection('done', 'Build ended');
  }

  function showStatus(status, text) {
    const line = $('status');
    line.dataset.status = status;
    line.textContent = text;
  }

  function statusWords(status) {
    return status === 'QUEUED' ? 'Queued: waiting for its turn' : status === 'WORKING' ? 'Working' : status;
  }
})();
