/**
 * A swap asked for from inside the component's own processing (an action, an observer): the XState
 * step in progress finishes on the old version first, so no event is lost and no old code runs after
 * the commit (G1, G4).
 */
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, type LiveComponent, type SwapReport } from '../../src/index.ts';

const same = { up: ({ value, context }: { value: any; context: any }) => ({ value, context }) };

// Provenance: third review (2026-11-22), after the swap path was made synchronous where nothing must wait.
describe('a swap asked for from inside the component\'s own processing', () => {
  it('from an action: the event being processed is not lost, and no old code runs after the commit (G1, G4)', async () => {
    const log: string[] = [];
    const ref: { c?: LiveComponent } = {};
    let pending: Promise<SwapReport> | undefined;
    const machine = (v: number) =>
      setup({ types: { context: {} as { n: number }, events: {} as { type: 'GO' } } }).createMachine({
        id: `g${v}`,
        context: { n: 0 },
        initial: 'a',
        states: {
          a: {
            on: {
              GO: {
                target: 'b',
                actions: [
                  assign({ n: ({ context }) => context.n + 1 }),
                  () => void (pending ??= ref.c!.swap(2)),
                  () => log.push(`v${v} action, component at v${ref.c!.version}`),
                ],
              },
            },
          },
          b: { entry: () => log.push(`v${v} entered b, component at v${ref.c!.version}`) },
        },
      });
    const l = lineage('g', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), same);
    const c = (ref.c = createRuntime().start(l, { version: 1 }) as unknown as LiveComponent);
    c.send({ type: 'GO' });
    const report = await pending!;
    expect(report.outcome).toBe('committed');
    expect(c.getSnapshot()).toMatchObject({ value: 'b', context: { n: 1 } });
    expect(log).toEqual(['v1 action, component at v1', 'v1 entered b, component at v1']);
  });

  it('from an observer: an event the old actor had queued for itself is processed, and observers end on the current snapshot', async () => {
    const ref: { c?: LiveComponent } = {};
    const machine = (v: number) =>
      setup({ types: { context: {} as { seen: string[] }, events: {} as { type: 'GO' } | { type: 'NEXT' } } }).createMachine({
        id: `q${v}`,
        context: { seen: [] },
        initial: 'a',
        states: {
          a: { on: { GO: { target: 'b', actions: [assign({ seen: ({ context }) => [...context.seen, `v${v}:GO`] }), () => ref.c!.send({ type: 'NEXT' })] } } },
          b: { on: { NEXT: { target: 'c', actions: assign({ seen: ({ context }) => [...context.seen, `v${v}:NEXT`] }) } } },
          c: {},
        },
      });
    const l = lineage('q', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), same);
    const c = (ref.c = createRuntime().start(l, { version: 1 }) as unknown as LiveComponent);
    let pending: Promise<SwapReport> | undefined;
    c.subscribe((s: { value: unknown }) => {
      if (s.value === 'b') pending ??= c.swap(2);
    });
    let last: unknown;
    c.subscribe((s: unknown) => (last = s));
    c.send({ type: 'GO' });
    expect((await pending!).outcome).toBe('committed');
    expect(c.getSnapshot()).toMatchObject({ value: 'c', context: { seen: ['v1:GO', 'v1:NEXT'] } });
    expect(last).toBe(c.getSnapshot());
  });
});
