/**
 * Defects found by the sixth internal review (the second pass over actor refs), each reproduced first.
 */
import { describe, expect, it } from 'vitest';
import { type AnyActorRef, type AnyStateMachine, assign, fromCallback, setup } from 'xstate';
import { createRuntime, defineVersion, lineage } from '../../src/index.ts';

describe('review 6 regressions', () => {
  it('R1: an object holding a ref, shared into a large frozen list, is not taken for ref-free (the swap commits, both places revived)', async () => {
    const pinger = fromCallback(() => () => undefined);
    type Ctx = { job: { worker: AnyActorRef | undefined }; jobs: { n: number; worker?: AnyActorRef }[] };
    const m = (v: number) =>
      setup({ types: { context: {} as Ctx }, actors: { pinger } }).createMachine({
        id: `m${v}`,
        context: ({ spawn }) => ({ job: { worker: spawn('pinger', { id: 'p' }) }, jobs: Array.from({ length: 300 }, (_, n) => ({ n })) }),
      });
    const l = lineage('shared-list', defineVersion({ version: 1, machine: m(1) })).next(defineVersion({ version: 2, machine: m(2) }), {
      up: ({ value, context }) => ({ value, context: { job: context.job, jobs: [...context.jobs, context.job as never] } }),
      down: (s) => s,
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome, JSON.stringify(report.blockers)).toBe('committed');
    const s = c.getSnapshot() as unknown as { context: Ctx; children: Record<string, AnyActorRef> };
    expect(s.context.job.worker).toBe(s.children['p']);
    expect(s.context.jobs[300]).toBe(s.context.job);
  });

  it('R2: a child that errors while starting, handled by the new version, does not refuse the install', async () => {
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

  it("R3: a child machine's own child whose src its new logic lacks is a blocker (XState would drop it silently)", async () => {
    const helper = fromCallback(() => () => undefined);
    const worker1 = setup({ types: { context: {} as { h: AnyActorRef | undefined } }, actors: { helper } }).createMachine({
      id: 'worker',
      context: ({ spawn }) => ({ h: spawn('helper', { id: 'hp' }) }),
    });
    const worker2 = setup({ types: { context: {} as { h: AnyActorRef | undefined } } }).createMachine({ id: 'worker', context: { h: undefined } });
    const host = (worker: AnyStateMachine) => setup({ actors: { worker } }).createMachine({ id: 'host', invoke: { src: 'worker', id: 'w' } });
    const l = lineage('grandchild', defineVersion({ version: 1, machine: host(worker1) })).next(defineVersion({ version: 2, machine: host(worker2) }), {
      up: (s) => s,
      down: (s) => s,
    });
    const c = createRuntime().start(l, { version: 1 });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'unresolvable-child', child: 'w/hp', src: 'helper' })]);
  });
});
