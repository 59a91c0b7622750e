/**
 * Argument checks of the swap entry points: misuse is a `HotswapError` `INVALID_ARGUMENT` with a
 * p-queue style message (a rejected promise, never a synchronous throw or a bare `TypeError`), and
 * refusals stay reports. Found by a public-API suite written from the README.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, defineVersion, ManualClock, MAX_TIMER_MS, type SwapOptions, tryExtend } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';
import { makeLoader } from '../fixtures/loader.ts';

/** What a promise rejected with (fails the test when it resolved), checking it did not throw synchronously. */
async function rejection(call: () => Promise<unknown>): Promise<{ name?: string; code?: string; message: string }> {
  let p: Promise<unknown>;
  try {
    p = call();
  } catch (error) {
    throw new Error(`threw synchronously: ${String(error)}`);
  }
  return p.then(
    (value) => {
      throw new Error(`resolved: ${JSON.stringify(value)}`);
    },
    (error: { name?: string; code?: string; message: string }) => error,
  );
}

describe('swap options: misuse rejects with INVALID_ARGUMENT', () => {
  const cases: [string, (c: ReturnType<typeof start>) => Promise<unknown>, string][] = [
    ['swap(null)', (c) => c.swap(null as never), 'Expected `target` to be a version number or a version from `defineVersion()`, got `null` (null)'],
    ['swap()', (c) => (c.swap as () => Promise<unknown>)(), 'Expected `target` to be a version number or a version from `defineVersion()`, got `undefined` (undefined)'],
    ['swap("2")', (c) => c.swap('2' as never), "Expected `target` to be a version number or a version from `defineVersion()`, got `'2'` (string)"],
    ['swap(2, null)', (c) => c.swap(2, null as never), 'Expected `options` to be an object or absent, got `null` (null)'],
    ['a signal that is no AbortSignal', (c) => c.swap(2, { signal: { aborted: false } as never }), 'Expected `options.signal` to be an AbortSignal or absent, got `[object Object]` (object)'],
    ['deadlineMs: Infinity', (c) => c.swap(2, { deadlineMs: Infinity }), `Expected \`options.deadlineMs\` to be a number of ms from 0 to ${MAX_TIMER_MS}, got \`Infinity\` (number)`],
    ['deadlineMs past 2^31 − 1', (c) => c.swap(2, { deadlineMs: 2 ** 31 }), `Expected \`options.deadlineMs\` to be a number of ms from 0 to ${MAX_TIMER_MS}, got \`2147483648\` (number)`],
    ['deadlineMs: NaN', (c) => c.swap(2, { deadlineMs: Number.NaN }), `Expected \`options.deadlineMs\` to be a number of ms from 0 to ${MAX_TIMER_MS}, got \`NaN\` (number)`],
    ['promises: "bogus"', (c) => c.swap(2, { policies: { promises: 'bogus' as never } }), "Expected `options.policies.promises` to be one of 'wait', 'abort', 'adopt' or a function returning one, got `'bogus'` (string)"],
    ['delays: "keep"', (c) => c.swap(2, { policies: { delays: 'keep' as never } }), "Expected `options.policies.delays` to be one of 'carry', 'restart', 'cancel', 'block', got `'keep'` (string)"],
    ['a policy that does not exist', (c) => c.swap(2, { policies: { promise: 'abort' } as never }), "Expected `options.policies.promise` to be absent (the policies are delays, timers, promises, leases, callbacks), got `'abort'` (string)"],
    ['a precondition that is no function', (c) => c.swap(2, { preconditions: { ready: true as never } }), 'Expected `options.preconditions.ready` to be a function, got `true` (boolean)'],
    ['swapOrThrow(null)', (c) => c.swapOrThrow(null as never), 'Expected `target` to be a version number or a version from `defineVersion()`, got `null` (null)'],
    ['revert({ deadlineMs: -1 })', (c) => c.revert({ deadlineMs: -1 }), `Expected \`options.deadlineMs\` to be a number of ms from 0 to ${MAX_TIMER_MS}, got \`-1\` (number)`],
  ];
  const start = () => createRuntime().start(driver, { version: 1 });

  it.each(cases)('%s', async (_, call, message) => {
    const c = start();
    const error = await rejection(() => call(c));
    expect(error).toMatchObject({ name: 'HotswapError', code: 'INVALID_ARGUMENT', message });
    // nothing paused, nothing journaled: misuse is not a swap attempt
    expect(c.status).toBe('running');
    expect(c.version).toBe(1);
    await c.stop();
  });

  it('accepts a deadline of exactly 2^31 − 1 ms, and `preconditions: null` as none', async () => {
    const c = start();
    expect((await c.swap(2, { deadlineMs: MAX_TIMER_MS, preconditions: null } as never as SwapOptions)).outcome).toBe('committed');
    await c.stop();
  });
});

