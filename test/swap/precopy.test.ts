/**
 * The pre-copy (src/swap/precopy.ts, src/swap/_internal/precopy-walk.ts): before the pause, the live
 * context is frozen and walked into the caches the pause reads, in slices, while the old version
 * serves events. What it records must be what the walks that read it would compute; events during it
 * are the old version's, each once; a context replaced meanwhile is walked again; an abort refuses
 * with nothing held; a swap refused after it leaves the old version serving.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createRuntime, defineVersion, lineage, ManualClock } from '../../src/index.ts';
import { canonicalJson } from '../../src/_internal/canonical.ts';
import { FROZEN_PLAIN } from '../../src/_internal/json.ts';
import { isDigestCached, stateDigest } from '../../src/_internal/state-digest.ts';
import type { ComponentCore } from '../../src/live/_internal/core.ts';
import { coreOf } from '../../src/runtime/component.ts';
import { PrecopyWalk } from '../../src/swap/_internal/precopy-walk.ts';
import { Stretch } from '../../src/swap/_internal/stretch.ts';
import { precopy, PRECOPY_ROUNDS, PRECOPY_SYNC_MEMBERS } from '../../src/swap/precopy.ts';
import { isMarkerFree, persistedSnapshotOf } from '../../src/xstate/adapter.ts';

interface Row {
  id: number;
  name: string;
  tags: string[];
}
const rows = (n: number, tag = 'r'): Row[] => Array.from({ length: n }, (_, id) => ({ id, name: `${tag}-${id}`, tags: ['a', tag] }));
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Walks `root` to the end in the smallest steps the walk takes (one clock check each): every slice boundary is crossed. */
function walkInSteps(root: unknown): { clean: boolean; objects: number; steps: number } {
  const walk = new PrecopyWalk(root);
  for (let steps = 1; ; steps++) {
    const r = walk.step(0);
    if (r !== undefined) return { ...r, steps };
  }
}

/** Every object reachable from `v` is frozen. */
function frozenThroughout(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(frozenThroughout);
}

