/**
 * The clocks (src/clock/clock.ts): `ManualClock` moves only when told to — `advance(ms)` fires what
 * falls due in order, `step()` jumps to the next timer — and `isTimerDelay` is the one rule for what a
 * timer can really wait.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock } from '../../src/index.ts';
import { isTimerDelay, MAX_TIMER_MS } from '../../src/clock/clock.ts';
import { driver } from '../fixtures/driver.ts';

describe('ManualClock.advance', () => {
  it('starts where it is told (0 by default) and moves by exactly `ms`', () => {
    expect(new ManualClock().now()).toBe(0);
    const clock = new ManualClock(500);
    clock.advance(25);
    expect(clock.now()).toBe(525);
    clock.advance(0);
    expect(clock.now()).toBe(525);
  });

  it('fires due timers in due order, ties in the order they were set, each at its own time', () => {
    const clock = new ManualClock();
    const fired: [string, number][] = [];
    const at = (name: string) => () => fired.push([name, clock.now()]);
    clock.setTimeout(at('c@30'), 30);
    clock.setTimeout(at('a@10'), 10);
    clock.setTimeout(at('b@10'), 10);
    clock.setTimeout(at('d@31'), 31);
    clock.advance(30);
    expect(fired).toEqual([['a@10', 10], ['b@10', 10], ['c@30', 30]]);
    expect(clock.pending).toBe(1);
    clock.advance(1);
    expect(fired.at(-1)).toEqual(['d@31', 31]);
    expect(clock.pending).toBe(0);
  });

  it('fires a timer set while advancing in the same advance when it falls due, and not when it falls after', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('first');
      clock.setTimeout(() => fired.push('inside'), 5); // due at 15
      clock.setTimeout(() => fired.push('after'), 50); // due at 60
    }, 10);
    clock.advance(20);
    expect(fired).toEqual(['first', 'inside']);
    expect(clock.pending).toBe(1);
  });

  it('never fires a cleared timer, and treats a negative delay as 0', () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    const handle = clock.setTimeout(() => fired.push('cleared'), 5);
    clock.setTimeout(() => fired.push('negative'), -10);
    clock.clearTimeout(handle);
    clock.clearTimeout('not a handle');
    expect(clock.pending).toBe(1);
    clock.advance(0);
    expect(fired).toEqual(['negative']);
    clock.advance(10);
    expect(fired).toEqual(['negative']);
  });

  it('refuses a negative or NaN step with a RangeError, and does not move', () => {
    const clock = new ManualClock(7);
    expect(() => clock.advance(-1)).toThrowError(new RangeError('Expected `ms` to be a non-negative number, got `-1`'));
    expect(() => clock.advance(NaN)).toThrowError(RangeError);
    expect(clock.now()).toBe(7);
  });
});

describe('ManualClock.step', () => {
  it('jumps to the next pending timer and fires it, with every timer due at that same time', () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 40);
    clock.setTimeout(() => fired.push('a1'), 20);
    clock.setTimeout(() => fired.push('a2'), 20);
    expect(clock.step()).toBe(true);
    expect(fired).toEqual(['a1', 'a2']);
    expect(clock.now()).toBe(120);
    expect(clock.step()).toBe(true);
    expect(fired).toEqual(['a1', 'a2', 'b']);
    expect(clock.now()).toBe(140);
  });

  it('returns false and keeps the time when nothing is pending', () => {
    const clock = new ManualClock(3);
    expect(clock.step()).toBe(false);
    expect(clock.now()).toBe(3);
    const handle = clock.setTimeout(() => undefined, 10);
    clock.clearTimeout(handle);
    expect(clock.step()).toBe(false);
    expect(clock.now()).toBe(3);
  });

  it('fires a 0 ms timer without moving, and a 0 ms timer set by it in the same step', () => {
    const clock = new ManualClock(9);
    const fired: string[] = [];
    clock.setTimeout(() => {
      fired.push('outer');
      clock.setTimeout(() => fired.push('inner'), 0);
    }, 0);
    expect(clock.step()).toBe(true);
    expect(fired).toEqual(['outer', 'inner']);
    expect(clock.now()).toBe(9);
    expect(clock.step()).toBe(false);
  });

  it('drives a live component: one step fires its pending `after` delay at its deadline', () => {
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(driver, { version: 1 });
    c.send({ type: 'ENQUEUE', id: 'a' });
    c.send({ type: 'START' });
    expect(c.getSnapshot().value).toBe('busy');
    expect(clock.step()).toBe(true);
    expect(clock.now()).toBe(100);
    expect(c.getSnapshot()).toMatchObject({ value: 'idle', context: { queue: [], completed: 1 } });
    expect(clock.step()).toBe(false);
  });
});

describe('isTimerDelay', () => {
  it('accepts numbers from 0 to 2^31 − 1 ms and nothing else', () => {
    expect(MAX_TIMER_MS).toBe(2_147_483_647);
    for (const ms of [0, 1, 0.5, MAX_TIMER_MS]) expect(isTimerDelay(ms)).toBe(true);
    for (const ms of [-1, MAX_TIMER_MS + 1, NaN, Infinity, '5', null, undefined]) expect(isTimerDelay(ms)).toBe(false);
  });
});
