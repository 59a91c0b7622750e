/**
 * `ManualClock.advanceAsync` (src/clock/clock.ts): like `advance`, but the real event loop turns before
 * each timer and after the last, so promise settlements run at the time they belong to and timers they
 * set within the step fire in it (`@sinonjs/fake-timers`' `tickAsync`).
 */
import { describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from '../../src/index.ts';

/** A promise that settles after `ms` on the clock. */
const sleep = (clock: ManualClock, ms: number): Promise<void> => new Promise((resolve) => clock.setTimeout(resolve, ms));

describe('ManualClock.advanceAsync', () => {
  it('fires a timer set by a promise continuation within the same step, where advance() cannot', async () => {
    const run = async (advance: (clock: ManualClock) => Promise<void> | void): Promise<[string, number][]> => {
      const clock = new ManualClock();
      const log: [string, number][] = [];
      void (async () => {
        await sleep(clock, 10);
        log.push(['woke', clock.now()]);
        await sleep(clock, 10); // set from a continuation: due at 20
        log.push(['woke again', clock.now()]);
      })();
      await advance(clock);
      return log;
    };
    // The synchronous advance fires the first timer, but its continuation runs only after advance has
    // returned: too late (at 30, not 10) and too late to set a timer the step would fire.
    expect(await run((clock) => clock.advance(30))).toEqual([['woke', 30]]);
    expect(await run((clock) => clock.advanceAsync(30))).toEqual([
      ['woke', 10],
      ['woke again', 20],
    ]);
  });

  it('settles each continuation at its own time and ends at now + ms', async () => {
    const clock = new ManualClock(100);
    const seen: number[] = [];
    for (const ms of [30, 5, 20]) void sleep(clock, ms).then(() => seen.push(clock.now()));
    await clock.advanceAsync(50);
    expect(seen).toEqual([105, 120, 130]);
    expect(clock.now()).toBe(150);
    expect(clock.pending).toBe(0);
  });

  it('leaves a timer a continuation sets past the step pending', async () => {
    const clock = new ManualClock();
    let late = false;
    void sleep(clock, 10)
      .then(() => sleep(clock, 100))
      .then(() => (late = true));
    await clock.advanceAsync(50);
    expect(late).toBe(false);
    expect(clock.pending).toBe(1);
    await clock.advanceAsync(60);
    expect(late).toBe(true);
  });

  it('refuses a bad step or a second concurrent advance with a RangeError, and does not move', async () => {
    const clock = new ManualClock(7);
    await expect(clock.advanceAsync(-1)).rejects.toThrowError(new RangeError('Expected `ms` to be a non-negative number, got `-1`'));
    const first = clock.advanceAsync(10);
    await expect(clock.advanceAsync(10)).rejects.toThrowError(/one `advanceAsync` at a time/);
    await first;
    expect(clock.now()).toBe(17);
  });

  it("drives a live component whose promise actor waits on the clock into the promise's done state", async () => {
    const world = () => {
      const clock = new ManualClock();
      const machine = setup({
        types: { context: {} as { result: string | null } },
        actors: {
          fetch: fromPromise(async () => {
            await sleep(clock, 200);
            return 'ok';
          }),
        },
      }).createMachine({
        id: 'fetcher',
        initial: 'loading',
        context: { result: null },
        states: {
          loading: { invoke: { src: 'fetch', onDone: { target: 'done', actions: assign({ result: ({ event }) => event.output }) } } },
          done: {},
        },
      });
      const c = createRuntime({ clock }).start(lineage('fetcher', defineVersion({ version: 1, machine })), { version: 1 });
      return { clock, c };
    };
    const sync = world();
    sync.clock.advance(500);
    expect(sync.c.getSnapshot().value).toBe('loading'); // the timer fired; nothing let the promise settle
    const async = world();
    await async.clock.advanceAsync(500);
    expect(async.c.getSnapshot()).toMatchObject({ value: 'done', context: { result: 'ok' } });
  });
});
