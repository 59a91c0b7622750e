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

describe('runtime.tryStart, the result form of start', () => {
  it('returns the started component, hosted by the runtime and serving events', () => {
    const runtime = createRuntime();
    const r = runtime.tryStart(driver, { version: 2 });
    if (!r.ok) throw new Error(`expected a start, got ${r.error.message}`);
    r.component.send({ type: 'ENQUEUE', id: 'a' });
    expect(r.component.getSnapshot().context.queue).toEqual(['a']);
    expect(runtime.components()).toEqual([r.component]);
  });

  it('returns a refused start as START_REFUSED with its blockers, and starts nothing', () => {
    const clock = new ManualClock();
    const runtime = createRuntime({ clock });
    const { loader } = makeLoader();
    const r = runtime.tryStart(loader, { version: 3, timers: [{ kind: 'timer', id: 'refresh', handler: 'refresh', payload: 'a', delayMs: 500, remainingMs: 100 }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({ code: 'START_REFUSED', message: expect.stringContaining("v3 defines no handler 'refresh'") });
    expect(r.blockers.length).toBeGreaterThan(0);
    expect(r.blockers).toEqual((r.error.details as { blockers: unknown }).blockers);
    expect(runtime.components()).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('returns bad input as its coded error with no blockers: not a lineage, an unknown version, a missing envelope', () => {
    const runtime = createRuntime();
    expect(runtime.tryStart({ name: 'driver' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' }, blockers: [] });
    expect(runtime.tryStart(driver, { version: 9 })).toMatchObject({ ok: false, error: { code: 'UNKNOWN_VERSION', details: { version: 9 } }, blockers: [] });
    expect(runtime.tryStart(driver, { envelope: undefined })).toMatchObject({ ok: false, error: { code: 'INVALID_ARGUMENT' } });
    expect(runtime.components()).toEqual([]);
  });

  it('a machine that fails on start is a START_REFUSED result, with no timer left behind', () => {
    const clock = new ManualClock();
    const m = setup({ actions: { arm: startTimer('t', { delay: 5 }), boom: () => { throw new Error('entry boom'); } } }).createMachine({ id: 'f', entry: ['arm', 'boom'] });
    const l = lineage('f', defineVersion({ version: 1, machine: m, handlers: { t: () => ({ type: 'X' }) } }));
    expect(createRuntime({ clock }).tryStart(l)).toMatchObject({ ok: false, error: { code: 'START_REFUSED' } });
    expect(clock.pending).toBe(0);
  });
});
