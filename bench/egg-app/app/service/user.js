'use strict';
// The lesson's app/service/user.js: the service its middleware and controller call (the lesson's earlier
// chapter; every reply reads 'Hello Man!!').
const Service = require('egg').Service;

class UserService extends Service {
  async say() {
    return 'Hello Man!!';
  }
}

module.exports = UserService;
