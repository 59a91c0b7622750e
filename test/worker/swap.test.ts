/**
 * Swapping a worker-hosted component to another module: a drained replacement by a new worker.
 * The candidate loads before anything is held; a failing one is invisible; a refusal leaves the old
 * worker untouched; commit hands the held events to the new worker, in order (G1).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

const started: WorkerComponent<CounterEvent>[] = [];
async function host(module = 'counter-v1'): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture(module), component: 'counter' });
  started.push(c);
  return c;
}
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

describe('a drained replacement', () => {
  it('hands every event sent before, during and after the swap to exactly one worker, in order', async () => {
    const c = await host();
    const oldThread = c.threadId;
    let n = 0;
    for (; n < 50; n++) c.send({ type: 'ADD', n });
    const swapping = c.swap({ module: fixture('counter-v2') });
    // sent while the candidate loads and while events are held
    const pump = setInterval(() => c.send({ type: 'ADD', n: n++ }), 1);
    const report = await swapping;
    clearInterval(pump);
    for (let i = 0; i < 20; i++) c.send({ type: 'ADD', n: n++ });
    await until(c, (s) => (s.context as { log: number[] }).log.length === n);
    expect(report).toMatchObject({ outcome: 'committed', from: 1, to: 2 });
    expect(c.threadId).not.toBe(oldThread);
    expect(c.version).toBe(2);
    expect(c.module).toBe(fixture('counter-v2').href);
    expect(contextOf(c).log).toEqual(Array.from({ length: n }, (_, i) => i));
    // the events delivered to v2 were counted by it: exactly the ones the new worker processed
    expect(contextOf(c).seen).toBeGreaterThanOrEqual(20);
    expect(report.pauseUs).toBeLessThan(report.totalUs); // the candidate's start is not in the pause
    expect(report.beforeHash).toMatch(/^[0-9a-f]{64}$/);
    const journal = await c.journal.entries();
    expect(journal.map((e) => e.outcome)).toEqual(['committed']);
  });

  it('carries a pending delay into the new worker with its remaining time', async () => {
    const c = await host();
    c.send({ type: 'ARM_LONG' });
    const armed = await c.ledger();
    const report = await c.swap({ module: fixture('counter-v2') });
    expect(report.outcome).toBe('committed');
    expect(report.effects.carried).toHaveLength(1);
    const ledger = await c.ledger();
    expect(ledger.delays).toHaveLength(1);
    // re-armed with what was left at the handover, not the full 60 s
    expect(ledger.delays[0]!.remainingMs).toBeLessThan(armed.delays[0]!.remainingMs);
    expect(c.getSnapshot().value).toBe('armedLong');
  });

  it('refuses in verify and leaves the old worker untouched, serving the events held meanwhile', async () => {
    const c = await host('counter-v2');
    const thread = c.threadId;
    c.send({ type: 'ADD', n: 1 });
    const before = await c.persist();
    const swapping = c.swap({ module: fixture('counter-v3-bad'), version: 3 });
    c.send({ type: 'ADD', n: 2 });
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'refused', phase: 'verify' });
    expect(report.blockers.map((b) => b.kind)).toEqual(['invariant-violation']);
    expect(c.threadId).toBe(thread);
    expect(c.version).toBe(2);
    expect(before.snapshot.context).toEqual({ count: 1, log: [1], seen: 1 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 2);
    expect(contextOf(c)).toEqual({ count: 3, log: [1, 2], seen: 2 });
    expect((await c.journal.entries()).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('keeps a candidate that fails to load invisible: nothing is held, the old worker never notices', async () => {
    const c = await host();
    const thread = c.threadId;
    let sawWhileLoading = false;
    const swapping = c.swap({ module: fixture('throws-at-import') });
    c.send({ type: 'ADD', n: 7 });
    void until(c, (s) => (s.context as { log: number[] }).log.includes(7)).then(() => (sawWhileLoading = true));
    const report = await swapping;
    expect(report).toMatchObject({ outcome: 'refused', phase: 'plan', pauseUs: 0, held: 0 });
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'candidate-failed', phase: 'load' })]);
    expect(report.blockers[0]!.message).toContain('throws at import on purpose');
    expect(sawWhileLoading).toBe(true); // processed by the old worker while the candidate was loading
    expect(c.threadId).toBe(thread);
  });

  it('refuses a module whose lineage does not hold the running version', async () => {
    const c = await host('counter-v2');
    await c.swap(2);
    const report = await c.swap({ module: fixture('counter-v1') });
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'candidate-failed', message: expect.stringContaining('counter@2 (running now) is not in this module') })]);
  });

  it("names 'adopt' of an in-flight promise as a blocker: it cannot cross isolates", async () => {
    const c = await host();
    c.send({ type: 'FETCH', ms: 60_000 });
    await until(c, (s) => s.value === 'fetching');
    const adopt = await c.swap({ module: fixture('counter-v2') }, { policies: { promises: 'adopt' } });
    expect(adopt).toMatchObject({ outcome: 'refused', phase: 'quiesce' });
    expect(adopt.blockers.map((b) => b.kind)).toEqual(['cross-isolate']);
    expect(adopt.blockers[0]!.message).toContain("invoked promise");
    // 'abort': the promise ends with the old worker, and the new one invokes it afresh on restore
    const abort = await c.swap({ module: fixture('counter-v2') }, { policies: { promises: 'abort' } });
    expect(abort.outcome).toBe('committed');
    expect(abort.effects.aborted).toHaveLength(1);
    expect((await c.ledger()).inFlight).toEqual([expect.objectContaining({ logic: 'promise', src: 'load' })]);
  });
});
