/**
 * `swapAll` over many parts lets the event loop run between slices of work (src/swap/swap-all.ts),
 * reports its progress, and still commits all or none: what arrives while it yields is checked again
 * at the commit. No timing asserts: each part's migration is made to outlast a slice.
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, type SwapAllProgress } from '../../src/index.ts';
import { SWAP_ALL_SLICE_MS } from '../../src/swap/swap-all.ts';

type Ev = { type: 'INC' } | { type: 'OLD_ONLY' };
const machine = (v: 1 | 2) =>
  setup({ types: { context: {} as { n: number }, events: {} as Ev } }).createMachine({
    id: 'slow',
    context: { n: 0 },
    on: v === 1 ? { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) }, OLD_ONLY: { actions: assign({ n: -1 }) } } : { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
/** A migration that outlasts one slice, so the swapAll yields after every part. */
const slowUp = <S>(s: S): S => {
  const until = performance.now() + SWAP_ALL_SLICE_MS + 2;
  while (performance.now() < until);
  return s;
};
const slow = lineage('slow', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: slowUp });

describe('swapAll in slices', () => {
  it('lets the event loop run between parts, reports progress, and commits every part', async () => {
    const runtime = createRuntime();
    const parts = Array.from({ length: 4 }, (_, i) => runtime.start(slow, { version: 1, id: `s${i}` }));
    const progress: SwapAllProgress[] = [];
    const ranDuring: number[] = [];
    const tick = (): void => {
      ranDuring.push(progress.filter((p) => p.stage === 'install').length);
      if (progress.at(-1)?.stage !== 'journal') setImmediate(tick);
    };
    setImmediate(tick);
    const all = await runtime.swapAll(parts.map((component) => ({ component, target: 2 })), { onProgress: (p) => void progress.push(p) });
    expect(all.outcome).toBe('committed');
    expect(parts.map((c) => c.version)).toEqual([2, 2, 2, 2]);
    // the loop ran while parts were still being installed
    expect(ranDuring.some((n) => n > 0 && n < 4)).toBe(true);
    const installs = progress.filter((p) => p.stage === 'install');
    expect(installs.map((p) => p.done)).toEqual([1, 2, 3, 4]);
    expect(installs.every((p) => p.total === 4)).toBe(true);
    expect(progress.map((p) => p.stage)).toEqual(expect.arrayContaining(['plan', 'quiesce', 'install', 'commit', 'journal']));
    expect(all.blockUs).toBeGreaterThanOrEqual(0);
    await runtime.stop();
  });

  it('refuses every part when an event held while it yielded is one the new version does not take (G5)', async () => {
    const runtime = createRuntime();
    const parts = Array.from({ length: 3 }, (_, i) => runtime.start(slow, { version: 1, id: `s${i}` }));
    let sent = false;
    const all = await runtime.swapAll(parts.map((component) => ({ component, target: 2 })), {
      onProgress: (p) => {
        // after the first part is installed, before the commit: the event is held for part 0
        if (p.stage === 'install' && p.done === 1 && !sent) {
          sent = true;
          parts[0]!.send({ type: 'OLD_ONLY' });
        }
      },
    });
    expect(sent).toBe(true);
    expect(all.outcome).toBe('refused');
    expect(all.reports[0]!.blockers).toMatchObject([{ kind: 'unaccepted-event', event: 'OLD_ONLY' }]);
    expect(all.reports.slice(1).every((r) => r.blockers.every((b) => b.kind === 'aborted'))).toBe(true);
    // every part kept its version; the held event reached the old one
    expect(parts.map((c) => c.version)).toEqual([1, 1, 1]);
    expect(parts[0]!.getSnapshot().context.n).toBe(-1);
    await runtime.stop();
  });

  it('refuses a progress callback that is not a function, and survives one that throws', async () => {
    const runtime = createRuntime();
    const c = runtime.start(slow, { version: 1 });
    await expect(runtime.swapAll([{ component: c, target: 2 }], { onProgress: 'yes' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const all = await runtime.swapAll([{ component: c, target: 2 }], {
      onProgress: () => {
        throw new Error('observer bug');
      },
    });
    expect(all.outcome).toBe('committed');
    await runtime.stop();
  });

  it('checks its arguments in slices too, and a bad part found after a yield still refuses the call before anything starts', async () => {
    const runtime = createRuntime();
    const parts = Array.from({ length: 3 }, (_, i) => runtime.start(slow, { version: 1, id: `c${i}` }));
    // options whose check outlasts a slice: reading `policies` spins past SWAP_ALL_SLICE_MS
    const slowToCheck = (): object => ({
      get policies() {
        slowUp(0);
        return undefined;
      },
    });
    const progress: SwapAllProgress[] = [];
    let ticks = 0;
    let ticksBeforePlan = -1;
    let on = true;
    const tick = (): void => {
      ticks++;
      if (on) setImmediate(tick);
    };
    setImmediate(tick);
    const all = await runtime.swapAll(parts.map((component) => ({ component, target: 2, options: slowToCheck() })), {
      onProgress: (p) => {
        if (progress.length === 0) ticksBeforePlan = ticks;
        progress.push(p);
      },
    });
    expect(all.outcome).toBe('committed');
    // the loop ran between the parts' checks, before any part was planned
    expect(ticksBeforePlan).toBeGreaterThanOrEqual(2);
    expect(progress[0]!.stage).toBe('plan');

    // the last part is listed twice: found after the loop ran, the call still rejects and nothing moved
    ticks = 0;
    const twice = [...parts.map((component) => ({ component, target: 1, options: slowToCheck() })), { component: parts[2]!, target: 1 }];
    await expect(runtime.swapAll(twice)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('listed twice') });
    expect(ticks).toBeGreaterThanOrEqual(2);
    expect(parts.map((c) => c.version)).toEqual([2, 2, 2]);
    expect(parts.every((c) => c.status === 'running')).toBe(true);
    on = false;
    await runtime.stop();
  });
});
