/**
 * `probation.onSettled`: the caller that put a swap on probation hears how it ended — `permanent`,
 * `rolled-back` with its cause and journal entry, or `rollback-failed` — exactly once, however early
 * it ends: on an event held during the swap, on the migrated state itself, or before `swap()` resolves,
 * when `component.probation` may already be gone.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock, type ProbationOutcome } from '../../src/index.ts';
import { base, withV2 } from '../swap/_support/rehearse-lineage.ts';

/** An `onSettled` that records every call, and a promise of the first. */
function listener() {
  const calls: ProbationOutcome[] = [];
  let first!: (o: ProbationOutcome) => void;
  const settled = new Promise<ProbationOutcome>((r) => (first = r));
  return { calls, settled, onSettled: (o: ProbationOutcome) => void (calls.push(o), first(o)) };
}
const n = (c: { getSnapshot(): unknown }): number => (c.getSnapshot() as { context: { n: number } }).context.n;

describe('onSettled hears each outcome once', () => {
  it('permanent: when the window passes', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(base, { version: 1 });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 500, onSettled: l.onSettled } });
    c.send({ type: 'INC' });
    expect(l.calls).toEqual([]);
    clock.advance(500);
    expect(await l.settled).toEqual({ outcome: 'permanent', swapId: report.id, events: 1 });
    clock.advance(5000);
    c.send({ type: 'INC' });
    await c.swap(1); // the next swap does not settle it again
    expect(l.calls).toHaveLength(1);
  });

  it('rolled-back: with the cause and the journal entry, after a failure within the window', async () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const c = runtime.start(base, { version: 1 });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, onSettled: l.onSettled } });
    c.send({ type: 'INC' });
    c.send({ type: 'BOOM' });
    const out = await l.settled;
    expect(out).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'actor-error' } });
    const last = (await runtime.journal.entries()).at(-1)!;
    expect(out.outcome === 'rolled-back' && out.report.id).toBe(last.id);
    clock.advance(5000); // the window's timer is gone: no second call
    await Promise.resolve();
    expect(l.calls).toHaveLength(1);
  });

  it('rolled-back: on an event held during the swap, delivered to the new version at the commit', async () => {
    const app: { c?: ReturnType<ReturnType<typeof createRuntime>['start']> } = {};
    // a journal that lets the app send BOOM while the swap's own entry is written: after the commit, before the report
    const journal = {
      entries: () => [],
      append: async (e: { outcome: string }) => {
        if (e.outcome === 'committed') app.c!.send({ type: 'BOOM' });
        await Promise.resolve();
      },
    };
    const c = (app.c = createRuntime({ clock: new ManualClock(), journal }).start(base, { version: 1 }));
    c.send({ type: 'INC' });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, onSettled: l.onSettled } });
    expect(report.outcome).toBe('committed');
    expect(await l.settled).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'actor-error', error: { message: 'v2 cannot take BOOM' } } });
    expect([c.version, c.status, n(c)]).toEqual([1, 'running', 1]);
    expect(l.calls).toHaveLength(1);
  });

  it('rolled-back: when health fails on the migrated state itself, though `component.probation` may be gone by then', async () => {
    const c = createRuntime({ clock: new ManualClock() }).start(base, { version: 1 });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, health: () => 'unhealthy from the start', onSettled: l.onSettled } });
    expect(await l.settled).toMatchObject({ outcome: 'rolled-back', swapId: report.id, cause: { kind: 'health', reason: 'unhealthy from the start' } });
    expect(c.probation).toBeUndefined();
    expect([c.version, l.calls.length]).toEqual([1, 1]);
  });

  it('permanent before `swap()` resolves: a swap that takes the lock before the report ends the probation first', async () => {
    const app: { c?: ReturnType<ReturnType<typeof createRuntime>['start']> } = {};
    let next: Promise<unknown> | undefined;
    // while the swap's entry is written (its lock released, its report not out yet), the app swaps again
    const journal = {
      entries: () => [],
      append: async (e: { outcome: string; to: number }) => {
        if (e.outcome === 'committed' && e.to === 2) next ??= app.c!.swap(1);
        await Promise.resolve();
      },
    };
    const c = (app.c = createRuntime({ clock: new ManualClock(), journal }).start(base, { version: 1 }));
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, onSettled: l.onSettled } });
    expect(l.calls).toEqual([{ outcome: 'permanent', swapId: report.id, events: 0 }]); // already told when swap() resolves
    expect(c.probation).toBeUndefined();
    await next;
    expect(l.calls).toHaveLength(1);
  });

  it('rollback-failed: the component was stopped before the rollback could run', async () => {
    const c = createRuntime({ clock: new ManualClock() }).start(base, { version: 1 });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2(), probation: { ms: 1000, onSettled: l.onSettled } });
    c.send({ type: 'BOOM' }); // the rollback is queued in a microtask
    const stopped = c.stop();
    expect(await l.settled).toMatchObject({ outcome: 'rollback-failed', swapId: report.id, cause: { kind: 'actor-error' }, error: 'the component was stopped' });
    await stopped;
    expect([c.version, l.calls.length]).toEqual([2, 1]);
  });

  it('is not called when the swap is refused: no window opens', async () => {
    const c = createRuntime({ clock: new ManualClock() }).start(base, { version: 1 });
    const l = listener();
    const report = await c.swap(2, { lineage: withV2({ up: () => ({}) }), probation: { ms: 10, onSettled: l.onSettled } });
    expect(report.outcome).toBe('refused');
    await new Promise((r) => setTimeout(r, 20));
    expect(l.calls).toEqual([]);
  });
});

describe('onSettled misuse and throws', () => {
  it('a non-function is INVALID_ARGUMENT, and the old version keeps serving', async () => {
    const c = createRuntime().start(base, { version: 1 });
    await expect(c.swap(2, { lineage: withV2(), probation: { onSettled: 'tell me' as never } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "Expected `options.probation.onSettled` to be a function, got `'tell me'` (string)",
      details: { argument: 'options.probation.onSettled' },
    });
    expect([c.version, c.status]).toEqual([1, 'running']);
  });

  it('a throw in it goes to the runtime’s onError; the rollback stands', async () => {
    const errors: unknown[] = [];
    const c = createRuntime({ clock: new ManualClock(), onError: (e) => errors.push(e) }).start(base, { version: 1 });
    await c.swap(2, {
      lineage: withV2(),
      probation: {
        ms: 1000,
        onSettled: () => {
          throw new Error('listener bug');
        },
      },
    });
    const settled = c.probation!.settled;
    c.send({ type: 'BOOM' });
    expect(await settled).toMatchObject({ outcome: 'rolled-back' });
    expect(errors).toEqual([new Error('listener bug')]);
    expect([c.version, c.status]).toEqual([1, 'running']);
  });
});
