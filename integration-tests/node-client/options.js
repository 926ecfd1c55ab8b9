'use strict';
// The load scripts' command line: --name value pairs; a bad one prints the script's usage and exits 2.
//
//   const options = require('./options')('load.js', '--url URL --clients N ...');
//   options.args.url; options.int('clients', 1, 5000); options.int('grace', 1, 120, 10)

module.exports = function options(script, synopsis, argv = process.argv.slice(2)) {
  function usage(problem) {
    console.error('%s: %s\nusage: node %s %s', script, problem, script, synopsis);
    process.exit(2);
  }
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i];
    const value = argv[i + 1];
    if (!key.startsWith('--') || value === undefined) usage('bad argument ' + key);
    args[key.slice(2)] = value;
  }
  function int(name, min, max, fallback) {
    const text = args[name] === undefined ? String(fallback) : args[name];
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) usage('--' + name + ' must be an integer in ' + min + '..' + max);
    return value;
  }
  return { args, usage, int };
};
