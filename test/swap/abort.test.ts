/**
 * The caller's abort signal: a swap it aborts is refused as `aborted`, in whatever phase it fires, and
 * the old version keeps serving.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, type Blocker } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';

const kinds = (blockers: readonly Blocker[]) => blockers.map((b) => b.kind);

// Provenance: reproduced defects of the first review of the coordinator.
describe('the abort signal', () => {
  it('refuses at once when already aborted, even if the component is quiescent', async () => {
    const c = createRuntime().start(driver, { version: 1 });
    const report = await c.swap(2, { signal: AbortSignal.abort() });
    expect(report.outcome).toBe('refused');
    expect(report.blockers.map((b) => b.message)).toEqual(['aborted: the swap was aborted by its signal']);
    expect(c.version).toBe(1);
  });

  it('reports an abort during preconditions as aborted, not as a timeout', async () => {
    const controller = new AbortController();
    const c = createRuntime().start(driver, { version: 1 });
    const swap = c.swap(2, { signal: controller.signal, deadlineMs: 5000, preconditions: { slow: () => new Promise(() => undefined) } });
    controller.abort();
    const report = await swap;
    expect(kinds(report.blockers)).toEqual(['aborted']);
  });
});
