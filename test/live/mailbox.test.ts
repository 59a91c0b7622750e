/**
 * The mailbox (src/live/mailbox.ts): a bounded FIFO of the events held during a swap (G6). `offer`
 * refuses past the capacity, `force` (internal events) never does, and nothing is reordered or lost.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.ts';
import { Mailbox } from '../../src/live/mailbox.ts';
import { fcParams } from '../_support/fc.ts';
import { driver } from '../fixtures/driver.ts';

describe('Mailbox', () => {
  it('refuses a capacity that is not a positive integer, with INVALID_ARGUMENT', () => {
    for (const capacity of [0, -1, 1.5, NaN, Infinity, 2 ** 53]) {
      expect(() => new Mailbox(capacity)).toThrowError(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', message: `Expected \`capacity\` to be a positive integer, got \`${String(capacity)}\`` }),
      );
    }
    expect(new Mailbox(1).capacity).toBe(1);
  });

  it('offers up to its capacity, then refuses without changing what it holds', () => {
    const box = new Mailbox<string>(2);
    expect(box.offer('a')).toBe(true);
    expect(box.offer('b')).toBe(true);
    expect(box.offer('c')).toBe(false);
    expect(box.size).toBe(2);
    expect(box.items()).toEqual(['a', 'b']);
  });

  it('forces internal events past the capacity; offers stay refused until it drains below it', () => {
    const box = new Mailbox<string>(1);
    box.offer('a');
    box.force('timer');
    expect(box.size).toBe(2);
    expect(box.offer('b')).toBe(false);
    expect(box.shift()).toBe('a');
    expect(box.offer('b')).toBe(false); // still at capacity: 'timer' is held
    expect(box.shift()).toBe('timer');
    expect(box.offer('b')).toBe(true);
  });

  it('shifts oldest first, undefined when empty, and takes a full capacity again once drained', () => {
    const box = new Mailbox<number>(3);
    for (const n of [1, 2, 3]) box.offer(n);
    expect([box.shift(), box.shift(), box.shift(), box.shift()]).toEqual([1, 2, 3, undefined]);
    expect(box.size).toBe(0);
    for (const n of [4, 5, 6]) expect(box.offer(n)).toBe(true);
    expect(box.offer(7)).toBe(false);
    expect(box.items()).toEqual([4, 5, 6]);
  });

  it('hands out a copy of what it holds: changing it changes nothing held', () => {
    const box = new Mailbox<string>(4);
    box.offer('a');
    box.offer('b');
    box.shift();
    const items = box.items();
    items.push('x');
    expect(box.items()).toEqual(['b']);
  });

  it('behaves as a FIFO queue bounded for offers, under any sequence of offer, force and shift (property)', () => {
    type Op = { op: 'offer' | 'force'; n: number } | { op: 'shift' };
    const ops: fc.Arbitrary<Op[]> = fc.array(
      fc.oneof(
        fc.record({ op: fc.constant('offer' as const), n: fc.nat(999) }),
        fc.record({ op: fc.constant('force' as const), n: fc.nat(999) }),
        fc.constant({ op: 'shift' as const }),
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), ops, (capacity, script) => {
        const box = new Mailbox<number>(capacity);
        const model: number[] = [];
        for (const step of script) {
          if (step.op === 'shift') expect(box.shift()).toBe(model.shift());
          else if (step.op === 'force') {
            box.force(step.n);
            model.push(step.n);
          } else {
            const room = model.length < capacity;
            expect(box.offer(step.n)).toBe(room);
            if (room) model.push(step.n);
          }
          expect(box.size).toBe(model.length);
          expect(box.items()).toEqual(model);
        }
      }),
      fcParams(200),
    );
  });
});

describe('the runtime’s mailbox capacity', () => {
  it('is checked when a component starts: a capacity of 0 is INVALID_ARGUMENT', () => {
    expect(() => createRuntime({ mailboxCapacity: 0 }).start(driver)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
