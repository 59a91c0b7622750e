/**
 * `runtime.start` (src/runtime/runtime.ts): a start it refuses starts nothing — no actor, no timer — and
 * says why with `START_REFUSED` or the argument's code. (Starting from snapshots and envelopes that
 * verify is in coordinator.test.ts, `describe('persist and start')` and `describe('start from an envelope')`.)
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock, startTimer } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

// Provenance: second review of the coordinator.
describe('runtime.start refusals start nothing', () => {
  it('a machine that arms a timer and then fails on start leaves no timer behind', () => {
    const clock = new ManualClock();
    const m = setup({ actions: { arm: startTimer('t', { delay: 5 }), boom: () => { throw new Error('entry boom'); } } }).createMachine({ id: 'f', entry: ['arm', 'boom'] });
    const l = lineage('f', defineVersion({ version: 1, machine: m, handlers: { t: () => ({ type: 'X' }) } }));
    expect(() => createRuntime({ clock }).start(l)).toThrowError(expect.objectContaining({ code: 'START_REFUSED' }));
    expect(clock.pending).toBe(0);
    expect(() => clock.advance(10)).not.toThrow();
  });

  it('delayed events without the snapshot that scheduled them are refused, not dropped (G5)', () => {
    const { loader } = makeLoader();
    expect(() =>
      createRuntime().start(loader, { version: 1, timers: [{ kind: 'delay', id: 'xstate.after.1000.loader.ready', event: { type: 'xstate.after.1000.loader.ready' }, delayMs: 1000, remainingMs: 5 }] }),
    ).toThrowError(expect.objectContaining({ code: 'START_REFUSED', message: expect.stringContaining('needs the snapshot that scheduled it') }));
  });

  it('timer delays Node cannot keep are refused before anything starts, by the rule startTimer uses', () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    expect(() =>
      createRuntime({ clock }).start(loader, { version: 1, timers: [{ kind: 'timer', id: 'refresh', handler: 'refresh', payload: 'a', delayMs: 2 ** 31, remainingMs: 2 ** 31 }] }),
    ).toThrowError(expect.objectContaining({ code: 'START_REFUSED', message: expect.stringContaining('must be from 0 to 2147483647 ms') }));
    expect(clock.pending).toBe(0);
  });

  it('a runtime timer whose handler the version does not define is refused, naming the handler', () => {
    const clock = new ManualClock();
    const { loader } = makeLoader();
    expect(() =>
      createRuntime({ clock }).start(loader, { version: 3, timers: [{ kind: 'timer', id: 'refresh', handler: 'refresh', payload: 'a', delayMs: 500, remainingMs: 100 }] }),
    ).toThrowError(expect.objectContaining({ code: 'START_REFUSED', message: expect.stringContaining("v3 defines no handler 'refresh'") }));
    expect(clock.pending).toBe(0);
  });

  it('refuses `envelope: undefined` (a failed load passed on) instead of starting fresh', () => {
    const { loader } = makeLoader();
    expect(() => createRuntime().start(loader, { envelope: undefined })).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses what is not a lineage, and a version the lineage does not have, with their codes', () => {
    const runtime = createRuntime();
    expect(() => runtime.start({ name: 'driver' } as never)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => runtime.start(driver, { version: 9 })).toThrowError(expect.objectContaining({ code: 'UNKNOWN_VERSION', details: { version: 9 } }));
    expect(runtime.components()).toEqual([]);
  });
});

describe('runtime.start', () => {
  it('starts the lineage’s current version by default, with a generated id per instance', () => {
    const runtime = createRuntime();
    const a = runtime.start(driver);
    const b = runtime.start(driver, { version: 1, id: 'mine' });
    expect(a.version).toBe(driver.current.version);
    expect(a.id).toMatch(/^driver#\d+$/);
    expect(b.id).toBe('mine');
    expect(runtime.components()).toEqual([a, b]);
  });
});
