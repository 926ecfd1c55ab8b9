'use strict';
// The lesson's config/config.default.js (section 3-2), plus what an egg app needs to start at all (keys) and
// what keeps the benchmark's machine clean (logs under EGG_LOG_DIR, nothing logged on the console).
const path = require('path');

module.exports = appInfo => {
  const config = exports = {};

  config.keys = appInfo.name + '_cloudscope_bench';

  config.io = {
    namespace: {
      '/': {
        connectionMiddleware: [ 'auth' ],
        packetMiddleware: [ 'filter' ],
      },
      '/chat': {
        connectionMiddleware: [ 'auth' ],
        packetMiddleware: [],
      },
    },
  };

  // not in the lesson: the benchmark runs the app with its logs in its own work folder, and quiet
  config.logger = {
    dir: process.env.EGG_LOG_DIR || path.join(appInfo.baseDir, 'logs'),
    consoleLevel: 'NONE',
  };
  config.cluster = { listen: { hostname: '127.0.0.1' } };

  return config;
};
