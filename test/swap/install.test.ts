/**
 * The install phase: a new actor that XState creates but reports as failed (a child that cannot be
 * restored, a status rather than a throw) refuses the swap and leaves the old version serving; a child
 * that fails while starting, handled by the new version itself, does not. (A new version that fails
 * while starting is in xstate-pitfalls.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { type AnyStateMachine, assign, fromCallback, sendTo, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../../src/index.ts';

describe('install', () => {
  // Provenance: fifth internal review (the actor-ref fixes of the fourth), N3.
  it('a child that fails to restore in the new version refuses the install (XState reports it only as a status)', async () => {
    const worker1 = setup({}).createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { GO: 'busy' } }, busy: {} } });
    const worker2 = setup({}).createMachine({ id: 'worker', initial: 'idle', states: { idle: { on: { GO: 'working' } }, working: {} } });
    const host = (worker: AnyStateMachine) =>
      setup({ actors: { worker } }).createMachine({ id: 'host', invoke: { src: 'worker', id: 'w' }, on: { GO: { actions: sendTo('w', { type: 'GO' }) } } });
    const l = lineage('child-error', defineVersion({ version: 1, machine: host(worker1) })).next(defineVersion({ version: 2, machine: host(worker2) }), {
      up: (s) => s,
      down: (s) => s,
    });
    const runtime = createRuntime({ onError: () => undefined });
    const c = runtime.start(l, { version: 1 });
    c.send({ type: 'GO' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers[0]).toMatchObject({ kind: 'install-failed', version: 2 });
    expect(report.blockers[0]!.message).toMatch(/child 'w' failed to restore: Error: State 'busy' does not exist/);
    expect(c.version).toBe(1);
    expect(() => runtime.start(l, { envelope: c.persist(), version: 2 })).toThrow(/child 'w' failed to restore/);
    await runtime.stop();
  });

  // Provenance: sixth internal review (second pass over actor refs), R2.
  it('a child that errors while starting, handled by the new version, does not refuse the install', async () => {
    let available = true;
    const feed = fromCallback(() => {
      if (!available) throw new Error('feed unavailable');
      return () => undefined;
    });
    const host = (v: number) =>
      setup({ types: { context: {} as { degraded: boolean } }, actors: { feed } }).createMachine({
        id: `host${v}`,
        context: { degraded: false },
        initial: 'live',
        states: { live: { invoke: { src: 'feed', id: 'f', onError: { actions: assign({ degraded: true }) } } } },
      });
    const l = lineage('feed', defineVersion({ version: 1, machine: host(1) })).next(defineVersion({ version: 2, machine: host(2) }), { up: (s) => s, down: (s) => s });
    const c = createRuntime({ onError: () => undefined }).start(l, { version: 1 });
    available = false;
    const report = await c.swap(2);
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    expect((c.getSnapshot() as { context: { degraded: boolean } }).context.degraded).toBe(true);
  });
});
