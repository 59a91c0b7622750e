/**
 * The exactly-once example (`npm run example:exactly-once`; `npm run demo` before the plugin server):
 * live swaps of a rate limiter under load, on embedded defaults, in bounded time.
 *
 * A load generator sends numbered REQUEST events at a steady rate while the demo swaps the running
 * rate limiter v1 → v2 → v3, tries a v4 plugin whose migration breaks the invariant (refused, v3
 * keeps serving), reverts v3 → v2 through the down migration, and goes up to v3 again. Each swap
 * starts while a stats flush (an invoked promise) is in flight, so quiesce has to wait for it and the
 * events sent meanwhile are held in the mailbox. Swaps are scheduled at even points of the stream;
 * the generator never runs more than 1/12 of the stream past a swap that has not started yet, so
 * every swap happens mid-stream even on a slow or busy machine.
 *
 * The machine itself counts what it processed and checks the sequence numbers (gaps = lost,
 * repeats = duplicated); those counters are migrated with the rest of the state. Exit code 0 when
 * nothing was lost or duplicated and every swap ended as planned, 1 otherwise.
 *
 * Options: `--events N` (default 100000), `--rate N` events per second (default 25000).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createRuntime,
  FileJournal,
  formatReport,
  isHotswapError,
  type LiveComponent,
  type SwapReport,
} from '../../src/index.ts';
import { countersOf, rateLimiter } from '../components/rate-limiter.ts';
import { plugin as brokenV4 } from '../plugins/rate-limiter-v4-broken.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '100000' }, rate: { type: 'string', default: '25000' } },
});
const TOTAL = Number(values.events);
const RATE = Number(values.rate);
if (!(Number.isSafeInteger(TOTAL) && TOTAL > 0 && RATE > 0)) {
  console.error(`Expected --events and --rate to be positive numbers, got ${values.events} and ${values.rate}`);
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), 'hotswap-demo-'));
const journal = new FileJournal(join(dir, 'journal.jsonl'));
const runtime = createRuntime({ journal }); // system clock, mailbox capacity 1024
const limiter = runtime.start(rateLimiter, { version: 1 });
const CLIENTS = ['web', 'mobile', 'batch'] as const;

console.log(`hotswap demo: live swaps of '${rateLimiter.name}' under load`);
console.log(`  ${TOTAL} numbered requests at ${RATE}/s; system clock, mailbox capacity 1024, journal ${journal.path}`);
console.log('');

// ── the load generator ───────────────────────────────────────────────────────

const BATCH = 64;
let sent = 0; // accepted by send()
let refusedFull = 0; // MAILBOX_FULL refusals, each retried with the same sequence number
let loadDone!: () => void;
const loadFinished = new Promise<void>((resolve) => (loadDone = resolve));
const t0 = performance.now();

/** Swap i starts once `gates[i]` events were sent; the load never runs more than MARGIN past a gate whose swap has not started. */
const gates: number[] = [];
let started = 0;
const MARGIN = Math.ceil(TOTAL / 12);

function pump(): void {
  // At most BATCH events per tick, so timers and the swap's own steps interleave with the load; and
  // never far past the next swap's start, so on a slow machine every swap still runs mid-stream.
  const gate = started < gates.length ? gates[started]! + MARGIN : TOTAL;
  const due = Math.min(TOTAL, gate, sent + BATCH, Math.ceil(((performance.now() - t0) / 1000) * RATE));
  while (sent < due) {
    const seq = sent + 1;
    try {
      limiter.send({ type: 'REQUEST', seq, client: CLIENTS[seq % CLIENTS.length]! });
    } catch (error) {
      if (isHotswapError(error) && error.code === 'MAILBOX_FULL') {
        refusedFull++;
        break; // back off until the next tick; the event was refused, not dropped
      }
      throw error;
    }
    sent = seq;
  }
  if (sent < TOTAL) setImmediate(pump);
  else loadDone();
}
setImmediate(pump);

// ── the swaps ────────────────────────────────────────────────────────────────

/** Resolves when the limiter next enters `flushing` (its flushStats promise just started). */
function whenFlushing(c: LiveComponent): Promise<void> {
  return new Promise((resolve) => {
    const sub = c.subscribe((s) => {
      if (s.value !== 'flushing') return;
      sub.unsubscribe();
      resolve();
    });
  });
}

/** Resolves once `n` events have been sent. */
async function whenSent(n: number): Promise<void> {
  while (sent < n) await new Promise((r) => setTimeout(r, 5));
}

interface Step {
  readonly label: string;
  readonly expect: SwapReport['outcome'];
  readonly run: () => Promise<SwapReport>;
}