describe('the pre-copy walk', () => {
  it('freezes a fresh state and records the journal digests stateDigest computes, across many steps', () => {
    // strings JSON escapes, an undefined member, -0, key order, an array long enough to spill its text into a running hash
    const state = { z: 1, a: { text: 'é "q" \u2028 \ud83d\ude00', none: undefined, zero: -0 }, big: rows(6000), small: rows(3), nested: { deeper: { items: rows(300, 'n') } } };
    const expected = stateDigest(structuredClone(state)); // computed from scratch, on an unfrozen copy
    expect(canonicalJson(state.big).length).toBeGreaterThan(65_536);
    const r = walkInSteps(state);
    expect(r.steps).toBeGreaterThan(10);
    expect(r.clean).toBe(true);
    expect(frozenThroughout(state)).toBe(true);
    expect(isDigestCached(state.big)).toBe(true);
    expect(isDigestCached(state.nested.deeper.items)).toBe(true);
    expect(isDigestCached(state.small)).toBe(false); // below the digest size: written inline, as stateDigest writes it
    expect(stateDigest(state)).toBe(expected);
    expect(stateDigest(state.big)).toBe(sha(canonicalJson(structuredClone(state.big))));
  });

  it('writes frozen leaves (tuples, records of primitives) as stateDigest does, and leaves odd ones to the frames', () => {
    const sym = Object.freeze(Object.assign({ a: 1 }, { [Symbol('s')]: 2 }));
    const tuple = (i: number): readonly unknown[] => Object.freeze([i, i % 2 === 0, `t-${i}`, null, -0]);
    const leaves = {
      tuples: Array.from({ length: 300 }, (_, i) => tuple(i)),
      records: Array.from({ length: 100 }, (_, i) => Object.freeze({ z: i, a: 'x', none: undefined, é: true })),
      bare: Object.freeze(Object.assign(Object.create(null) as object, { k: 1 })),
      marker: Object.freeze({ xstate$$type: 1, id: 'kid' }),
      sym,
      holey: Object.freeze([1, undefined, 2]),
      long: Object.freeze(['x'.repeat(5000)]),
      wide: Object.freeze(Array.from({ length: 40 }, (_, i) => i)),
      nan: Object.freeze([Number.NaN]),
    };
    const expected = stateDigest(structuredClone({ ...leaves, sym: { a: 1 } }));
    const walked = new PrecopyWalk(leaves).step(Number.POSITIVE_INFINITY)!;
    expect(walked.objects).toBe(1 + (1 + 300) + (1 + 100) + 7); // every leaf counted, fast or framed
    expect(walked.clean).toBe(false); // a symbol key, an array hole and NaN are no JSON data
    expect(stateDigest(leaves)).toBe(expected);
    // the frozen leaves' arrays, recorded as the frame walk would (a leaf itself is one object: never cached)
    expect(FROZEN_PLAIN.get(leaves.tuples)).toBe(2);
    expect(FROZEN_PLAIN.get(leaves.records)).toBe(2);
    expect(isMarkerFree(leaves.tuples)).toBe(true);
    expect(isDigestCached(leaves.tuples)).toBe(true);
    expect(stateDigest(leaves.tuples)).toBe(sha(canonicalJson(structuredClone(leaves.tuples))));
    expect(isDigestCached(leaves.long)).toBe(true); // past the digest size: walked in a frame of its own and digested
  });

  it('records plain subtrees with their height, and marker-free ones, as the walks that read them count', () => {
    const state = { items: rows(400), odd: { when: new Date(0), list: rows(100) }, marked: { refs: [{ xstate$$type: 1, id: 'kid' }], list: rows(300) } };
    walkInSteps(state);
    expect(FROZEN_PLAIN.get(state.items)).toBe(3); // array → row → tags
    expect(FROZEN_PLAIN.get(state.odd.list)).toBe(3);
    expect(FROZEN_PLAIN.has(state.odd)).toBe(false); // a Date is not plain data
    expect(FROZEN_PLAIN.has(state)).toBe(false);
    expect(isMarkerFree(state.items)).toBe(true);
    expect(isMarkerFree(state.marked.list)).toBe(true);
    expect(isMarkerFree(state.marked)).toBe(false); // holds data shaped like an actor marker
    expect(isMarkerFree(state)).toBe(false);
    expect(isDigestCached(state.marked.list)).toBe(true);
    expect(stateDigest(state.marked)).toBe(stateDigest(structuredClone(state.marked))); // a marker is data to the journal
  });

  it('touches no Proxy, follows no cycle, and keeps what holds them out of the caches', () => {
    let traps = 0;
    const proxy = new Proxy({ x: 1 }, { get: (t, k) => (traps++, Reflect.get(t, k)), ownKeys: (t) => (traps++, Reflect.ownKeys(t)), has: (t, k) => (traps++, Reflect.has(t, k)) });
    const loop: { rows: Row[]; self?: unknown } = { rows: rows(400) };
    loop.self = loop;
    const state = { proxied: { proxy, rows: rows(400) }, loop };
    const r = walkInSteps(state);
    expect(traps).toBe(0);
    expect(r.clean).toBe(false);
    expect(isDigestCached(state.proxied)).toBe(false);
    expect(isDigestCached(state.loop)).toBe(false);
    expect(isDigestCached(state.proxied.rows)).toBe(true); // what is beside them is recorded
    expect(() => stateDigest(state.loop)).toThrow(/circular/);
  });

  it('does not freeze below an object found frozen already, as the swap freeze does not', () => {
    const inner = { rows: rows(400) };
    const state = { shell: Object.freeze({ inner }) };
    walkInSteps(state);
    expect(Object.isFrozen(state)).toBe(true);
    expect(Object.isFrozen(inner)).toBe(false);
    expect(isDigestCached(state.shell)).toBe(false); // not frozen throughout: its digest could change
    inner.rows = [];
    expect(stateDigest(state)).toBe(stateDigest(structuredClone(state)));
  });

  it('ends without throwing at a getter that throws, having recorded nothing above it', () => {
    const state = { rows: rows(400), bad: Object.defineProperty({}, 'x', { enumerable: true, get: () => { throw new Error('no'); } }) };
    expect(walkInSteps(state).clean).toBe(false);
    expect(isDigestCached(state)).toBe(false);
  });
});

// ── the phase, on a live component ────────────────────────────────────────

