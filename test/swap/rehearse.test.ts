/**
 * Rehearsal: a swap's plan, drain decision, migrate and verify run on a copy without pausing the
 * component, and refuse with what the swap would; `swap(…, { rehearse })` refuses before anything
 * pauses. Shadow replay: recorded events through both versions, the first divergence reported.
 */
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, HotswapError, lineage } from '../../src/index.ts';
import { base, withV2 } from './_support/rehearse-lineage.ts';

const count = ({ context }: { context: unknown }): unknown => (context as { n: number }).n;

describe('component.rehearse', () => {
  it('rehearses a good swap on a copy: ok, with timings, and the component never paused', async () => {
    const c = createRuntime().start(base, { version: 1 });
    const l = withV2();
    c.send({ type: 'INC' });
    const session = c.sessionId;
    const r = c.rehearse(2, { lineage: l });
    expect(r).toMatchObject({ ok: true, component: 'c', from: 1, to: 2, path: [{ from: 1, to: 2 }], blockers: [] });
    expect(Object.keys(r.timings)).toEqual(['plan', 'quiesce', 'drain', 'migrate', 'verify']);
    // nothing changed: same actor, same version, same state, no events held
    expect([c.version, c.sessionId, c.status, c.held]).toEqual([1, session, 'running', 0]);
    expect(c.getSnapshot().context).toEqual({ n: 1 });
    expect((await c.swap(2, { lineage: l })).outcome).toBe('committed');
  });

  it('refuses with the blockers the swap then refuses with (verify: a forgotten field)', async () => {
    const c = createRuntime().start(base, { version: 1 });
    const l = withV2({ up: ({ value, context }) => ({ value, context: { ...context } }) });
    const r = c.rehearse(2, { lineage: l });
    expect(r).toMatchObject({ ok: false, phase: 'verify' });
    const swap = await c.swap(2, { lineage: l });
    expect(swap.phase).toBe('verify');
    expect(r.blockers).toEqual(swap.blockers);
  });

  it('refuses at plan like the swap (unknown version) and rejects misuse with INVALID_ARGUMENT', () => {
    const c = createRuntime().start(base, { version: 1 });
    expect(c.rehearse(7)).toMatchObject({ ok: false, phase: 'plan', blockers: [{ kind: 'unknown-version' }] });
    expect(() => c.rehearse('2' as never)).toThrow(HotswapError);
    expect(() => c.rehearse(2, { replay: 'yes' as never })).toThrow(/options\.replay/);
  });

  it('swap with rehearse: true refuses at plan, before anything pauses, with the rehearsal’s blockers', async () => {
    const c = createRuntime().start(base, { version: 1 });
    const l = withV2({ up: () => { throw new Error('bad link'); } });
    const report = await c.swap(2, { lineage: l, rehearse: true });
    expect(report).toMatchObject({ outcome: 'refused', phase: 'plan', pauseUs: 0, held: 0, blockers: [{ kind: 'migration-threw' }] });
    expect(report.timings).not.toHaveProperty('quiesce');
    expect(c.version).toBe(1);
    c.send({ type: 'INC' });
    expect(c.getSnapshot().context).toEqual({ n: 1 });
  });

  it('swap with rehearse: true commits when the rehearsal passes, under a stream of events', async () => {
    const c = createRuntime().start(base, { version: 1 });
    const sending = setInterval(() => c.send({ type: 'INC' }), 0);
    await new Promise((r) => setTimeout(r, 5));
    const report = await c.swap(2, { lineage: withV2(), rehearse: true });
    clearInterval(sending);
    expect(report.outcome).toBe('committed');
    const n = (c.getSnapshot().context as { n: number }).n;
    c.send({ type: 'INC' });
    expect(c.getSnapshot().context).toEqual({ n: n + 1, step: 1 });
  });
});

