/**
 * Rehearsals in the runtime's piscina pool: the same findings as inline (the same step functions run
 * in the worker), inline with a reason when the lineage cannot travel, and the pool's gates — closed
 * with the runtime, no respawn after it, queued tasks refused. A large state is rehearsed in the pool
 * while the main thread keeps serving; the longest main-thread block of each way is printed (numbers
 * only: timing targets live in bench/rehearse.ts).
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.ts';
import { RehearsalPool } from '../../src/swap/_internal/rehearse-pool.ts';
import { base, buggy, count, forgetful, good } from './_support/pool-lineages.ts';

const module = new URL('./_support/pool-lineages.ts', import.meta.url);
/** A rehearsal without what differs between two runs of it (times, and where it ran). */
const findings = (r: object): object => {
  const rest: Record<string, unknown> = { ...r };
  for (const key of ['totalUs', 'timings', 'ranIn', 'inlineReason']) delete rest[key];
  return rest;
};

describe('rehearseInPool', () => {
  it('finds what the inline rehearsal finds, for a good swap and a refused one', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1 });
    c.send({ type: 'INC' });
    try {
      const ok = await c.rehearseInPool(2, { lineage: good, module, export: 'good' });
      expect(ok).toMatchObject({ ok: true, ranIn: 'pool' });
      expect(findings(ok)).toEqual(findings(c.rehearse(2, { lineage: good })));
      const refused = await c.rehearseInPool(2, { lineage: forgetful, module, export: 'forgetful' });
      expect(refused).toMatchObject({ ok: false, phase: 'verify', ranIn: 'pool', blockers: [{ kind: 'missing-field' }] });
      expect(findings(refused)).toEqual(findings(c.rehearse(2, { lineage: forgetful })));
    } finally {
      await runtime.stop();
    }
  });

  it('replays in the pool with a projection named by export', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1, shadow: { events: 8 } });
    for (let i = 0; i < 6; i++) c.send({ type: 'INC' });
    try {
      const r = await c.rehearseInPool(2, { lineage: buggy, module, export: 'buggy', replay: true, projectExport: 'count' });
      expect(r).toMatchObject({ ok: false, phase: 'replay', ranIn: 'pool', replay: { divergence: { index: 3, old: 4, new: 5 } } });
      expect(findings(r)).toEqual(findings(c.rehearse(2, { lineage: buggy, replay: true, project: count })));
    } finally {
      await runtime.stop();
    }
  });

  it('runs inline, and says why, when the lineage or the projection cannot travel', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1, shadow: { events: 8 } });
    c.send({ type: 'INC' });
    try {
      const r = await c.rehearseInPool(2, { lineage: good, module, export: 'forgetful' });
      expect(r).toMatchObject({ ok: true, ranIn: 'inline', inlineReason: expect.stringContaining("the lineage is not export 'forgetful'") });
      const p = await c.rehearseInPool(2, { lineage: good, module, export: 'good', replay: true, project: (s) => s.context });
      expect(p).toMatchObject({ ok: true, ranIn: 'inline', inlineReason: expect.stringContaining('a function cannot travel') });
      await expect(c.rehearseInPool(2, { lineage: good, module: 'relative.ts' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    } finally {
      await runtime.stop();
    }
  });

  it('is closed with the runtime: a queued rehearsal is refused with POOL_CLOSED, and no worker starts again', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1 });
    const queued = [1, 2, 3].map(() => c.rehearseInPool(2, { lineage: good, module, export: 'good' }));
    await new Promise((r) => setTimeout(r, 0)); // past their module import, in the pool's queue
    const outcomes = Promise.allSettled(queued); // handled before the close rejects any
    await runtime.stop();
    const settled = await outcomes;
    // whichever had finished before the close resolved; the rest are refused, typed
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toMatchObject({ code: 'POOL_CLOSED' });
    // the component is stopped now: refused at plan, before any worker
    expect(await c.rehearseInPool(2, { lineage: good, module, export: 'good' })).toMatchObject({ ok: false, phase: 'plan', ranIn: 'inline' });
  });

  it('refuses a task after close() rather than respawning workers (piscina would)', async () => {
    const pool = new RehearsalPool();
    await pool.close();
    await expect(pool.run({ module: module.href, lineageExport: 'good', from: 1, to: 2, state: new Uint8Array() })).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });

  it('rehearses a large state in the pool while the main thread keeps serving', async () => {
    const runtime = createRuntime();
    // a large context (~4 MB as JSON): migrate freezes it, verify walks it
    const big = Array.from({ length: 60_000 }, (_, i) => ({ id: i, name: `item ${i}`, tags: ['a', 'b'] }));
    const fresh = runtime.start(base, { version: 1 }).getPersistedSnapshot() as unknown as { context: object };
    const c = runtime.start(base, { version: 1, snapshot: { ...fresh, context: { n: 0, big } } as never });
    const l = { lineage: good, module };
    try {
      const longestBlock = async (run: () => Promise<unknown>): Promise<number> => {
        let last = performance.now();
        let longest = 0;
        const tick = setInterval(() => {
          const now = performance.now();
          longest = Math.max(longest, now - last);
          last = now;
        }, 1);
        await run();
        clearInterval(tick);
        return Math.max(longest, performance.now() - last);
      };
      let pooled: unknown;
      let inline: unknown;
      await c.rehearseInPool(2, { lineage: l.lineage, module: l.module, export: 'good' }); // warm the worker
      const poolMs = await longestBlock(async () => void (pooled = await c.rehearseInPool(2, { lineage: l.lineage, module: l.module, export: 'good' })));
      const inlineMs = await longestBlock(async () => void (inline = c.rehearse(2, { lineage: l.lineage })));
      console.log(`large state (${big.length} items): longest main-thread block ${poolMs.toFixed(1)} ms in the pool, ${inlineMs.toFixed(1)} ms inline`);
      expect(pooled).toMatchObject({ ok: true, ranIn: 'pool' });
      expect(pooled).not.toHaveProperty('inlineReason');
      expect(findings(pooled as object)).toEqual(findings(inline as object));
    } finally {
      await runtime.stop();
    }
  });
});