type Ctx = { v1: number; v2: number; rows: readonly Row[] };
const machine = (version: 1 | 2) =>
  setup({ types: { context: {} as Ctx, events: {} as { type: 'ADD' } | { type: 'ROW' }, input: {} as { rows: Row[] } } }).createMachine({
    id: 'big',
    context: ({ input }) => ({ v1: 0, v2: 0, rows: input.rows }),
    on: {
      ADD: { actions: assign(({ context }) => (version === 1 ? { v1: context.v1 + 1 } : { v2: context.v2 + 1 })) },
      // a new row: a new array, the rows themselves shared
      ROW: { actions: assign(({ context }) => ({ rows: [...context.rows, { id: context.rows.length, name: 'new', tags: [] }] })) },
    },
  });
const up = <V,>({ value, context }: { value: V; context: Ctx }) => ({ value, context: { ...context } });
const big = lineage('big', defineVersion({ version: 1, machine: machine(1) })).next(defineVersion({ version: 2, machine: machine(2), invariant: ({ context }) => (context.v1 >= 0 ? true : [{ path: 'context.v1', message: 'negative' }]) }), { up });
const refusing = lineage('big', defineVersion({ version: 1, machine: machine(1) })).next(
  defineVersion({ version: 2, machine: machine(2), invariant: () => [{ path: 'context', message: 'never' }] }),
  { up },
);
const BIG_ROWS = 20_000; // a walk of tens of milliseconds: many slices on any machine
const SOME_ROWS = 5_000;

describe('the pre-copy phase', () => {
  it('walks nothing for a context without an object member', async () => {
    const tiny = setup({ types: { context: {} as { n: number } } }).createMachine({ id: 't', context: { n: 0 } });
    const l = lineage('t', defineVersion({ version: 1, machine: tiny })).next(defineVersion({ version: 2, machine: tiny }), { up: (s) => s });
    const r = await createRuntime().start(l, { version: 1 }).swap(2);
    expect(r.outcome).toBe('committed');
    expect(r.precopyUs).toBeUndefined();
  });

  it('lets the old version process events sent during it, each once, and the new version starts from their state', async () => {
    const c = createRuntime().start(big, { version: 1, input: { rows: rows(BIG_ROWS) } });
    let settled = false;
    const swap = c.swap(2).finally(() => (settled = true));
    let sent = 0;
    while (!settled) {
      c.send({ type: 'ADD' });
      if (sent % 3 === 0) c.send({ type: 'ROW' });
      sent++;
      await turn();
    }
    const r = await swap;
    expect(r.outcome).toBe('committed');
    expect(r.precopyUs).toBeGreaterThan(0);
    const ctx = c.getSnapshot().context as Ctx;
    // events before the pause went to v1 (not held) — more than the one sent in the call's own turn, so
    // the old version served between slices; the held ones, if any, went to v2; none lost, none twice
    expect(ctx.v1).toBeGreaterThan(1);
    expect(ctx.v1 + ctx.v2).toBe(sent);
    expect(ctx.v2).toBe(sent - ctx.v1);
    expect(ctx.rows.length).toBe(BIG_ROWS + Math.ceil(sent / 3));
  });

  it('keeps the journal hashes those computed from scratch on the same states', async () => {
    const c = createRuntime().start(big, { version: 1, input: { rows: rows(SOME_ROWS) } });
    const fromScratch = () => stateDigest(structuredClone(persistedSnapshotOf(coreOf(c).actor))); // an unfrozen copy: no cache
    const before = fromScratch();
    const r = await c.swap(2);
    expect(r.outcome).toBe('committed');
    expect(r.beforeHash).toBe(before);
    expect(r.afterHash).toBe(fromScratch());
  });

  it('leaves the old version serving, its state as it was, when the swap is refused after it', async () => {
    const c = createRuntime().start(refusing, { version: 1, input: { rows: rows(SOME_ROWS) } });
    const before = structuredClone(c.getSnapshot().context);
    const beforeHash = stateDigest(structuredClone(persistedSnapshotOf(coreOf(c).actor)));
    const r = await c.swap(2);
    expect(r.outcome).toBe('refused');
    expect(r.phase).toBe('verify');
    expect(r.precopyUs).toBeGreaterThan(0);
    expect(c.version).toBe(1);
    expect(c.getSnapshot().context).toEqual(before);
    c.send({ type: 'ADD' });
    expect((c.getSnapshot().context as Ctx).v1).toBe(1);
    expect(r.beforeHash).toBe(beforeHash);
  });

  it('refuses on an abort while it runs, with nothing held and the old version untouched', async () => {
    const c = createRuntime().start(big, { version: 1, input: { rows: rows(BIG_ROWS) } });
    const controller = new AbortController();
    const swap = c.swap(2, { signal: controller.signal });
    await turn(); // the first slice has run; the walk is not done
    controller.abort();
    c.send({ type: 'ADD' });
    const r = await swap;
    expect(r.outcome).toBe('refused');
    expect(r.phase).toBe('quiesce');
    expect(r.blockers.map((b) => b.kind)).toEqual(['aborted']);
    expect(r.pauseUs).toBe(0);
    expect(r.held).toBe(0);
    expect(c.version).toBe(1);
    expect((c.getSnapshot().context as Ctx).v1).toBe(1);
  });
});

