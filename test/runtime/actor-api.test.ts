/**
 * A live component speaks XState's actor API across swaps: snapshots tagged with their version (and
 * nothing else about them changed), `waitFor` and `toPromise` from xstate itself, `select`, the
 * interop observable, and emitted events (`emit` / `on`) that follow the component to its new version.
 */
import { describe, expect, it } from 'vitest';
import { toPromise, waitFor } from 'xstate';
import { createRuntime } from '../../src/index.ts';
import { symbolObservable } from '../../src/runtime/actor-api.ts';
import { emitterLineage } from '../fixtures/emitter.ts';

const start = () => createRuntime().start(emitterLineage, { version: 1 });

describe('snapshots', () => {
  it('carry their version, non-enumerable: identity, JSON and the persisted form stay XState’s', async () => {
    const c = start();
    const s = c.getSnapshot();
    expect(s.version).toBe(1);
    expect(c.getSnapshot()).toBe(s);
    expect(Object.keys(s)).not.toContain('version');
    expect(JSON.stringify(s)).not.toContain('"version"');
    expect(c.getPersistedSnapshot()).not.toHaveProperty('version');
    await c.swap(2);
    const after = c.getSnapshot();
    expect(after.version).toBe(2);
    if (after.version === 2) expect(after.context.label).toBe('v2');
  });

  it('reach subscribers tagged with the version that produced them', async () => {
    const c = start();
    const seen: [number, number][] = [];
    c.subscribe((s) => seen.push([s.version, s.context.count]));
    c.send({ type: 'INC' });
    await c.swap(2);
    c.send({ type: 'INC' });
    expect(seen).toEqual([
      [1, 1],
      [2, 1],
      [2, 2],
    ]);
  });
});

describe("xstate's own utilities", () => {
  it('waitFor resolves when a later version satisfies the predicate', async () => {
    const c = start();
    const waited = waitFor(c, (s) => s.version === 2 && s.context.count >= 2, { timeout: 5_000 });
    c.send({ type: 'INC' });
    await c.swap(2);
    c.send({ type: 'INC' });
    const s = await waited;
    expect([s.version, s.context.count]).toEqual([2, 2]);
  });

  it('toPromise resolves with the output when the component finishes', async () => {
    const c = start();
    const output = toPromise(c);
    c.send({ type: 'INC' });
    await c.swap(2);
    c.send({ type: 'INC' });
    c.send({ type: 'FINISH' });
    await expect(output).resolves.toEqual({ total: 2 });
  });

  it('select notifies only when the selected value changes, across a swap', async () => {
    const c = start();
    const counts: number[] = [];
    const sel = c.select((s) => s.context.count);
    sel.subscribe((n) => counts.push(n));
    c.send({ type: 'INC' });
    await c.swap(2); // a new snapshot, the same count: not notified
    c.send({ type: 'INC' });
    expect(counts).toEqual([1, 2]);
    expect(sel.get()).toBe(2);
  });

  it('is its own interop observable', () => {
    const c = start();
    expect(c[symbolObservable]()).toBe(c);
  });
});

describe('emitted events', () => {
  it('follow the component to its new version, and stop on unsubscribe', async () => {
    const c = start();
    const heard: string[] = [];
    const sub = c.on('*', (ev) => heard.push(ev.type === 'counted' ? `counted ${ev.count} by v${ev.by}` : `milestone ${ev.at}`));
    for (let i = 0; i < 3; i++) c.send({ type: 'INC' });
    await c.swap(2);
    for (let i = 0; i < 2; i++) c.send({ type: 'INC' });
    sub.unsubscribe();
    c.send({ type: 'INC' });
    expect(heard).toEqual(['counted 1 by v1', 'counted 2 by v1', 'counted 3 by v1', 'counted 4 by v2', 'counted 5 by v2', 'milestone 5']);
  });

  it('an event held during the swap is emitted once, by the new version', async () => {
    const c = start();
    const heard: number[] = [];
    c.on('counted', (ev) => heard.push(ev.by));
    const lease = c.borrow('port', 'test');
    const swapping = c.swap(2); // waits in quiesce until the lease is released
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(c.status).toBe('swapping');
    c.send({ type: 'INC' }); // held, then delivered to v2
    lease.release();
    expect((await swapping).held).toBe(1);
    expect(heard).toEqual([2]);
  });

  it('a swap refused leaves the listeners on the old version', async () => {
    const c = start();
    const heard: number[] = [];
    c.on('counted', (ev) => heard.push(ev.by));
    const refused = await c.swap(3);
    expect(refused.outcome).toBe('refused');
    c.send({ type: 'INC' });
    expect(heard).toEqual([1]);
  });
});
