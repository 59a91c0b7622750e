/**
 * Old code is released: N reloads of a worker-hosted plugin module holding ~8 MB of module-level
 * data leave the main thread's heap (after a full GC) where it was, while the same loop in-process
 * (cache-busted import + extend + swap) keeps every module. Each loop runs in a child node of its
 * own, with --expose-gc and an untouched heap: the measurement bench/reload.ts reports.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const loop = fileURLToPath(new URL('../../bench/_internal/reload-loop.ts', import.meta.url));
const RELOADS = 10;

interface LoopResult {
  readonly growthMb: number;
  readonly hitsOk: boolean;
  readonly pausesUs: readonly number[];
}

async function measure(mode: 'worker' | 'inprocess'): Promise<LoopResult> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', loop, mode, String(RELOADS)], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as LoopResult;
}

describe('old code released', () => {
  it(`keeps the main heap flat over ${RELOADS} worker-hosted reloads, where the in-process loop grows`, { timeout: 300_000 }, async () => {
    const worker = await measure('worker');
    const inprocess = await measure('inprocess');
    expect(worker.hitsOk && inprocess.hitsOk).toBe(true); // every reload committed and kept the state
    expect(worker.pausesUs).toHaveLength(RELOADS);
    // ~8 MB per module: in-process keeps (nearly) all of them; the worker-hosted loop keeps none
    expect(inprocess.growthMb).toBeGreaterThan(RELOADS * 4);
    expect(worker.growthMb).toBeLessThan(4);
    expect(worker.growthMb).toBeLessThan(inprocess.growthMb / 10);
  });
});