describe('promise policy functions', () => {
  it('a function returning no policy refuses the swap naming the promise, and aborts nothing', async () => {
    const { loader, calls } = makeLoader();
    const clock = new ManualClock();
    const c = createRuntime({ clock }).start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'u' });
    for (const returned of [undefined, 'bogus']) {
      const report = await c.swap(2, { policies: { promises: () => returned as never } });
      expect(report).toMatchObject({ outcome: 'refused', phase: 'quiesce' });
      expect(report.blockers).toEqual([
        expect.objectContaining({
          kind: 'in-flight',
          id: 'fetch',
          src: 'fetchData',
          policy: `\`${returned === undefined ? 'undefined' : "'bogus'"}\` (${typeof returned}) from the policy function, which must return 'wait', 'abort' or 'adopt'`,
        }),
      ]);
      expect(report.effects.aborted).toEqual([]);
    }
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(false);
    expect(c.version).toBe(1);
    await c.stop();
  });
});

describe('misuse elsewhere', () => {
  it('defineVersion(null) is INVALID_ARGUMENT, not a TypeError', () => {
    expect(() => defineVersion(null as never)).toThrow(expect.objectContaining({ name: 'HotswapError', code: 'INVALID_ARGUMENT' }));
    expect(() => defineVersion(undefined as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Expected a version definition `{ version, machine }`, got `undefined` (undefined)' }));
  });

  it("tryExtend returns a plugin's throwing getter as its error instead of rethrowing it", () => {
    const plugin = {
      from: 3,
      get version(): never {
        throw new TypeError('plugin exploded');
      },
      link: {},
    };
    expect(() => driver.extend(plugin)).toThrow(expect.objectContaining({ name: 'HotswapError', code: 'INVALID_ARGUMENT' }));
    const r = tryExtend(driver, plugin);
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'INVALID_ARGUMENT',
        message: 'Expected a plugin `{ from, version, link }` for driver that can be read, but reading it threw TypeError: plugin exploded',
      },
    });
  });
});

describe('runtime.start misuse', () => {
  it('options that are no object, or no lineage, are INVALID_ARGUMENT rather than a TypeError', () => {
    const runtime = createRuntime();
    expect(() => runtime.start(driver, null as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Expected `options` to be an object or absent, got `null` (null)' }),
    );
    expect(() => runtime.start(null as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: 'Expected `lineage` to be a lineage from `lineage(...)`, got `null` (null)' }),
    );
  });
});

describe('precondition context', () => {
  it('names the instance and the lineage, each by its own name', async () => {
    const seen: unknown[] = [];
    const c = createRuntime().start(driver, { version: 1, id: 'driver-7' });
    const report = await c.swap(2, {
      preconditions: {
        look: ({ instance, lineage, component }) => {
          seen.push({ instance, lineage, component });
          return true;
        },
      },
    });
    expect(seen).toEqual([{ instance: 'driver-7', lineage: 'driver', component: 'driver-7' }]);
    expect(report.component).toBe('driver');
  });
});
