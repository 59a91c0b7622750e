/**
 * Invoked children across a live swap: a child is carried only into an active state that invokes the
 * same `src` under the same id; anything else is `orphaned-child`, under every promise and callback
 * policy, and the old version keeps running with its child untouched (G2, G4, G5).
 */
import { describe, expect, it } from 'vitest';
import { createRuntime, ManualClock, type PromisePolicy, type SwapOptions } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { type FetcherOptions, makeFetcher } from '../fixtures/fetcher.ts';

function start(options: FetcherOptions) {
  const clock = new ManualClock();
  const fixture = makeFetcher(options);
  const c = createRuntime({ clock }).start(fixture.fetcher, { version: 1 });
  return { clock, c, ...fixture };
}

const policies: readonly [string, SwapOptions['policies']][] = [
  ['adopt', { promises: 'adopt' }],
  ['abort', { promises: 'abort' }],
  ['a policy function choosing adopt', { promises: (): PromisePolicy => 'adopt' }],
  ['a policy function choosing abort', { promises: (): PromisePolicy => 'abort' }],
];

describe('in-flight promise children', () => {
  for (const [name, p] of policies) {
    it(`refuses to carry an in-flight promise into a state that no longer invokes it (${name}); v1 keeps it and gets its output`, async () => {
      const { c, calls } = start({ loading: 'none' });
      c.send({ type: 'LOAD' });
      const report = await c.swap(2, { policies: p });
      expect(report.outcome).toBe('refused');
      expect(report.phase).toBe('verify');
      expect(report.blockers).toEqual([
        {
          kind: 'orphaned-child',
          version: 2,
          child: 'load',
          src: 'load',
          state: 'loading',
          invokes: null,
          states: [],
          message: "child actor 'load' (src load) is carried into v2 state 'loading', which does not invoke it",
        },
      ]);
      expect(report.effects).toMatchObject({ adopted: [], aborted: [] });
      // G2: the old child was neither aborted nor started again, and its output reaches v1
      expect(calls).toHaveLength(1);
      expect(calls[0]!.signal.aborted).toBe(false);
      calls[0]!.resolve('A');
      await flush();
      expect(c.version).toBe(1);
      expect(c.getSnapshot().value).toBe('loaded');
      expect(c.getSnapshot().context.log).toEqual(['v1:load:A']);
      expect(c.late).toEqual([]);
    });

    it(`refuses to carry an in-flight promise into a state that invokes another src under its id (${name})`, async () => {
      const { c, calls } = start({ loading: 'other' });
      c.send({ type: 'LOAD' });
      const report = await c.swap(2, { policies: p });
      expect(report.outcome).toBe('refused');
      expect(report.blockers).toEqual([
        expect.objectContaining({ kind: 'orphaned-child', child: 'load', src: 'load', state: 'loading', invokes: 'fetch2' }),
      ]);
      expect(report.blockers[0]!.message).toBe("child actor 'load' (src load) is carried into v2 state 'loading', which invokes src fetch2 under that id, not load");
      calls[0]!.resolve('A');
      await flush();
      // load's output goes to v1's own onDone, never to v2's fetch2 handler
      expect(c.getSnapshot().context.log).toEqual(['v1:load:A']);
      expect(calls.map((call) => call.src)).toEqual(['load']);
    });
  }

  it('carries an in-flight promise into a state that invokes the same src under the same id (adopt, abort)', async () => {
    const adopted = start({ loading: 'same' });
    adopted.c.send({ type: 'LOAD' });
    const a = await adopted.c.swap(2, { policies: { promises: 'adopt' } });
    expect(a.outcome).toBe('committed');
    expect(a.effects.adopted).toEqual(['load']);
    adopted.calls[0]!.resolve('A');
    await flush();
    expect(adopted.c.getSnapshot().context.log).toEqual(['v2:load:A']);

    const aborted = start({ loading: 'same' });
    aborted.c.send({ type: 'LOAD' });
    const b = await aborted.c.swap(2, { policies: { promises: 'abort' } });
    expect(b.outcome).toBe('committed');
    expect(aborted.calls.map((call) => `v${call.version}:${call.src}`)).toEqual(['v1:load', 'v2:load']);
  });

  it('waits for the promise (wait): v1 handles its output, and the swap commits without the child', async () => {
    const { c, calls } = start({ loading: 'none' });
    c.send({ type: 'LOAD' });
    const swap = c.swap(2, { policies: { promises: 'wait' } });
    await flush();
    calls[0]!.resolve('A');
    const report = await swap;
    expect(report.outcome).toBe('committed');
    expect(c.getSnapshot().value).toBe('loaded');
    expect(c.getSnapshot().context.log).toEqual(['v1:load:A']);
  });

  it('refuses (wait) to put a settled child where v2 invokes another src under its id: that src would never run', async () => {
    const { c, calls } = start({ loading: 'other', leaveOnDone: false });
    c.send({ type: 'LOAD' });
    const swap = c.swap(2, { policies: { promises: 'wait' } });
    await flush();
    calls[0]!.resolve('A');
    const report = await swap;
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'orphaned-child', child: 'load', state: 'loading', invokes: 'fetch2' })]);
    expect(c.getSnapshot().context.log).toEqual(['v1:load:A']);
  });
});

describe('invoked callbacks', () => {
  it('refuses to restart a callback in a state that no longer invokes it, and leaves the old one running', async () => {
    const { c, listens } = start({ listening: 'none' });
    c.send({ type: 'LISTEN' });
    const report = await c.swap(2);
    expect(report.outcome).toBe('refused');
    expect(report.blockers).toEqual([expect.objectContaining({ kind: 'orphaned-child', child: 'listen', src: 'listen', state: 'listening', invokes: null })]);
    expect(report.effects.restarted).toEqual([]);
    expect(listens).toEqual(['v1:listen']);
    expect(c.ledger().inFlight).toMatchObject([{ id: 'listen', src: 'listen', logic: 'callback' }]);
  });

  it('refuses to restart a callback as another src under its id, and restarts it where the same src is invoked', async () => {
    const other = start({ listening: 'other' });
    other.c.send({ type: 'LISTEN' });
    const refused = await other.c.swap(2);
    expect(refused.blockers).toEqual([expect.objectContaining({ kind: 'orphaned-child', child: 'listen', invokes: 'listen2' })]);
    expect(other.listens).toEqual(['v1:listen']);

    const same = start({ listening: 'same' });
    same.c.send({ type: 'LISTEN' });
    const committed = await same.c.swap(2);
    expect(committed.outcome).toBe('committed');
    expect(committed.effects.restarted).toEqual(['listen']);
    expect(same.listens).toEqual(['v1:listen', 'v2:listen']);
  });
});