describe('a rehearsal leaves the live state alone', () => {
  // an action that changes the context in place: legal in XState, fatal if the state were frozen
  type Ctx = { items: number[] };
  const pushing = setup({ types: { context: {} as Ctx, events: {} as { type: 'PUSH' } }, actions: { push: ({ context }) => void context.items.push(1) } }).createMachine({
    id: 'p',
    context: { items: [] },
    on: { PUSH: { actions: 'push' } },
  });
  const l = lineage('p', defineVersion({ version: 1, machine: pushing })).extend({
    from: 1,
    version: defineVersion({ version: 2, machine: pushing }),
    link: { up: ({ value, context }: { value: unknown; context: Ctx }) => ({ value, context: { items: [...context.items] } }) },
  });

  it('migrates and replays copies: the live context is not frozen, the actor keeps taking events', () => {
    const c = createRuntime().start(l, { version: 1, shadow: { events: 4 } });
    c.send({ type: 'PUSH' });
    c.send({ type: 'PUSH' });
    expect(c.rehearse(2, { replay: true })).toMatchObject({ ok: true, replay: { events: 2, actions: { old: 2, new: 2 } } });
    expect(Object.isFrozen(c.getSnapshot().context.items)).toBe(false);
    c.send({ type: 'PUSH' });
    expect([c.status, c.getSnapshot().context.items]).toEqual(['running', [1, 1, 1]]);
  });
});

describe('shadow replay', () => {
  it('reports the first divergence with its event, both projections and the state', () => {
    const c = createRuntime().start(base, { version: 1, shadow: { events: 4 } });
    for (let i = 0; i < 6; i++) c.send({ type: 'INC' });
    // v2's bug: from the 4th count on it adds 2
    const r = c.rehearse(2, { lineage: withV2({ bugAt: 4 }), replay: true, project: count });
    expect(r).toMatchObject({ ok: false, phase: 'replay' });
    expect(r.replay?.divergence).toMatchObject({ index: 3, event: { type: 'INC' }, old: 4, new: 5, state: { old: { context: { n: 4, step: 1 } }, new: { context: { n: 5, step: 1 } } } });
    expect(r.blockers[0]?.message).toBe("replayed event #3 'INC' diverges: the old version projects 4, the new one 5");
    // the live component is untouched by the replay
    expect(c.getSnapshot().context).toEqual({ n: 6 });
  });

  it('a correct new version replays every recorded event without divergence', () => {
    const c = createRuntime().start(base, { version: 1, shadow: { events: 4 } });
    for (let i = 0; i < 10; i++) c.send({ type: 'INC' });
    const r = c.rehearse(2, { lineage: withV2(), replay: true, project: count });
    expect(r.ok).toBe(true);
    // a bounded ring: two segments of at most 4, from the checkpoint before the older one
    expect(r.replay?.events).toBeGreaterThanOrEqual(4);
    expect(r.replay?.events).toBeLessThanOrEqual(7);
  });

  it('swap refuses on divergence with rehearse: { replay: true }', async () => {
    const c = createRuntime().start(base, { version: 1, shadow: { events: 8 } });
    for (let i = 0; i < 5; i++) c.send({ type: 'INC' });
    const report = await c.swap(2, { lineage: withV2({ bugAt: 2 }), rehearse: { replay: true, project: count } });
    expect(report).toMatchObject({ outcome: 'refused', phase: 'plan', pauseUs: 0, blockers: [{ kind: 'replay-divergence', index: 1 }] });
    expect(c.version).toBe(1);
  });

  it('starts the record again after a committed swap, even one that came back to the same version', async () => {
    const runtime = createRuntime();
    const c = runtime.start(base, { version: 1, shadow: { events: 8 } });
    const l = withV2();
    c.send({ type: 'INC' });
    await c.swap(2, { lineage: l });
    await c.revert();
    expect(c.rehearse(2, { lineage: l, replay: true })).toMatchObject({ ok: false, phase: 'replay', replay: { failure: 'no events recorded since v1 started running' } });
    c.send({ type: 'INC' });
    expect(c.rehearse(2, { lineage: l, replay: true, project: count })).toMatchObject({ ok: true, replay: { events: 1 } });
  });

  it('refuses a replay without a recording rather than passing without evidence', () => {
    const c = createRuntime().start(base, { version: 1 });
    expect(c.rehearse(2, { lineage: withV2(), replay: true })).toMatchObject({ ok: false, phase: 'replay', blockers: [{ kind: 'replay-divergence', index: -1 }] });
    expect(() => createRuntime().start(base, { shadow: { events: 0 } })).toThrow(/shadow\.events/);
  });
});
