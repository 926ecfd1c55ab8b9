'use strict';
// Wall time of whole command runs, for the CLI scenario:
//   node walltime.js RUNS NAME=COMMAND... (each COMMAND a JSON array: [program, ...args])
// Runs the commands in turn, RUNS rounds (round-robin, so that noise hits all alike), each to its end; checks
// that each exits 0 and prints the lesson's client lines; prints one JSON object: per name, every run's wall time
// in ms, the min and the median, and the failures. Bounded: each run is killed after 30 s.
const { spawnSync } = require('child_process');

const runs = Number(process.argv[2]);
const commands = process.argv.slice(3).map(a => {
  const i = a.indexOf('=');
  return { name: a.slice(0, i), argv: JSON.parse(a.slice(i + 1)) };
});
const EXPECTED = ['connect!', 'res from server: auth!Hello Man!!!', 'res from server: packet!Hello Man!!!',
  'res from server: Hello Man!!!'];

const out = {};
for (const c of commands) out[c.name] = { command: c.argv.join(' '), ms: [], failures: [] };
for (let r = 0; r < runs; r++) {
  for (const c of commands) {
    const t0 = process.hrtime.bigint();
    const p = spawnSync(c.argv[0], c.argv.slice(1), { encoding: 'utf8', timeout: 30000 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const lines = (p.stdout || '').trim().split('\n');
    const ok = p.status === 0 && EXPECTED.every(l => lines.includes(l));
    if (ok) out[c.name].ms.push(Math.round(ms * 10) / 10);
    else out[c.name].failures.push({ status: p.status, signal: p.signal, stdout: p.stdout, stderr: (p.stderr || '').slice(0, 500) });
  }
}
for (const name of Object.keys(out)) {
  const sorted = out[name].ms.slice().sort((a, b) => a - b);
  out[name].min_ms = sorted.length ? sorted[0] : null;
  out[name].median_ms = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
}
process.stdout.write(JSON.stringify(out) + '\n');
