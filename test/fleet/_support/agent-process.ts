/**
 * One fleet agent process, as a user's server would run it: a runtime hosting `--instances` counters
 * that keep receiving numbered events, and a fleet agent on the PostgreSQL store. Bundled once by the
 * tests and the fleet benchmark (test/fleet/_support/processes.ts) and run as plain `node`.
 *
 * `--busy` instances get 5 events up front, `--idle` ones none at all (the bad v2 accepts only those).
 * Prints `ready` once registered. On a `finish` line on stdin it stops sending, lets the mailboxes
 * drain, and prints one JSON line: per instance its version and G1 check (lost / duplicated / out of
 * order), the events sent, the longest event-loop block seen (since start, or since a `mark` line), and
 * the agent's store round trips.
 */
import { openSync, readSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createPostgresStore, startAgent } from '../../../src/fleet/index.ts';
import { createRuntime, type LiveComponent } from '../../../src/index.ts';
import { counterLineages, lostOrDuplicated } from './counter.ts';

const { values: o } = parseArgs({
  options: {
    db: { type: 'string' },
    schema: { type: 'string' },
    agent: { type: 'string' },
    instances: { type: 'string', default: '3' },
    lineage: { type: 'string', default: 'good' },
    busy: { type: 'string', default: '' },
    idle: { type: 'string', default: '' },
    lease: { type: 'string', default: '3000' }, // generous: a starved process on a loaded machine must not look dead
    every: { type: 'string', default: '5' },
    batch: { type: 'string', default: '250' },
    slow: { type: 'string', default: '0' },
  },
});
const agentId = o.agent!;
const lineage = counterLineages[o.lineage === 'bad' ? 'bad' : 'good'];
const runtime = createRuntime();
const components: LiveComponent<any>[] = [];
const sent = new Map<LiveComponent<any>, number>();
const busy = new Set(o.busy.split(',').filter((x) => x !== ''));
const idle = new Set(o.idle.split(',').filter((x) => x !== '')); // these get no events at all
for (let i = 0; i < Number(o.instances); i++) {
  const c = runtime.start(lineage, { id: `${agentId}/i${i}`, version: 1 });
  components.push(c);
  sent.set(c, 0);
}
const send = (c: LiveComponent<any>): void => {
  const n = sent.get(c)!;
  c.send({ type: 'INC', seq: n });
  sent.set(c, n + 1);
};
for (const c of components) if (busy.has(c.id)) for (let k = 0; k < 5; k++) send(c);

