/**
 * Probation for a worker-hosted component: a drained replacement whose new worker fails within the
 * window (dies, its actor errors, its invariant fails on a live state, `health` returns a reason)
 * rolls back to the old worker, kept paused since the handover, with every accepted event's effect
 * present exactly once; a clean window makes the swap permanent and terminates the old worker.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProbationOutcome, SwapReport } from '../../src/index.ts';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

const started: WorkerComponent<CounterEvent>[] = [];
async function host(): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1'), component: 'counter' });
  started.push(c);
  return c;
}
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

const flawed = { module: fixture('counter-v2-flawed') };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The heartbeat's last time (a read can meet the file mid-write: read again). */
async function beatOf(file: string): Promise<number> {
  for (;;) {
    const t = Number(readFileSync(file, 'utf8'));
    if (t > 0) return t;
    await sleep(5);
  }
}
/** Whether the heartbeat moves past `t` within `ms`. */
async function advanced(file: string, t: number, ms = 10_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if ((await beatOf(file)) > t) return true;
  return false;
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('a worker-hosted swap on probation', () => {
  it.each([
    ['the new worker exits', 13, 'worker-crashed'],
    ['the new actor errors', 14, 'actor-error'],
    ['the invariant fails on a live state', 2000, 'invariant'],
  ] as const)('rolls back when %s, redelivering every accepted event once to the old worker', async (_what, poison, kind) => {
    const c = await host();
    for (const n of range(0, 5)) c.send({ type: 'ADD', n });
    const report = await c.swap(flawed, { probation: { ms: 30_000 } });
    expect(report).toMatchObject({ outcome: 'committed', from: 1, to: 2 });
    expect(c.probation).toMatchObject({ swapId: report.id, from: 1, to: 2 });
    const settled = c.probation!.settled;
    for (const n of range(5, 10)) c.send({ type: 'ADD', n });
    c.send({ type: 'ADD', n: poison });
    for (const n of range(20, 25)) c.send({ type: 'ADD', n });
    const outcome = await settled;
    expect(outcome).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind } });
    const sent = [...range(0, 10), poison, ...range(20, 25)];
    await until(c, (s) => (s.context as { log: number[] }).log.length >= sent.length);
    expect(c.version).toBe(1);
    expect(c.module).toBe(fixture('counter-v1').href);
    expect(contextOf(c).log).toEqual(sent); // each once, in order, on v1 (which has no `seen`)
    expect(contextOf(c).seen).toBeUndefined();
    expect(c.probation).toBeUndefined();
    if (outcome.outcome !== 'rolled-back') throw new Error('unreachable');
    expect(outcome.report).toMatchObject({ outcome: 'rolled-back', ok: true, from: 2, to: 1, rolledBack: { swapId: report.id, redelivered: 11 } });
    expect(outcome.report.rolledBack.cause).toContain(kind === 'invariant' ? 'must be <= 1000' : kind === 'actor-error' ? 'v2 cannot add 14' : 'exit code 5');
    // append-only: the swap's own entry stays committed; the rollback is an entry of its own
    const journal = await c.journal.entries();
    expect(journal.map((e) => [e.outcome, e.outcome === 'rolled-back' ? e.rolledBack.swapId : e.id])).toEqual([
      ['committed', report.id],
      ['rolled-back', report.id],
    ]);
    // the old worker serves again
    c.send({ type: 'ADD', n: 100 });
    await until(c, (s) => (s.context as { log: number[] }).log.at(-1) === 100);
    expect(c.status).toBe('running');
  });

  it('rolls back when `health` returns a reason on a mirrored state', async () => {
    const c = await host();
    const report = await c.swap(flawed, { probation: { ms: 30_000, health: ({ context }) => ((context as { count: number }).count > 50 ? 'count over 50' : undefined) } });
    const settled = c.probation!.settled;
    for (const n of [10, 20, 30]) c.send({ type: 'ADD', n });
    const outcome = await settled;
    expect(outcome).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'health', reason: 'count over 50' } });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 3);
    expect(contextOf(c)).toMatchObject({ count: 60, log: [10, 20, 30] });
    expect(c.version).toBe(1);
  });

  it('asks `health` once more at the window\'s end, and rolls back on its reason then', async () => {
    const c = await host();
    const verdict: { now?: string } = {};
    await c.swap(flawed, { probation: { ms: 400, health: () => verdict.now } });
    const settled = c.probation!.settled;
    verdict.now = 'the downstream error rate rose'; // no event follows: only the end-of-window check can see it
    expect(await settled).toMatchObject({ outcome: 'rolled-back', cause: { kind: 'health', reason: 'the downstream error rate rose' } });
    expect(c.version).toBe(1);
    expect(c.module).toBe(fixture('counter-v1').href);
  });

  it('makes a clean window permanent and terminates the old worker, kept alive until then', async () => {
    const beat = join(mkdtempSync(join(tmpdir(), 'hotswap-probation-')), 'old');
    process.env['HOTSWAP_TEST_HEARTBEAT'] = beat;
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v1-heartbeat'), component: 'counter' });
    started.push(c);
    delete process.env['HOTSWAP_TEST_HEARTBEAT'];
    c.send({ type: 'ADD', n: 1 });
    await c.swap({ module: fixture('counter-v2') }, { probation: { events: 5 } });
    const settled = c.probation!.settled;
    // on probation the old worker lives on (paused): its heartbeat still moves
    const t0 = await beatOf(beat);
    expect(await advanced(beat, t0)).toBe(true);
    for (const n of range(2, 7)) c.send({ type: 'ADD', n });
    expect(await settled).toMatchObject({ outcome: 'permanent', events: 5 });
    expect(c.probation).toBeUndefined();
    await until(c, (s) => (s.context as { log: number[] }).log.length === 6);
    expect(c.version).toBe(2);
    expect(contextOf(c)).toMatchObject({ log: [1, 2, 3, 4, 5, 6], seen: 5 });
    // the old worker is terminated: its heartbeat stops
    await sleep(200);
    expect(await advanced(beat, await beatOf(beat), 500)).toBe(false);
    expect((await c.journal.entries()).map((e) => e.outcome)).toEqual(['committed']);
  });

  it('keeps exactly-once across a rollback under a stream of events', async () => {
    const c = await host();
    const sent: number[] = [];
    let k = 0;
    const pump = setInterval(() => {
      for (let i = 0; i < 5; i++) {
        // negative: unique, and the count stays under the invariant's bound; an event refused with
        // MAILBOX_FULL (a slow candidate on a loaded machine) was never accepted, so it is not expected
        if (c.trySend({ type: 'ADD', n: --k }).ok) sent.push(k);
      }
    }, 1);
    const report = await c.swap(flawed, { probation: { ms: 30_000 } });
    await new Promise((r) => setTimeout(r, 50));
    const settled = c.probation!.settled;
    sent.push(13);
    c.send({ type: 'ADD', n: 13 }); // the new worker dies here, mid-stream
    const outcome = await settled;
    await new Promise((r) => setTimeout(r, 50));
    clearInterval(pump);
    expect(outcome).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'worker-crashed' } });
    await until(c, (s) => (s.context as { log: number[] }).log.length === sent.length);
    expect(contextOf(c).log).toEqual(sent);
    expect(c.version).toBe(1);
  });

  it('refuses probation for a swap inside the running worker, bad probation options and a replaying rehearsal, as INVALID_ARGUMENT', async () => {
    const c = await host();
    await expect(c.swap(1, { probation: {} })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(c.swap(flawed, { probation: { ms: -1 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    // a shadow replay needs a recording this thread does not keep: refused, never ignored
    await expect(c.swap(flawed, { rehearse: { replay: true } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'options.rehearse.replay' } });
    expect(c.version).toBe(1);
  });
});

/** An `onSettled` that records every call, and a promise of the first. */
function listener() {
  const calls: ProbationOutcome[] = [];
  let first!: (o: ProbationOutcome) => void;
  const settled = new Promise<ProbationOutcome>((r) => (first = r));
  return { calls, settled, onSettled: (o: ProbationOutcome) => void (calls.push(o), first(o)) };
}

describe('a worker-hosted probation tells `onSettled` how it ended, once', () => {
  it('rolled-back: when the new worker dies within the window', async () => {
    const c = await host();
    const l = listener();
    const report = await c.swap(flawed, { probation: { ms: 30_000, onSettled: l.onSettled } });
    c.send({ type: 'ADD', n: 13 });
    const out = await l.settled;
    expect(out).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'worker-crashed', exitCode: 5 } });
    const journal = await c.journal.entries();
    expect(out.outcome === 'rolled-back' && out.report.id).toBe(journal.at(-1)?.id);
    await sleep(50);
    expect([c.version, l.calls.length]).toEqual([1, 1]);
  });

  it('rolled-back: on an event the new version got at the commit, before the report was out', async () => {
    const c = await host();
    const l = listener();
    let poisoned = false;
    // the snapshot mirrored at the commit point: the candidate serves now, the report is not out yet
    const sub = c.subscribe(() => {
      if (c.version !== 2 || poisoned) return;
      poisoned = true;
      c.send({ type: 'ADD', n: 14 }); // v2 throws on it
    });
    const report = await c.swap(flawed, { probation: { ms: 30_000, onSettled: l.onSettled } });
    sub.unsubscribe();
    expect([report.outcome, poisoned]).toEqual(['committed', true]);
    expect(await l.settled).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'actor-error', error: { message: 'v2 cannot add 14' } } });
    await until(c, (s) => (s.context as { log: number[] }).log.includes(14));
    expect([c.version, contextOf(c).log, l.calls.length]).toEqual([1, [14], 1]);
  });

  it('rolled-back: when health fails on the migrated state itself', async () => {
    const c = await host();
    const l = listener();
    const report = await c.swap(flawed, { probation: { ms: 30_000, health: () => 'unhealthy from the start', onSettled: l.onSettled } });
    expect(await l.settled).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'health', reason: 'unhealthy from the start' } });
    expect([c.version, c.probation, l.calls.length]).toEqual([1, undefined, 1]);
  });

  it('permanent: when the window passes, or at stop; a swap refused at plan meanwhile changes nothing', async () => {
    const c = await host();
    const l = listener();
    await c.swap({ module: fixture('counter-v2') }, { probation: { events: 2, onSettled: l.onSettled } });
    c.send({ type: 'ADD', n: 1 });
    c.send({ type: 'ADD', n: 2 });
    expect(await l.settled).toMatchObject({ outcome: 'permanent', events: 2 });
    const d = await host();
    const early = listener();
    let next: Promise<SwapReport> | undefined;
    const sub = d.subscribe(() => void (d.version === 2 && (next ??= d.swap(1)))); // at the commit, before the report is out
    const report = await d.swap({ module: fixture('counter-v2') }, { probation: { ms: 30_000, onSettled: early.onSettled } });
    sub.unsubscribe();
    expect(await next).toMatchObject({ outcome: 'refused', phase: 'plan' }); // the swap still ran: refused at once
    expect([early.calls, d.probation?.swapId]).toEqual([[], report.id]); // and its probation runs on
    await d.stop();
    expect(early.calls).toEqual([{ outcome: 'permanent', swapId: report.id, events: 0 }]);
    expect([l.calls.length, early.calls.length]).toEqual([1, 1]);
  });

  it('refuses a non-function `onSettled` as INVALID_ARGUMENT', async () => {
    const c = await host();
    await expect(c.swap(flawed, { probation: { onSettled: 42 as never } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'options.probation.onSettled' } });
    expect(c.version).toBe(1);
  });
});
