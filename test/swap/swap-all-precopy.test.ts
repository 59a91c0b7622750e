/**
 * `swapAll` pre-copies each part before any part pauses, as `swap` does (src/swap/precopy.ts): a part
 * with a big state walks it in slices while every part keeps serving, and an abort during the walk
 * refuses every part with nothing held. No timing asserts: the big state spans several slices by size.
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../../src/index.ts';
import { PRECOPY_SYNC_MEMBERS } from '../../src/swap/precopy.ts';

interface Row {
  id: number;
  name: string;
}
type Ctx = { n: number; rows: Row[] };
const machine = (v: 1 | 2) =>
  setup({ types: { context: {} as Ctx, events: {} as { type: 'INC' }, input: {} as { rows?: Row[] } } }).createMachine({
    id: `big-v${v}`,
    context: ({ input }) => ({ n: 0, rows: input.rows ?? [] }),
    on: { INC: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
  });
const big = lineage('big', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });
// far more members than the walk reads in the swap's own turn: the pre-copy takes slices
const rows = (): Row[] => Array.from({ length: 4 * PRECOPY_SYNC_MEMBERS }, (_, id) => ({ id, name: `row-${id}` }));
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('swapAll pre-copies before any part pauses', () => {
  it('walks a big part in slices while every part serves, then commits them all', async () => {
    const runtime = createRuntime();
    const a = runtime.start(big, { version: 1, id: 'a', input: { rows: rows() } });
    const b = runtime.start(big, { version: 1, id: 'b', input: {} });
    let servedAt: number | undefined;
    void turn().then(() => {
      // the swapAll is under way (a's pre-copy yielded): b is not paused, its event runs at once
      b.send({ type: 'INC' });
      servedAt = b.getSnapshot().context.n;
    });
    const all = await runtime.swapAll([
      { component: a, target: 2 },
      { component: b, target: 2 },
    ]);
    expect(all.outcome).toBe('committed');
    expect(servedAt).toBe(1);
    expect(all.reports[0]!.precopyUs).toBeGreaterThan(0);
    expect([a.version, b.version]).toEqual([2, 2]);
    expect(b.getSnapshot().context.n).toBe(1);
    expect(a.getSnapshot().context.rows).toHaveLength(4 * PRECOPY_SYNC_MEMBERS);
    await runtime.stop();
  });

  it('an abort during the pre-copy refuses every part, none of them paused', async () => {
    const runtime = createRuntime();
    const a = runtime.start(big, { version: 1, id: 'a', input: { rows: rows() } });
    const b = runtime.start(big, { version: 1, id: 'b', input: {} });
    const controller = new AbortController();
    let servedAt: number | undefined;
    void turn().then(() => {
      b.send({ type: 'INC' });
      servedAt = b.getSnapshot().context.n;
      controller.abort('operator said stop');
    });
    const all = await runtime.swapAll(
      [
        { component: a, target: 2 },
        { component: b, target: 2 },
      ],
      { signal: controller.signal },
    );
    expect(all.outcome).toBe('refused');
    expect(servedAt).toBe(1);
    expect(all.reports[0]!.phase).toBe('quiesce');
    expect(all.reports.every((r) => r.blockers.length > 0 && r.blockers.every((x) => x.kind === 'aborted'))).toBe(true);
    expect(all.reports.every((r) => r.held === 0 && r.pauseUs === 0)).toBe(true);
    expect([a.version, b.version]).toEqual([1, 1]);
    await runtime.stop();
  });
});
