/**
 * Rehearsal of a worker-hosted component's swap: on a copy of the serving worker's state, for a
 * version of the running module (in that worker) and for another module or plugin file (in a
 * candidate worker that loads it by URL), while the serving worker keeps serving; the blockers are
 * those the swap that follows finds, and `swap(…, { rehearse: true })` refuses with them before
 * anything is held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { hostInWorker, type WorkerComponent } from '../../src/worker/index.ts';
import type { CounterEvent } from '../fixtures/worker/counter.ts';
import { contextOf, fixture, until } from './_support.ts';

const started: WorkerComponent<CounterEvent>[] = [];
async function host(module = 'counter-v1', version?: number): Promise<WorkerComponent<CounterEvent>> {
  const c = await hostInWorker<CounterEvent>({ module: fixture(module), component: 'counter', ...(version === undefined ? {} : { version }) });
  started.push(c);
  return c;
}
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop();
});

const negative = { module: fixture('counter-plugin-v2-negative') };
const logOf = (c: WorkerComponent<CounterEvent>): readonly number[] => contextOf(c).log;
const findings = (r: { blockers: readonly { kind: string; message: string }[] }) => r.blockers.map((b) => ({ kind: b.kind, message: b.message }));

describe('rehearsing a swap to another module (a plugin file)', () => {
  it('finds the invariant the plugin’s migration breaks, as the swap that follows does', async () => {
    const c = await host();
    for (const n of [1, 2, 3]) c.send({ type: 'ADD', n });
    const rehearsal = await c.rehearse(negative);
    expect(rehearsal).toMatchObject({ ok: false, phase: 'verify', component: 'counter', from: 1, to: 2, path: [{ from: 1, to: 2 }] });
    expect(rehearsal.blockers.map((b) => b.kind)).toEqual(['invariant-violation']);
    expect(rehearsal.blockers[0]!.message).toContain('must be >= 0, got -1');
    const report = await c.swap(negative);
    expect(report).toMatchObject({ outcome: 'refused', phase: rehearsal.ok ? 'none' : rehearsal.phase });
    expect(findings(report)).toEqual(findings(rehearsal));
  });

  it('passes a plugin the swap then commits, saying what drain would carry', async () => {
    const c = await host();
    c.send({ type: 'ARM_LONG' });
    const plugin = { module: fixture('counter-plugin-v2') };
    const rehearsal = await c.rehearse(plugin);
    expect(rehearsal).toMatchObject({ ok: true, from: 1, to: 2, blockers: [], waits: [] });
    expect(rehearsal.effects.carried).toHaveLength(1);
    expect(rehearsal.timings.migrate).toBeGreaterThanOrEqual(0);
    expect(c.version).toBe(1); // a rehearsal changes nothing
    const report = await c.swap(plugin);
    expect(report).toMatchObject({ outcome: 'committed', to: 2, effects: { carried: rehearsal.effects.carried } });
  });

  it('reports what quiesce would wait for, and refuses what cannot cross isolates, as the swap does', async () => {
    const c = await host();
    c.send({ type: 'FETCH', ms: 60_000 });
    await until(c, (s) => s.value === 'fetching');
    const waiting = await c.rehearse({ module: fixture('counter-v2') });
    expect(waiting).toMatchObject({ ok: true });
    expect(waiting.waits.map((b) => b.kind)).toEqual(['in-flight']);
    const adopting = await c.rehearse({ module: fixture('counter-v2') }, { policies: { promises: 'adopt' } });
    expect(adopting).toMatchObject({ ok: false, phase: 'quiesce' });
    const report = await c.swap({ module: fixture('counter-v2') }, { policies: { promises: 'adopt' } });
    expect(report).toMatchObject({ outcome: 'refused', phase: 'quiesce' });
    expect(findings(report)).toEqual(findings(adopting));
  });

  it('refuses a module that fails to load as the swap does, in plan', async () => {
    const c = await host();
    const rehearsal = await c.rehearse({ module: fixture('throws-at-import') });
    expect(rehearsal).toMatchObject({ ok: false, phase: 'plan' });
    expect(rehearsal.blockers).toEqual([expect.objectContaining({ kind: 'candidate-failed', phase: 'load' })]);
  });

  it('keeps the live worker serving while the candidate migrates the copy', async () => {
    const c = await host();
    const thread = c.threadId;
    let settled = false;
    // counter-v2-slow's migration spins for 1 s in the candidate: a swap would hold events that long
    const rehearsing = c.rehearse({ module: fixture('counter-v2-slow') }).finally(() => (settled = true));
    for (const n of [10, 11, 12]) c.send({ type: 'ADD', n });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 3);
    const served = !settled;
    const rehearsal = await rehearsing;
    expect(rehearsal).toMatchObject({ ok: true, to: 2 });
    expect(served).toBe(true);
    expect(logOf(c)).toEqual([10, 11, 12]);
    expect(c.threadId).toBe(thread);
    expect(await c.journal.entries()).toEqual([]); // a rehearsal is not a swap attempt
  });
});

describe('rehearsing a swap to a version of the running module (inside its worker)', () => {
  it('finds what the in-worker swap finds', async () => {
    const c = await host('counter-v3-bad', 2);
    c.send({ type: 'ADD', n: 5 });
    const rehearsal = await c.rehearse(3);
    expect(rehearsal).toMatchObject({ ok: false, phase: 'verify', from: 2, to: 3 });
    const report = await c.swap(3);
    expect(report).toMatchObject({ outcome: 'refused', phase: 'verify' });
    expect(findings(report)).toEqual(findings(rehearsal));
    expect(await c.rehearse(99)).toMatchObject({ ok: false, phase: 'plan' });
    expect(await c.rehearse(1)).toMatchObject({ ok: true, from: 2, to: 1 });
  });
});

describe('swap(…, { rehearse: true }) on a worker-hosted component', () => {
  it('refuses a failing plugin in plan, before anything is held, with the rehearsal’s blockers', async () => {
    const c = await host();
    const thread = c.threadId;
    c.send({ type: 'ADD', n: 1 });
    const rehearsal = await c.rehearse(negative);
    const report = await c.swap(negative, { rehearse: true });
    expect(report).toMatchObject({ outcome: 'refused', phase: 'plan', held: 0, pauseUs: 0 });
    expect(findings(report)).toEqual(findings(rehearsal));
    c.send({ type: 'ADD', n: 2 });
    await until(c, (s) => (s.context as { log: number[] }).log.length === 2);
    expect(c.threadId).toBe(thread);
    expect((await c.journal.entries()).map((e) => e.outcome)).toEqual(['refused']);
  });

  it('refuses an in-worker swap in plan when its rehearsal fails, and commits one that passes', async () => {
    const bad = await host('counter-v3-bad', 2);
    expect(await bad.swap(3, { rehearse: true })).toMatchObject({ outcome: 'refused', phase: 'plan', pauseUs: 0 });
    const good = await host();
    const report = await good.swap({ module: fixture('counter-plugin-v2') }, { rehearse: true });
    expect(report).toMatchObject({ outcome: 'committed', to: 2 });
  });

  it('refuses a replay (no recording in a worker) and policy functions as INVALID_ARGUMENT', async () => {
    const c = await host();
    await expect(c.rehearse(negative, { replay: true } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'options.replay' } });
    await expect(c.rehearse(negative, { policies: { promises: () => 'wait' } } as never)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'options.policies' } });
    expect(c.version).toBe(1);
  });
});
