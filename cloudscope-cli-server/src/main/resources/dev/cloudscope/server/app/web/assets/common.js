// What every page of cloudscope shares: the connection to a socket.io namespace of this server, its state in the
// header, and the token: asked for once, when the server refuses the page without one, and kept in this tab's
// sessionStorage (never in a cookie). Text from the server is always put in the page as text (textContent).
'use strict';

window.cloudscope = (function () {
  const TOKEN_KEY = 'cloudscope.token';

  function storedToken() {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch (e) {
      return null; // storage off: the page asks on each load
    }
  }

  function storeToken(token) {
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch (e) {
      // kept for this page only
    }
    memoryToken = token;
  }

  let memoryToken = null;

  function token() {
    return storedToken() || memoryToken;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  /** Sets the header's connection line: its text, and its state for styles (and tests). */
  function showConnection(state, text) {
    const line = byId('connection');
    if (line) {
      line.dataset.state = state;
      line.textContent = text;
    }
  }

  function showTransport(name) {
    const line = byId('connection');
    if (line) {
      line.dataset.transport = name;
      line.title = 'socket.io over ' + (name === 'websocket' ? 'WebSocket' : 'HTTP long-polling');
    }
  }

  /**
   * Connects to namespace {@code nsp} of this server. {@code handlers.refused(message)} is told when the server
   * refuses the page for another reason than a missing or wrong token (e.g. the cloud build is off). The caller
   * listens to 'connect' itself: it comes again after every reconnection.
   */
  function connect(nsp, handlers) {
    handlers = handlers || {};
    const socket = io(nsp, {
      auth: function (send) {
        const t = token();
        send(t ? { token: t } : {});
      }
    });
    const form = byId('token-form');
    const input = byId('token');
    if (form) {
      form.addEventListener('submit', function (event) {
        event.preventDefault();
        const value = input.value;
        if (!value) {
          return;
        }
        storeToken(value);
        input.value = '';
        form.hidden = true;
        showConnection('connecting', 'Connecting…');
        socket.connect();
      });
    }
    socket.on('connect', function () {
      showConnection('connected', 'Connected');
    });
    // which transport carries the connection (polling first, then WebSocket once upgraded): in the header's data
    socket.io.on('open', function () {
      const engine = socket.io.engine;
      showTransport(engine.transport.name);
      engine.on('upgrade', function (transport) {
        showTransport(transport.name);
      });
    });
    socket.on('disconnect', function (reason) {
      if (reason === 'io client disconnect') {
        return; // the page closed it: it says why itself
      }
      if (reason === 'io server disconnect') {
        showConnection('closed', 'The server closed the connection');
        return;
      }
      showConnection('reconnecting', 'Connection lost: connecting again…');
    });
    socket.on('connect_error', function (error) {
      const message = error && error.message ? String(error.message) : 'unknown error';
      if (message === 'unauthorized') {
        const had = token() !== null;
        showConnection('token', had ? 'The token was refused' : 'A token is needed');
        if (form) {
          byId('token-why').textContent = had
            ? 'The server refused the token. Enter the right one.'
            : 'This server asks for a token.';
          form.hidden = false;
          input.focus();
        }
        return;
      }
      if (socket.active) {
        // the transport failed (server unreachable): socket.io tries again by itself
        showConnection('reconnecting', 'Cannot reach the server: trying again…');
        return;
      }
      showConnection('refused', 'Refused: ' + message);
      if (handlers.refused) {
        handlers.refused(message);
      }
    });
    return socket;
  }

  /** An http(s) URL as it is, or null for anything else (never a javascript: link). */
  function safeUrl(text) {
    try {
      const url = new URL(String(text), location.href);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  /** The last segment of this page's path, decoded, or null. */
  function pathParameter(prefix) {
    const path = location.pathname;
    if (!path.startsWith(prefix)) {
      return null;
    }
    try {
      return decodeURIComponent(path.substring(prefix.length));
    } catch (e) {
      return null;
    }
  }

  return { connect: connect, showConnection: showConnection, safeUrl: safeUrl, pathParameter: pathParameter, byId: byId };
})();