describe('precopy()', () => {
  /** Just what the pre-copy reads of a component: its actor's context, its clock. */
  const fakeCore = (ctx: () => unknown, clock = new ManualClock()) => ({ actor: { getSnapshot: () => ({ context: ctx() }) }, clock }) as unknown as ComponentCore;
  const input = (deadlineMs = 1000, signal = new AbortController().signal) => ({ signal, deadlineMs, stretch: new Stretch() });

  it('takes no turn of the event loop for a context without objects, nor for a small one', () => {
    expect(precopy(fakeCore(() => ({ n: 1, s: 'x' })), input())).toMatchObject({ ok: true, rounds: 0 });
    // a walk of up to PRECOPY_SYNC_MEMBERS members runs in the swap's own turn, however slow the machine
    const small = { n: 1, rows: rows(3) };
    expect(precopy(fakeCore(() => small), input())).toMatchObject({ ok: true, rounds: 1, objects: 8, yields: 0, settled: true });
    const atTheLimit = { rows: rows(Math.floor(PRECOPY_SYNC_MEMBERS / 6) - 1) }; // 6 members a row: the array's, its 3 own, 2 tags
    expect(precopy(fakeCore(() => atTheLimit), input())).not.toBeInstanceOf(Promise);
    const past = { rows: rows(PRECOPY_SYNC_MEMBERS) };
    expect(precopy(fakeCore(() => past), input())).toBeInstanceOf(Promise);
  });

  it('walks again a context replaced while it ran, the shared part from the caches', async () => {
    const shared = rows(BIG_ROWS);
    let context: object = { n: 0, rows: shared };
    const core = fakeCore(() => context);
    const running = precopy(core, input());
    expect(running).toBeInstanceOf(Promise);
    await turn();
    context = { n: 1, rows: shared, extra: rows(10) }; // what an event's assign builds: the rest shared
    const r = await running;
    expect(r).toMatchObject({ ok: true, rounds: 2, settled: true });
    expect(Object.isFrozen(context)).toBe(true);
    expect(isDigestCached(shared)).toBe(true);
    // the second round took the rows from the caches: it walked the new objects only
    if (r.ok) expect(r.objects).toBeLessThan(2 * (2 * BIG_ROWS + 1) + 30);
  });

  it('stops after its rounds on a context replaced at every turn, and leaves the rest to the pause', async () => {
    let n = 0;
    let context: object = { n, rows: rows(BIG_ROWS) };
    const core = fakeCore(() => context);
    const running = precopy(core, input());
    let done = false;
    void Promise.resolve(running).then(() => (done = true));
    while (!done) {
      context = { n: ++n, rows: rows(2_000) }; // nothing shared: every round has new work
      await turn();
    }
    const r = await running;
    expect(r).toMatchObject({ ok: true, rounds: PRECOPY_ROUNDS });
  });

  it('stops at its budget on the component clock, unsettled', async () => {
    const clock = new ManualClock();
    const core = fakeCore(() => ({ rows: rows(BIG_ROWS, 'budget') }), clock);
    const running = precopy(core, input(5)); // a budget of 50 ms on the component clock
    clock.advance(60);
    expect(await running).toMatchObject({ ok: true, rounds: 1, settled: false });
  });
});
