import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';

describe('carried delays across repeated swaps', () => {
  it('re-arms each swap with the time left at that swap (plans are reused, times are not)', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    const remaining: number[] = [];
    for (const [advance, target] of [[10, 2], [15, 1], [20, 2], [5, 1]] as const) {
      clock.advance(advance);
      const report = await c.swap(target);
      expect(report.outcome).toBe('committed');
      expect(report.effects.carried).toHaveLength(1);
      remaining.push(c.ledger().delays[0]!.remainingMs);
    }
    expect(remaining).toEqual([90, 75, 55, 50]);
    clock.advance(49);
    expect(c.getSnapshot().value).toBe('busy');
    clock.advance(1);
    expect(c.getSnapshot().value).toBe('idle');
  });

  it('gives each refusal its own ids and times, and shares nothing a caller could change', async () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    clock.advance(30);
    const first = await c.swap(2, { policies: { delays: 'block' } });
    clock.advance(30);
    const second = await c.swap(2, { policies: { delays: 'block' } });
    const delays = (r: typeof first) => r.blockers.filter((b) => b.kind === 'pending-delay').map((b) => (b as { remainingMs: number }).remainingMs);
    expect(delays(first)).toEqual([70]);
    expect(delays(second)).toEqual([40]);
    expect(first.blockers[0]).not.toBe(second.blockers[0]);
  });
});

describe("a child machine's own delays", () => {
  it('are refused naming the child and the state that declares them, and can be cancelled', async () => {
    const child = setup({}).createMachine({ id: 'blinker', initial: 'lit', states: { lit: { after: { 50: 'dark' } }, dark: {} } });
    const machine = (v: number) =>
      setup({ actors: { blinker: child } }).createMachine({ id: `host${v}`, initial: 'on', states: { on: { invoke: { id: 'blink', src: 'blinker' } } } });
    const l = lineage('host', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2) }), { up: (s) => s });
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(l, { version: 1 });
    clock.advance(10);
    const report = await c.swap(2);
    expect(report).toMatchObject({ outcome: 'refused', phase: 'drain' });
    expect(report.blockers).toEqual([
      expect.objectContaining({
        kind: 'pending-delay',
        state: 'lit',
        remainingMs: 40,
        reason: "a delay of child machine 'blink' (its own 'after' or delayed raise); a child machine's delays cannot be carried (policy delays: 'cancel' drops it)",
      }),
    ]);
    const blocked = await c.swap(2, { policies: { delays: 'block' } });
    expect(blocked.blockers).toEqual([expect.objectContaining({ kind: 'pending-delay', state: 'lit', reason: 'policy is block' })]);
    expect((await c.swap(2, { policies: { delays: 'cancel' } })).outcome).toBe('committed');
  });
});