const extended = rateLimiter.extend(brokenV4);
const steps: Step[] = [
  { label: 'v1 → v2', expect: 'committed', run: () => limiter.swap(2) },
  { label: 'v2 → v3', expect: 'committed', run: () => limiter.swap(3) },
  { label: 'v3 → v4 (broken plugin)', expect: 'refused', run: () => limiter.swap(4, { lineage: extended }) },
  { label: 'revert v3 → v2', expect: 'committed', run: () => limiter.revert() },
  { label: 'v2 → v3 again', expect: 'committed', run: () => limiter.swap(3) },
];

for (let i = 1; i <= steps.length; i++) gates.push(Math.floor((TOTAL * i) / (steps.length + 1)));
const reports: { step: Step; report: SwapReport; sentAt: number }[] = [];
for (const [i, step] of steps.entries()) {
  await whenSent(gates[i]!);
  await whenFlushing(limiter);
  const sentAt = sent;
  const pending = step.run();
  started++;
  const report = await pending;
  reports.push({ step, report, sentAt });
  if (report.outcome === 'refused') {
    console.log(`swap ${i + 1} (${step.label}) was refused, as planned; the blocker report:`);
    console.log(formatReport(report).replace(/^/gm, '  '));
    console.log(`  v${limiter.version} kept serving; the events held meanwhile went to it.`);
    console.log('');
  }
}
await loadFinished;

// ── the verdict ──────────────────────────────────────────────────────────────

const seconds = (performance.now() - t0) / 1000;
const snapshot = limiter.getSnapshot();
const counters = countersOf(limiter.version, snapshot.context);
const stats = (snapshot.context as { stats: { admitted: number; throttled: number; windows: number } }).stats; // v2 or later, past v1's context
await limiter.stop();
await runtime.stop();
const entries = await journal.entries();
rmSync(dir, { recursive: true, force: true });

const lost = sent - counters.processed + counters.gaps;
const duplicated = counters.dupes;
const asPlanned = reports.every((r) => r.report.outcome === r.step.expect);
const us = (n: number): string => n.toLocaleString('en-US');

console.log('swaps (each started while a stats flush was in flight, so quiesce waits for it; µs):');
const effect = (id: string): string => (id.startsWith('xstate.after.') ? `after ${id.split('.')[2]}` : `timer ${id}`);
for (const [i, { step, report, sentAt }] of reports.entries()) {
  const t = report.timings;
  const work = (t.drain ?? 0) + (t.migrate ?? 0) + (t.verify ?? 0) + (t.install ?? 0);
  const what =
    report.ok
      ? `carried ${report.effects.carried.map(effect).join(' + ')}`
      : `${report.phase}: ${[...new Set(report.blockers.map((b) => b.kind))].join(', ')}`;
  console.log(
    `  ${i + 1}. ${step.label.padEnd(24)} ${report.outcome.padEnd(9)} at event ${String(sentAt).padStart(6)}: ` +
      `pause ${us(report.pauseUs).padStart(6)} (quiesce ${us(t.quiesce ?? 0).padStart(6)}, swap ${us(work).padStart(6)}), ` +
      `held ${String(report.held).padStart(4)}; ${what}`,
  );
}
console.log('');
console.log(`events sent:          ${sent} in ${seconds.toFixed(2)} s (send refused with MAILBOX_FULL and retried: ${refusedFull})`);
console.log(`processed:            ${counters.processed} (counted by the machine, carried through ${reports.filter((r) => r.report.ok).length} migrations)`);
console.log(`  admitted/throttled: ${stats.admitted}/${stats.throttled} over ${stats.windows} stats windows; running v${reports.length > 0 ? reports.at(-1)!.report.to : 1}`);
console.log(`lost:                 ${lost}`);
console.log(`duplicated:           ${duplicated}`);
console.log(`journal entries:      ${entries.length} (${entries.filter((e) => e.ok).length} committed, ${entries.filter((e) => !e.ok).length} refused)`);
console.log('');

const ok = lost === 0 && duplicated === 0 && counters.last === sent && asPlanned && entries.length === reports.length;
if (ok) {
  console.log(
    `proved: ${sent} events across ${reports.length} swap attempts (${us(Math.max(...reports.map((r) => r.report.pauseUs)))} µs longest pause) were each processed exactly once, in order;`,
  );
  console.log('        the refused swap left v3 serving, the revert used the down migration, every attempt is in the journal.');
} else {
  console.log(`FAILED: lost ${lost}, duplicated ${duplicated}, last seq ${counters.last}/${sent}, swaps as planned: ${asPlanned}, journal ${entries.length}/${reports.length}`);
}
process.exit(ok ? 0 : 1);
