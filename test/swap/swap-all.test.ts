/**
 * `runtime.swapAll`: which components it accepts, and a refused part leaving no trace of any new
 * version (G2). (Commit-all, refuse-all and the shared deadline are in coordinator.test.ts,
 * `describe('swapAll')`.) `swapAll` plans each part through the same checks as `swap` (one transaction,
 * one plan), and checks its arguments the same way.
 */
import { describe, expect, it } from 'vitest';
import { fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, startTimer } from '../../src/index.ts';
import { isSettled } from '../_support/async.ts';
import { driver, driverV1, driverV2Machine } from '../fixtures/driver.ts';
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

describe('a component stopping during a swapAll', () => {
  it('cuts the whole swapAll short: every part keeps its version, and stop() waits for the swapAll to let go', async () => {
    const runtime = createRuntime();
    const parts = [1, 2, 3].map(() => runtime.start(driver, { version: 1 }));
    const stopping = parts[1]!;
    let stopped: Promise<void> | undefined;
    let stoppedFirst = false;
    let stoppedBeforeRollback: boolean | undefined;
    const all = await runtime.swapAll(
      parts.map((component) => ({ component, target: 2 })),
      {
        onProgress: (p) => {
          // every part is paused now (events held); the stop must wait for the swapAll to release its lock
          if (p.stage === 'quiesce' && stopped === undefined) stopped = stopping.stop().then(() => void (stoppedFirst = true));
          if (p.stage === 'rollback' && p.done === p.total) stoppedBeforeRollback = stoppedFirst;
        },
      },
    );
    expect(stopped).toBeDefined();
    expect(stoppedBeforeRollback).toBe(false);
    expect(all.ok).toBe(false);
    expect(all.reports.map((r) => [r.outcome, r.blockers.map((b) => b.kind)])).toEqual([
      ['refused', ['aborted']],
      ['refused', ['aborted']],
      ['refused', ['aborted']],
    ]);
    // the first part to reach drain is refused with the stop's reason; the others are aborted with it
    expect(all.reports.every((r) => r.blockers[0]!.message.includes('the component is stopping'))).toBe(true);
    await stopped;
    expect(stopping.status).toBe('stopped');
    expect([parts[0]!.version, parts[2]!.version]).toEqual([1, 1]);
    expect([parts[0]!.status, parts[2]!.status]).toEqual(['running', 'running']);
    await runtime.stop();
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

/** Another lineage of the same name whose v2 is a different version object. */
const other = lineage('driver', driverV1).next(defineVersion({ version: 2, machine: driverV2Machine }), {
  up: ({ value, context }) => ({ value: value === 'busy' ? ('working' as const) : ('idle' as const), context: { ...context, retries: 0 } }),
});

describe('swapAll: the plan checks of swap', () => {
  it("refuses a version of another lineage exactly as swap does, and every part keeps its version", async () => {
    const runtime = createRuntime();
    const a = runtime.start(driver, { version: 1, id: 'a' });
    const b = runtime.start(driver, { version: 1, id: 'b' });
    const alone = await a.swap(other.get(2)!);
    expect(alone).toMatchObject({ outcome: 'refused', phase: 'plan' });

    const all = await runtime.swapAll([
      { component: a, target: other.get(2)! },
      { component: b, target: 2 },
    ]);
    expect(all.outcome).toBe('refused');
    expect(all.reports[0]).toMatchObject({ outcome: 'refused', phase: 'plan', blockers: alone.blockers });
    expect(all.reports[1]!.blockers.map((x) => x.kind)).toEqual(['aborted']);
    expect([a.version, b.version]).toEqual([1, 1]);

    // with the lineage it belongs to, the same request commits
    const ok = await runtime.swapAll([{ component: a, target: other.get(2)!, options: { lineage: other } }]);
    expect(ok.outcome).toBe('committed');
    await runtime.stop();
  });
});

describe('swapAll: misuse', () => {
  it('rejects a component listed twice, naming it', async () => {
    const runtime = createRuntime();
    const parts = Array.from({ length: 200 }, (_, i) => runtime.start(driver, { version: 1, id: `d${i}` }));
    const requests = [...parts, parts[150]!].map((component) => ({ component, target: 2 }));
    await expect(runtime.swapAll(requests)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: "Component 'd150' is listed twice in swapAll" });
    expect(parts.every((p) => p.version === 1 && p.status === 'running')).toBe(true);
    await runtime.stop();
  });

  it.each([
    ['a deadline past 2^31 − 1 ms', (c: never) => [[{ component: c, target: 2 }], { deadlineMs: Infinity }], 'Expected `options.deadlineMs` to be a number of ms from 0 to 2147483647, got `Infinity` (number)'],
    ['a signal that is no AbortSignal', (c: never) => [[{ component: c, target: 2 }], { signal: 'stop' }], "Expected `options.signal` to be an AbortSignal or absent, got `'stop'` (string)"],
    ['a per-part deadline (the call sets it)', (c: never) => [[{ component: c, target: 2, options: { deadlineMs: 5 } }]], 'Expected `requests[0].options.deadlineMs` to be absent (the `swapAll` call sets it for every part), got `5` (number)'],
    ['a target that is no version', (c: never) => [[{ component: c, target: null }]], 'Expected `requests[0].target` to be a version number or a version from `defineVersion()`, got `null` (null)'],
    ['a bad policy', (c: never) => [[{ component: c, target: 2, options: { policies: { timers: 'restart' } } }]], "Expected `requests[0].options.policies.timers` to be one of 'carry', 'cancel', 'block', got `'restart'` (string)"],
    ['requests that are no array', () => [null], 'Expected `requests` to be an array of { component, target }, got `null` (null)'],
    ['a part that is no component', () => [[{ component: {}, target: 2 }]], 'Expected `requests[0].component` to be a live component, got `[object Object]` (object)'],
  ])('rejects %s with INVALID_ARGUMENT', async (_, args, message) => {
    const runtime = createRuntime();
    const c = runtime.start(driver, { version: 1 });
    const [requests, options] = args(c as never) as [never, never];
    await expect(runtime.swapAll(requests, options)).rejects.toMatchObject({ name: 'HotswapError', code: 'INVALID_ARGUMENT', message });
    expect([c.version, c.status]).toEqual([1, 'running']);
    await runtime.stop();
  });
});
