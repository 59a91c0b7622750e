/**
 * `runtime.swapAll`: which components it accepts, and a refused part leaving no trace of any new
 * version (G2). (Commit-all, refuse-all and the shared deadline are in coordinator.test.ts,
 * `describe('swapAll')`.)
 */
import { describe, expect, it } from 'vitest';
import { fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, startTimer } from '../../src/index.ts';
import { isSettled } from '../_support/async.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

describe('the components swapAll takes', () => {
  // Provenance: first review of the coordinator.
  it('a stopped component leaves the runtime, and swapAll refuses a component listed twice', async () => {
    const runtime = createRuntime();
    const a = runtime.start(driver, { version: 1 });
    await expect(runtime.swapAll([{ component: a, target: 2 }, { component: a, target: 3 }])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await a.stop();
    expect(runtime.components()).toEqual([]);
    const swap = runtime.swapAll([{ component: a, target: 2 }]);
    expect(await isSettled(swap.catch(() => undefined))).toBe(true);
    await expect(swap).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

// Provenance: second review of the coordinator.
describe('a refused swap leaves no trace of the new version', () => {
  it('timers the new actor started while installing are dropped when a sibling refuses (swapAll, G2)', async () => {
    const clock = new ManualClock();
    const armer = (v: number, arms: boolean) =>
      setup({
        actors: { arm: fromCallback(({ sendBack }) => { if (arms) sendBack({ type: 'ARM' }); }) },
        actions: { armTimer: startTimer('t', { delay: v === 1 ? 1000 : 5 }) },
      }).createMachine({ id: 'a', invoke: { id: 'arm', src: 'arm' }, initial: 'on', entry: 'armTimer', states: { on: { on: { ARM: { actions: 'armTimer' } } } } });
    const a = lineage('a', defineVersion({ version: 1, machine: armer(1, false), handlers: { t: () => ({ type: 'X' }) } })).next(
      defineVersion({ version: 2, machine: armer(2, true), handlers: { t: () => ({ type: 'X' }) } }),
      { up: (s) => s },
    );
    const runtime = createRuntime({ clock });
    const ca = runtime.start(a, { version: 1 });
    const { loader } = makeLoader({ v3FailingListener: true });
    const cb = runtime.start(loader, { version: 2 });
    expect(ca.ledger().timers).toMatchObject([{ name: 't', delayMs: 1000 }]);
    const all = await runtime.swapAll([{ component: ca, target: 2 }, { component: cb, target: 3 }]);
    expect(all.outcome).toBe('refused');
    expect(ca.version).toBe(1);
    expect(ca.ledger().timers).toMatchObject([{ name: 't', delayMs: 1000, remainingMs: 1000 }]);
  });
});
