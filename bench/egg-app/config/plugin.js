'use strict';
// The lesson's config/plugin.js (section 3-2).
exports.io = {
  enable: true,
  package: 'egg-socket.io',
};
