/**
 * `runtime.swapRolling` (src/swap/swap-rolling.ts): a mass upgrade in batches of `swapAll`, with a
 * checkpoint after each batch that a rollout cut short resumes from — over the same request list,
 * skipping parts already at their target, so none is swapped twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, type LiveComponent, type RollingCheckpoint, type Runtime } from '../../src/index.ts';

const machine = (v: 1 | 2) =>
  setup({ types: { context: {} as { n: number }, events: {} as { type: 'INC' } } }).createMachine({
    id: 'job',
    context: { n: 0 },
    on: { INC: { actions: assign({ n: ({ context }) => context.n + v }) } },
  });
const jobs = lineage('job', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });

let runtime: Runtime | undefined;
afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});

function fleet(n: number): LiveComponent<any>[] {
  runtime = createRuntime();
  return Array.from({ length: n }, (_, i) => runtime!.start(jobs, { version: 1, id: `job-${String(i).padStart(2, '0')}` }));
}
const versions = (cs: readonly LiveComponent<any>[]): number[] => cs.map((c) => c.version);
const toV2 = (cs: readonly LiveComponent<any>[], target: number = 2) => cs.map((component) => ({ component, target }));
/** A checkpoint as it comes back from storage: through JSON. */
const stored = (cp: RollingCheckpoint): RollingCheckpoint => JSON.parse(JSON.stringify(cp)) as RollingCheckpoint;

describe('swapRolling', () => {
  it('swaps in batches and hands out a checkpoint after each', async () => {
    const cs = fleet(10);
    const checkpoints: RollingCheckpoint[] = [];
    const r = await runtime!.swapRolling(toV2(cs), { batchSize: 4, onCheckpoint: (cp) => void checkpoints.push(cp) });
    expect(r).toMatchObject({ ok: true, outcome: 'completed', batches: 3 });
    expect(versions(cs)).toEqual(Array(10).fill(2));
    expect(checkpoints.map((cp) => [cp.next, cp.after, cp.committed])).toEqual([
      [4, 'job-03', 4],
      [8, 'job-07', 8],
      [10, 'job-09', 10],
    ]);
    expect(r.checkpoint).toEqual(checkpoints.at(-1));
    expect(r.reports).toHaveLength(10);
    cs[0]!.send({ type: 'INC' });
    expect(cs[0]!.getSnapshot().context.n).toBe(2);
  });

  it('resumes from the last checkpoint saved when the rollout was cut short, and swaps no part twice', async () => {
    const cs = fleet(10);
    let saved: RollingCheckpoint | undefined;
    let saves = 0;
    // the process "crashes" while saving its third checkpoint: batches one to three committed, two saved
    const cut = await runtime!.swapRolling(toV2(cs), {
      batchSize: 3,
      onCheckpoint: (cp) => {
        if (++saves === 3) throw new Error('disk full');
        saved = stored(cp);
      },
    });
    expect(cut).toMatchObject({ ok: false, outcome: 'stopped', reason: 'onCheckpoint failed: disk full' });
    expect(saved).toMatchObject({ next: 6, after: 'job-05', committed: 6 });
    expect(versions(cs)).toEqual([2, 2, 2, 2, 2, 2, 2, 2, 2, 1]);
    const journaled = (await runtime!.journal.entries()).length;
    const resumed = await runtime!.swapRolling(toV2(cs), { batchSize: 3, resumeFrom: saved! });
    expect(resumed).toMatchObject({ ok: true, outcome: 'completed', batches: 1 });
    // the batch whose checkpoint was lost was already at v2: skipped, not swapped again
    expect(resumed.checkpoint).toEqual({ next: 10, after: 'job-09', committed: 7, skipped: 3, refused: [] });
    expect(versions(cs)).toEqual(Array(10).fill(2));
    expect((await runtime!.journal.entries()).length - journaled).toBe(1);
  });

  it('stops at a refused batch, all or none within it, with a checkpoint that retries it', async () => {
    const cs = fleet(6);
    const requests = toV2(cs).map((r, i) => (i === 3 ? { ...r, target: 7 } : r)); // job-03: no version 7
    const r = await runtime!.swapRolling(requests, { batchSize: 2 });
    expect(r).toMatchObject({ ok: false, outcome: 'stopped', batches: 2 });
    expect(r.reason).toMatch(/^a batch of 2 was refused \(first: 'job-03': /);
    expect(r.checkpoint).toMatchObject({ next: 2, after: 'job-01', committed: 2 });
    expect(versions(cs)).toEqual([2, 2, 1, 1, 1, 1]);
  });

  it("goes on past a refused batch under onRefusal: 'continue', listing its parts", async () => {
    const cs = fleet(6);
    const requests = toV2(cs).map((r, i) => (i === 3 ? { ...r, target: 7 } : r));
    const r = await runtime!.swapRolling(requests, { batchSize: 2, onRefusal: 'continue' });
    expect(r).toMatchObject({ ok: false, outcome: 'completed', batches: 3 });
    expect(r.checkpoint).toEqual({ next: 6, after: 'job-05', committed: 4, skipped: 0, refused: ['job-02', 'job-03'] });
    expect(versions(cs)).toEqual([2, 2, 1, 1, 2, 2]);
  });

  it('ends with outcome aborted when its signal fires between batches', async () => {
    const cs = fleet(6);
    const controller = new AbortController();
    const r = await runtime!.swapRolling(toV2(cs), { batchSize: 2, signal: controller.signal, onCheckpoint: () => controller.abort('maintenance window over') });
    expect(r).toMatchObject({ ok: false, outcome: 'aborted', reason: 'maintenance window over', batches: 1 });
    expect(r.checkpoint.next).toBe(2);
    expect(versions(cs)).toEqual([2, 2, 1, 1, 1, 1]);
  });

  it('refuses bad options and a checkpoint of another request list with INVALID_ARGUMENT', async () => {
    const cs = fleet(4);
    await expect(runtime!.swapRolling(toV2(cs), { batchSize: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'Expected `options.batchSize` to be a positive integer, got `0` (number)' });
    await expect(runtime!.swapRolling(toV2(cs), { onRefusal: 'skip' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const other: RollingCheckpoint = { next: 2, after: 'job-07', committed: 2, skipped: 0, refused: [] };
    await expect(runtime!.swapRolling(toV2(cs), { resumeFrom: other })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: "The request list changed since the checkpoint: request 1 is 'job-01', the checkpoint says 'job-07'",
    });
    await expect(runtime!.swapRolling(toV2(cs), { resumeFrom: { next: 9 } as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(versions(cs)).toEqual([1, 1, 1, 1]);
  });
});