const loop = monitorEventLoopDelay({ resolution: 1 });
// The longest stretch of this process's own CPU work between two turns of a 1 ms timer: a synchronous
// block of the agent's making. `monitorEventLoopDelay` also counts the time the OS ran something else
// (nine processes on two cores), so both are reported.
let cpuBlockUs = 0;
let probing = false;
let last = process.cpuUsage();
let lastAt = performance.now();
// `process.cpuUsage()` counts GC helper threads too (Node 20 has no per-thread CPU clock), so the long
// intervals are kept and, at the end, set against the GC pauses V8 reported (`gc` performance entries):
// in an interval, the main thread's own non-GC work is at most min(CPU, wall) − the GC pause time in it.
const long: { at: number; end: number; cpuMs: number }[] = [];
const gcs: { at: number; end: number; kind: number }[] = [];
const gcObserver = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcs.push({ at: e.startTime, end: e.startTime + e.duration, kind: ((e as { detail?: { kind?: number } }).detail?.kind ?? 0) });
});
// The main thread's own CPU time, in ns, from Linux's /proc/thread-self/schedstat (opened once, from the main
// thread, so the descriptor stays on this thread; ~10 µs a read): GC helper and compiler threads left out.
// Node 20 has no process.threadCpuUsage (22.7+); elsewhere this stays unmeasured (-1).
const schedstat = ((): number | undefined => {
  try {
    return openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return undefined;
  }
})();
const statBuf = Buffer.alloc(96);
const mainCpuNs = (): number => (schedstat === undefined ? 0 : Number(statBuf.toString('latin1', 0, readSync(schedstat, statBuf, 0, 96, 0)).split(' ')[0]));
let mainBlockNs = schedstat === undefined ? -1e6 : 0;
let lastMain = mainCpuNs();
const probe = (): void => {
  if (!probing) return;
  const now = process.cpuUsage();
  const main = mainCpuNs();
  const at = performance.now();
  const us = now.user - last.user + (now.system - last.system);
  cpuBlockUs = Math.max(cpuBlockUs, us);
  if (schedstat !== undefined) mainBlockNs = Math.max(mainBlockNs, main - lastMain);
  lastMain = main;
  if (us > 5000) long.push({ at: lastAt, end: at, cpuMs: us / 1e3 });
  last = now;
  lastAt = at;
  setTimeout(probe, 1);
};
const startProbe = (): void => {
  cpuBlockUs = 0;
  if (schedstat !== undefined) mainBlockNs = 0;
  lastMain = mainCpuNs();
  long.length = 0;
  gcs.length = 0;
  last = process.cpuUsage();
  lastAt = performance.now();
  if (!probing) {
    probing = true;
    gcObserver.observe({ entryTypes: ['gc'] });
    setTimeout(probe, 1);
  }
};
/** The worst interval's main-thread non-GC bound, the longest GC pause, and what the longest CPU interval held. */
const gcSplit = () => {
  let mainMs = 0;
  let worst = { cpuMs: 0, wallMs: 0, gcMs: 0, gcKinds: [] as number[] };
  for (const i of long) {
    const inside = gcs.filter((g) => g.end > i.at && g.at < i.end);
    const gcMs = inside.reduce((n, g) => n + Math.min(g.end, i.end) - Math.max(g.at, i.at), 0);
    mainMs = Math.max(mainMs, Math.min(i.cpuMs, i.end - i.at) - gcMs);
    if (i.cpuMs > worst.cpuMs) worst = { cpuMs: i.cpuMs, wallMs: i.end - i.at, gcMs, gcKinds: inside.map((g) => g.kind) };
  }
  return { maxMainBlockExGcMs: Math.max(0, mainMs), maxGcPauseMs: gcs.reduce((n, g) => Math.max(n, g.end - g.at), 0), worstCpuInterval: worst };
};
const store = await createPostgresStore({ connectionString: o.db!, schema: o.schema ?? 'hotswap_fleet', max: 2 });
// `--slow <ms>`: every swap first waits on a health probe that long (a precondition), so a test can kill the
// process while its steps are claimed and its swaps in flight
const slow = Number(o.slow);
const swap = slow > 0 ? { deadlineMs: slow * 4, preconditions: { 'slow-probe': () => new Promise<boolean>((r) => setTimeout(() => r(true), slow)) } } : {};
const agent = await startAgent({ store, agentId, process: `pid ${process.pid}`, components: () => components, leaseMs: Number(o.lease), pollMs: 100, batch: Number(o.batch), swap });
loop.enable();
startProbe();
// every instance gets an event each `--every` ms, spread over 5 ms ticks (1,000 sends at once would be a
// loop block of the load generator's own making)
const serving = components.filter((c) => !idle.has(c.id));
const chunk = Math.max(1, Math.ceil((serving.length * 5) / Number(o.every)));
let next = 0;
const sender = setInterval(() => {
  for (let k = 0; k < chunk && serving.length > 0; k++) send(serving[next++ % serving.length]!);
}, 5);
process.stdout.write('ready\n');

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'mark') {
    startProbe();
    return loop.reset(); // measure from here (the benchmark's rollout start)
  }
  if (line.trim() !== 'finish') return;
  clearInterval(sender);
  loop.disable();
  probing = false;
  gcObserver.disconnect();
  setTimeout(async () => {
    const instances = components.map((c) => ({ id: c.id, version: c.version, sent: sent.get(c)!, ...lostOrDuplicated(c.getSnapshot().context.seen, sent.get(c)!) }));
    const roundTrips = store.roundTrips;
    await agent.stop();
    await store.close();
    await runtime.stop();
    process.stdout.write(`${JSON.stringify({ agentId, instances, recorded: agent.recorded, maxLoopBlockMs: loop.max / 1e6, maxCpuBlockMs: cpuBlockUs / 1e3, maxMainThreadCpuBlockMs: mainBlockNs / 1e6, p99LoopDelayMs: loop.percentile(99) / 1e6, ...gcSplit(), roundTrips })}\n`);
    process.exit(0);
  }, 50);
});
