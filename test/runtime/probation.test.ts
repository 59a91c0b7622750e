/**
 * Probation: after a committed swap, a failure of the new version within the window — its actor
 * errors or finishes, its invariant fails on a live state, `health` returns a reason — rolls back to
 * the old version with its state at the commit, and the events accepted since are redelivered, so
 * each one's effect on state is present exactly once. A clean window makes the swap permanent.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, formatReport, HotswapError, ManualClock, type ProbationOptions, type SwapReport } from '../../src/index.ts';
import { base, withV2 } from '../swap/_support/rehearse-lineage.ts';

async function onProbation(probation: ProbationOptions, v2 = withV2()) {
  const clock = new ManualClock();
  const runtime = createRuntime({ clock });
  const c = runtime.start(base, { version: 1 });
  c.send({ type: 'INC' });
  c.send({ type: 'INC' });
  const report = await c.swap(2, { lineage: v2, probation });
  expect(report.outcome).toBe('committed');
  expect(c.probation).toMatchObject({ swapId: report.id, from: 1, to: 2, accepted: 0 });
  return { c, clock, runtime, report, settled: c.probation!.settled };
}

const n = (c: { getSnapshot(): unknown }): number => (c.getSnapshot() as { context: { n: number } }).context.n;

describe('probation rolls back', () => {
  it('when the new actor errors: the old version, its state at commit, every accepted event once', async () => {
    const { c, runtime, report, settled } = await onProbation({ ms: 1000 });
    c.send({ type: 'INC' });
    c.send({ type: 'INC' });
    c.send({ type: 'BOOM' }); // v2's action throws: its actor fails
    const out = await settled;
    expect(out).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'actor-error', error: { message: 'v2 cannot take BOOM' } } });
    expect([c.version, c.status, n(c)]).toEqual([1, 'running', 4]);
    c.send({ type: 'INC' });
    expect(n(c)).toBe(5);
    const entries = await runtime.journal.entries();
    expect(entries.map((e) => e.outcome)).toEqual(['committed', 'rolled-back']);
    expect(entries.at(-1)).toMatchObject({ outcome: 'rolled-back', ok: true, from: 2, to: 1, held: 3, rolledBack: { swapId: report.id, redelivered: 3 } });
    expect(out.outcome === 'rolled-back' && out.report).toEqual(entries.at(-1) === undefined ? undefined : (({ instance: _, ...r }) => r)(entries.at(-1)!));
    expect(formatReport(entries.at(-1)!)).toBe(
      `swap c v2 → v1 rolled-back (probation of swap ${report.id}): the new actor failed: Error: v2 cannot take BOOM; 3 accepted events redelivered`,
    );
    expect(c.probation).toBeUndefined();
  });

  it('when the new actor reaches a final state unexpectedly', async () => {
    const { c, settled } = await onProbation({ ms: 1000 });
    c.send({ type: 'INC' });
    c.send({ type: 'END' });
    expect(await settled).toMatchObject({ outcome: 'rolled-back', cause: { kind: 'actor-finished', status: 'done' } });
    expect([c.version, c.status, n(c)]).toEqual([1, 'running', 3]);
  });

  it('when its invariant fails on a live state', async () => {
    const v2 = withV2({ invariant: ({ context }) => (context.n <= 3 ? true : [{ path: 'context.n', message: 'at most 3' }]) });
    const { c, settled } = await onProbation({ ms: 1000 }, v2);
    c.send({ type: 'INC' });
    c.send({ type: 'INC' }); // n = 4 on v2: fails
    expect(await settled).toMatchObject({ outcome: 'rolled-back', cause: { kind: 'invariant' } });
    expect([c.version, n(c)]).toEqual([1, 4]);
  });

  it('when health returns a reason (and events accepted before the rollback runs are redelivered too)', async () => {
    const { c, settled } = await onProbation({ ms: 1000, health: ({ context }) => ((context as { n: number }).n >= 3 ? `n is ${(context as { n: number }).n}` : undefined) });
    c.send({ type: 'INC' }); // n = 3: unhealthy, rollback queued
    c.send({ type: 'INC' }); // accepted by v2 meanwhile
    const out = await settled;
    expect(out).toMatchObject({ outcome: 'rolled-back', cause: { kind: 'health', reason: 'n is 3' } });
    expect([c.version, n(c)]).toEqual([1, 4]);
  });
});

describe('probation passes', () => {
  it('a clean window makes the swap permanent and releases the old version', async () => {
    const { c, clock, settled } = await onProbation({ ms: 500 });
    c.send({ type: 'INC' });
    clock.advance(500);
    expect(await settled).toMatchObject({ outcome: 'permanent', events: 1 });
    expect(c.probation).toBeUndefined();
    // a failure now is no longer rolled back: the component stops, as without probation
    c.send({ type: 'BOOM' });
    await Promise.resolve();
    expect([c.version, c.status]).toEqual([2, 'stopped']);
  });

  it('an events window ends after that many accepted events', async () => {
    const { c, settled } = await onProbation({ events: 2 });
    c.send({ type: 'INC' });
    expect(c.probation?.accepted).toBe(1);
    c.send({ type: 'INC' });
    expect(await settled).toMatchObject({ outcome: 'permanent', events: 2 });
    expect([c.version, n(c)]).toEqual([2, 4]);
  });

  it('a refused swap leaves no probation; bad options are INVALID_ARGUMENT', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1 });
    const refused = await c.swap(2, { lineage: withV2({ up: () => ({}) }), probation: { ms: 10 } });
    expect(refused.outcome).toBe('refused');
    expect(c.probation).toBeUndefined();
    await expect(c.swap(2, { lineage: withV2(), probation: { ms: -1 } })).rejects.toThrow(HotswapError);
    await expect(c.swap(2, { lineage: withV2(), probation: { health: 'ok' as never } })).rejects.toThrow(/probation\.health/);
    await expect(runtime.swapAll([{ component: c, target: 2, options: { lineage: withV2(), probation: {} } }])).rejects.toThrow(/probation/);
    // a revert is the way back itself: its `probation` is refused, not ignored
    await expect(c.revert({ probation: { ms: 10 } })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { argument: 'options.probation' } });
  });
});

describe('probation and the next swap', () => {
  it('a swap asked for while a rollback is queued runs after it, from the reinstated version', async () => {
    const { c, runtime, report, settled } = await onProbation({ ms: 1000 });
    c.send({ type: 'INC' });
    c.send({ type: 'BOOM' }); // v2's actor fails: the rollback is queued in a microtask
    const next = c.swap(2, { lineage: withV2() }); // asked for in the same tick
    expect(await settled).toMatchObject({ outcome: 'rolled-back', swapId: report.id });
    const r = await next;
    expect(r).toMatchObject({ outcome: 'committed', from: 1, to: 2 }); // from v1, reinstated first
    expect(n(c)).toBe(3);
    expect((await runtime.journal.entries()).map((e) => e.outcome)).toEqual(['committed', 'rolled-back', 'committed']);
  });

  it('a swap that takes the lock between a commit and its report makes that swap permanent: no window opens after it', async () => {
    const app: { c?: ReturnType<ReturnType<typeof createRuntime>['start']>; next?: Promise<SwapReport> } = {};
    const outcomes: string[] = [];
    // while the swap's entry is written (its lock released, its report not out yet), the app swaps again
    const journal = {
      entries: () => [],
      append: async (e: { outcome: string; to: number }) => {
        outcomes.push(e.outcome);
        if (e.outcome === 'committed' && e.to === 2) app.next ??= app.c!.swap(1);
        await Promise.resolve();
      },
    };
    const c = (app.c = createRuntime({ clock: new ManualClock(), journal }).start(base, { version: 1 }));
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, health: () => 'never healthy' } });
    expect(report.outcome).toBe('committed');
    expect(await app.next).toMatchObject({ outcome: 'committed', from: 2, to: 1 });
    expect(c.probation).toBeUndefined(); // permanent at once, though its health would have failed
    expect(outcomes).not.toContain('rolled-back');
  });

  it('a swap refused at plan changes nothing: asked for at the commit (the lock still held), it leaves the probation running', async () => {
    const runtime = createRuntime({ clock: new ManualClock() });
    const c = runtime.start(base, { version: 1 });
    const onProbation = c.swap(2, { lineage: withV2(), probation: { ms: 1000, health: () => 'never healthy' } });
    let next: Promise<SwapReport> | undefined;
    c.subscribe(() => (next ??= c.swap(1))); // at the commit: the first swap still holds the lock
    await onProbation;
    expect(await next).toMatchObject({ outcome: 'refused', phase: 'plan', blockers: [{ kind: 'swap-in-progress' }] });
    expect(await c.probation?.settled).toMatchObject({ outcome: 'rolled-back', cause: { kind: 'health' } });
    expect(c.version).toBe(1);
  });
});

describe('probation logs from the commit point', () => {
  it('an event sent between the commit and the swap’s report (while the journal writes) is redelivered too', async () => {
    const clock = new ManualClock();
    const app: { c?: ReturnType<ReturnType<typeof createRuntime>['start']> } = {};
    // a journal that, while the swap's entry is written (after the commit), lets the app send an event
    const journal = {
      entries: () => [],
      append: async (e: { outcome: string; rolledBack?: unknown }) => {
        if (e.outcome === 'committed' && e.rolledBack === undefined) app.c!.send({ type: 'INC' });
        await Promise.resolve();
      },
    };
    const c = (app.c = createRuntime({ clock, journal }).start(base, { version: 1 }));
    c.send({ type: 'INC' });
    await c.swap(2, { lineage: withV2(), probation: { ms: 1000 } });
    expect(c.probation?.accepted).toBe(1);
    c.send({ type: 'BOOM' });
    expect(await c.probation!.settled).toMatchObject({ outcome: 'rolled-back' });
    expect([c.version, n(c)]).toEqual([1, 2]);
  });
});
