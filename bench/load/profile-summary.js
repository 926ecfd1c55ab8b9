'use strict';
// Where a profiled server's CPU went: reads async-profiler's collapsed stacks (one line per stack, frames joined
// by ';', the sample count last; with the 'threads' option the first frame is the thread) and prints a Markdown
// summary: each sample in exactly one category (the first that matches, in the order below), by thread group too,
// and the heaviest leaf frames.   node profile-summary.js PROFILE.collapsed [ROUND_TRIPS]
const fs = require('fs');

const [file, roundTrips] = process.argv.slice(2);
const CATEGORIES = [
  ['GC', /G1|SerialHeap|GenCollectedHeap|DefNewGeneration|TenuredGeneration|VM_GenCollect|ParallelScavenge|GCTaskThread|VMThread|gc\/shared|SafepointSynchronize/],
  ['JIT compiler', /CompileBroker|C2Compiler|Compilation::|PhaseChaitin|PhaseIdealLoop|ConnectionGraph|Parse::|C1 |\[C[12] CompilerThread/],
  ['permessage-deflate: compressing replies', /PerMessageDeflateEncoder|DeflateEncoder|JdkZlibEncoder|java\/util\/zip\/Deflater|ZlibEncoder/],
  ['permessage-deflate: inflating requests', /PerMessageDeflateDecoder|DeflateDecoder|JdkZlibDecoder|java\/util\/zip\/Inflater/],
  ['JSON (Jackson) encode/decode', /com\/fasterxml\/jackson/],
  ['app lines on stdout (PrintStream)', /java\/io\/PrintStream|java\/io\/FileOutputStream\.write/],
  ['socket writes (write/writev syscalls, TCP send)', /doWrite|SocketDispatcher\.write|IOUtil\.write|writev|sys_write|tcp_sendmsg/],
  ['socket reads (read syscalls)', /doReadBytes|SocketDispatcher\.read|IOUtil\.read|sys_read|tcp_recvmsg/],
  ['waiting in epoll/select', /NioEventLoop\.select|SelectorImpl\.select|EPoll\.wait|epoll_wait|do_epoll_wait/],
  ['thread hand-offs (execute/wakeup, park/unpark, futex)', /SingleThreadEventExecutor\.(execute|wakeup)|NioEventLoop\.wakeup|Selector.*wakeup|LockSupport|Unsafe\.(park|unpark)|futex|ThreadPoolExecutor\.(execute|getTask)|LinkedBlockingQueue|SequentialExecutor|schedule|finish_task_switch/],
  ['framework (dev.cloudscope.server.io: connections, onion, contexts)', /dev\/cloudscope\/server\/io/],
  ['lesson app code (middleware, controller, service; the floor\'s listeners)', /dev\/cloudscope\/(server\/app|bench)/],
  ['netty-socketio (protocol, encoder, dispatch)', /com\/corundumstudio/],
  ['netty pipeline, codecs, buffers', /io\/netty/],
  ['CompletableFuture plumbing', /java\/util\/concurrent\/CompletableFuture/],
  ['kernel, other', /_\[k\]/],
];

const byCategory = new Map();
const byThread = new Map();
const leaves = new Map();
let total = 0;
for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
  const i = line.lastIndexOf(' ');
  if (i < 0) continue;
  const n = Number(line.slice(i + 1));
  if (!n) continue;
  const stack = line.slice(0, i);
  const frames = stack.split(';');
  total += n;
  let category = 'other';
  for (const [name, re] of CATEGORIES) {
    if (re.test(stack)) {
      category = name;
      break;
    }
  }
  byCategory.set(category, (byCategory.get(category) || 0) + n);
  const thread = frames[0].startsWith('[') ? frames[0].replace(/ tid=\d+\]$/, ']').replace(/-\d+\]$/, '-N]')
    .replace(/#\d+/, '#N') : '(no thread names)';
  byThread.set(thread, (byThread.get(thread) || 0) + n);
  const leaf = frames[frames.length - 1];
  leaves.set(leaf, (leaves.get(leaf) || 0) + n);
}

const pct = n => (100 * n / total).toFixed(1) + '%';
const perRt = n => (roundTrips ? (n * 1000 / Number(roundTrips)).toFixed(1) : '–'); // samples are 1 ms of CPU each
const sorted = m => [...m.entries()].sort((a, b) => b[1] - a[1]);
const out = [];
out.push(`${total} samples (1 ms of CPU each)` + (roundTrips ? `, ${roundTrips} round trips in the window` : '') + '.');
out.push('');
out.push('| where the server\'s CPU went | share | µs per round trip |');
out.push('|---|---:|---:|');
for (const [name, n] of sorted(byCategory)) out.push(`| ${name} | ${pct(n)} | ${perRt(n)} |`);
out.push('');
out.push('| thread | share |');
out.push('|---|---:|');
for (const [name, n] of sorted(byThread).slice(0, 12)) out.push(`| ${name.replace(/\|/g, '\\|')} | ${pct(n)} |`);
out.push('');
out.push('| heaviest leaf frames (self time) | share |');
out.push('|---|---:|');
for (const [name, n] of sorted(leaves).slice(0, 20)) out.push(`| \`${name.replace(/\|/g, '\\|')}\` | ${pct(n)} |`);
process.stdout.write(out.join('\n') + '\n');
