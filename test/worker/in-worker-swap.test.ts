/**
 * An in-worker swap (a version of the running module) under a stream of events: the worker posts the
 * report first and checkpoints the new version once the events waiting behind the swap are processed
 * (a request that landed during the swap is not kept waiting for a walk of the new state). Still, no
 * event goes unaccounted: the deferred checkpoint holds the new version and every event processed
 * before it, and a crash right after the swap names every accepted event it did not checkpoint.
 * Event batches that queued up behind the swap are acknowledged together, with the state after all of them.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent, type WorkerEvent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

const started: WorkerComponent<CounterEvent>[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

/** counter v1 (the module holds v2), checkpointing only when asked to by a swap: no periodic checkpoint. */
async function host(restart: 'manual' | 'auto' = 'manual'): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1, restart, checkpoint: { everyMs: 600_000, everyEvents: 1_000_000 } });
  started.push(c);
  return c;
}

const checkpointed = (c: WorkerComponent<any>): { version: number | undefined; log: readonly number[] | undefined } => ({
  version: c.lastCheckpoint?.version,
  log: (c.lastCheckpoint?.snapshot.context as { log?: number[] } | undefined)?.log,
});

async function untilCheckpoint(c: WorkerComponent<any>, test: (v: ReturnType<typeof checkpointed>) => boolean, ms = 20_000): Promise<void> {
  for (const until = performance.now() + ms; !test(checkpointed(c)); ) {
    if (performance.now() > until) throw new Error(`no matching checkpoint within ${ms} ms; last: ${JSON.stringify(checkpointed(c))}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('an in-worker swap under a stream of events', () => {
  it('checkpoints the new version after the swap, holding every event sent before and right behind it', async () => {
    const c = await host();
    for (let n = 1; n <= 3; n++) c.send({ type: 'ADD', n });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 3);
    expect(checkpointed(c)).toEqual({ version: 1, log: [] }); // the start's envelope; nothing periodic
    const swapping = c.swap(2);
    for (let n = 4; n <= 23; n++) c.send({ type: 'ADD', n }); // queued behind the swap, or ahead of it
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'committed', from: 1, to: 2 });
    // the only checkpoint after the start's is the one the committed swap asked for
    await untilCheckpoint(c, (k) => k.version === 2);
    const all = Array.from({ length: 23 }, (_, i) => i + 1);
    await until(c, (s) => (s.context as { log: number[] }).log.length === 23);
    expect(contextOf(c).log).toEqual(all);
    // it was taken after the swap and after whatever events were waiting then: a prefix of the log,
    // at least the events processed before the swap
    const log = checkpointed(c).log!;
    expect(all.slice(0, log.length)).toEqual(log);
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(c.lastCheckpoint?.snapshot.context).toHaveProperty('seen');
  });

  it('checkpoints nothing after a refused swap', async () => {
    const c = await host();
    c.send({ type: 'ADD', n: 1 });
    expect((await c.swap(9)).outcome).toBe('refused');
    await until(c, (s) => (s.context as { log: number[] }).log.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(checkpointed(c)).toEqual({ version: 1, log: [] });
  });

  it('accounts for every event when the worker dies right after the swap: checkpointed, or named in the crash', async () => {
    const c = await host();
    const seen: WorkerEvent[] = [];
    c.onEvent((e) => seen.push(e));
    for (let n = 1; n <= 3; n++) c.send({ type: 'ADD', n });
    const swapping = c.swap(2);
    for (let n = 4; n <= 10; n++) c.send({ type: 'ADD', n });
    c.send({ type: 'EXIT' }); // right behind the swap: before or after its checkpoint, whichever wins
    const report = await swapping;
    await until(c, () => c.status === 'crashed');
    const crashed = seen.find((e) => e.type === 'crashed');
    expect(crashed).toMatchObject({ type: 'crashed', exitCode: 7 });
    const adds = (list: readonly { type: string; n?: number }[]): number[] => list.flatMap((e) => (e.type === 'ADD' ? [e.n!] : []));
    const named = crashed!.type === 'crashed' ? [...adds(crashed!.uncheckpointed), ...adds(crashed!.unprocessed)] : [];
    const restoredVersion = c.lastCheckpoint?.version;
    expect(await c.restart()).toBe(true);
    // restarted from the last checkpoint: the swap's when it was taken before the exit, else the start's
    expect(c.version).toBe(restoredVersion);
    if (report.outcome === 'refused') expect(restoredVersion).toBe(1);
    // every accepted ADD is in exactly one place: the state restarted from, or the crash report
    expect([...contextOf(c).log, ...named].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('acknowledges the event batches that queued up behind a swap together, by the new version, before the swap hashes its states and reports', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2-slow'), component: 'counter', version: 1 });
    started.push(c);
    const lengths: number[] = [];
    const order: string[] = [];
    c.subscribe((s) => {
      lengths.push((s.context as { log: number[] }).log.length);
      if (lengths.at(-1) === 10) order.push('acked');
    });
    const swapping = c.swap(2).then((r) => (order.push('report'), r)); // its migration holds the worker for 1 s
    await new Promise((r) => setTimeout(r, 100));
    // ten batches, each posted in its own turn while the worker is busy
    for (let n = 1; n <= 10; n++) {
      c.send({ type: 'ADD', n });
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await swapping).outcome).toBe('committed');
    await until(c, (s) => (s.context as { log: number[] }).log.length === 10);
    expect(contextOf(c).log).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    // acknowledged together, not one by one (one ack each would show nine partial states; Node may
    // hand the first waiting message over on its own, so one partial state is allowed)
    expect(lengths.filter((n) => n > 0 && n < 10).length).toBeLessThanOrEqual(1);
    expect(lengths.at(-1)).toBe(10);
    // they reached the worker during the pause's migration: they waited for the pause, not for the report
    expect(order.indexOf('acked')).toBeLessThan(order.indexOf('report'));
    expect(c.version).toBe(2);
  });

  it('holds the events sent while a swap waits (policy wait) unacknowledged until its pause ends, then the new version takes them in order', async () => {
    const c = await host();
    c.send({ type: 'FETCH', ms: 400 });
    await until(c, (s) => s.value === 'fetching');
    const swapping = c.swap(2, { policies: { promises: 'wait' }, deadlineMs: 20_000 });
    await new Promise((r) => setTimeout(r, 50));
    for (let n = 1; n <= 5; n++) c.send({ type: 'ADD', n });
    await new Promise((r) => setTimeout(r, 150));
    // the worker took the batch while the swap waited for the promise: held, not processed
    expect(c.pending).toBe(5);
    expect(contextOf(c).log).toEqual([]);
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'committed', held: 5 });
    await until(c, () => c.pending === 0);
    expect(c.version).toBe(2);
    expect(contextOf(c).log).toEqual([1, 2, 3, 4, 5]);
  });

  it('checkpoints at its pace after many swaps: a checkpoint taken early replaces the one due, it does not start a second chain', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2'), component: 'counter', version: 1, checkpoint: { everyMs: 50, everyEvents: 1_000_000 } });
    started.push(c);
    for (let i = 0; i < 30; i++) {
      c.send({ type: 'ADD', n: i });
      expect((await c.swap(c.version === 1 ? 2 : 1)).outcome).toBe('committed'); // each asks for a checkpoint of its own
    }
    // one second of events, each leaving the state due for a checkpoint: at one per 50 ms, about 20
    const seen = new Set<string>();
    const end = performance.now() + 1_000;
    let n = 100;
    while (performance.now() < end) {
      c.send({ type: 'ADD', n: n++ });
      const at = c.lastCheckpoint?.savedAt;
      if (at !== undefined) seen.add(at);
      await new Promise((r) => setTimeout(r, 2));
    }
    expect(seen.size).toBeGreaterThan(5);
    expect(seen.size).toBeLessThanOrEqual(30); // each swap used to leave one more timer chain: ~600 here
  });

  it('names none of the batches acknowledged together as unprocessed when the worker dies right behind them', async () => {
    const c = await hostInWorker<CounterEvent>({ module: fixture('counter-v2-slow'), component: 'counter', version: 1, checkpoint: { everyMs: 600_000, everyEvents: 1_000_000 } });
    started.push(c);
    const crashed = new Promise<WorkerEvent>((resolve) => c.onEvent((e) => e.type === 'crashed' && resolve(e)));
    const swapping = c.swap(2); // its migration holds the worker for 1 s
    await new Promise((r) => setTimeout(r, 100));
    for (let n = 1; n <= 10; n++) {
      c.send({ type: 'ADD', n });
      await new Promise((r) => setTimeout(r, 20));
    }
    c.send({ type: 'EXIT' }); // queued behind the ADDs: their ack is still due when it exits
    // the batches go to the new version as soon as the pause ends, before the swap hashes its states
    // and posts its report: the EXIT may end the worker first (then the swap is refused, worker-crashed)
    await swapping;
    const e = await crashed;
    if (e.type !== 'crashed') throw new Error('unreachable');
    // the ADDs were processed (not checkpointed: no checkpoint since the start); only the EXIT was not
    expect(e.unprocessed).toEqual([{ type: 'EXIT' }]);
    expect(e.uncheckpointed).toEqual(Array.from({ length: 10 }, (_, i) => ({ type: 'ADD', n: i + 1 })));
  });
});
