import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Snapshot, createActor, createMachine, fromCallback, fromPromise, setup } from 'xstate';
import {
  type Envelope,
  ENVELOPE_FORMAT,
  createEnvelope,
  envelopeHash,
  isHotswapError,
  parseEnvelope,
  restoreEnvelope,
  serializeEnvelope,
} from '../../src/index.ts';
import { MAX_ENVELOPE_DEPTH as MAX_DEPTH } from '../../src/_internal/json.ts';
import { driver } from '../fixtures/driver.ts';
import { busyDelay, workedV1Snapshot } from './helpers.ts';

const savedAt = '2026-11-01T12:00:00.000Z';
const make = (): Envelope => createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [busyDelay], savedAt });

/** Parses the envelope's text, lets `edit` change the raw object, and writes it back as text. */
const edited = (envelope: Envelope, edit: (raw: any) => void): string => {
  const raw = JSON.parse(serializeEnvelope(envelope));
  edit(raw);
  return JSON.stringify(raw);
};

const errorOf = (input: unknown) => {
  const r = parseEnvelope(input);
  if (r.ok) throw new Error('expected parseEnvelope to refuse');
  return r.error;
};

describe('createEnvelope', () => {
  it('builds a hotswap.envelope/1 with the snapshot, timers, savedAt and a sha256 over sorted-key JSON', () => {
    const e = make();
    expect(e.format).toBe(ENVELOPE_FORMAT);
    expect(e).toMatchObject({ component: 'driver', version: 1, savedAt, timers: [busyDelay] });
    expect(e.snapshot).toMatchObject({ status: 'active', value: 'busy', context: { queue: ['b', 'c'], completed: 1 } });
    // Recompute independently: canonical JSON is JSON.stringify with keys sorted at every depth.
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v)
        ? v.map(sortKeys)
        : v !== null && typeof v === 'object'
          ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
          : v;
    const { hash, ...body } = e;
    expect(hash).toBe(createHash('sha256').update(JSON.stringify(sortKeys(body))).digest('hex'));
    expect(envelopeHash(e)).toBe(hash);
  });

  it('gives the same hash whatever order the snapshot keys were written in', () => {
    const s = workedV1Snapshot();
    const reordered = { children: s.children, context: { completed: 1, queue: ['b', 'c'] }, value: s.value, historyValue: {}, status: 'active' };
    const a = createEnvelope({ component: 'driver', version: 1, snapshot: s, savedAt });
    const b = createEnvelope({ component: 'driver', version: 1, snapshot: reordered, savedAt });
    expect(b.hash).toBe(a.hash);
  });

  it('deep-freezes the envelope and defaults timers to [] and savedAt to now', () => {
    const before = Date.now();
    const e = createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot() });
    expect(e.timers).toEqual([]);
    expect(Date.parse(e.savedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Object.isFrozen(e.snapshot.context)).toBe(true);
    expect(() => ((e.snapshot.context as { queue: string[] }).queue as string[]).push('x')).toThrow(TypeError);
  });

  it('throws INVALID_ARGUMENT for a bad version or a non-snapshot', () => {
    const snapshot = workedV1Snapshot();
    for (const input of [
      { component: 'driver', version: 0, snapshot },
      { component: '', version: 1, snapshot },
      { component: 'driver', version: 1, snapshot: { value: 'idle' } as any },
    ]) {
      expect(() => createEnvelope(input), JSON.stringify(input.version)).toThrow(
        expect.objectContaining({ name: 'HotswapError', code: 'INVALID_ARGUMENT' }),
      );
    }
  });

  it('throws ENVELOPE_INVALID naming the path for data JSON would silently change, instead of saving something else', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    const cyclic: any = { queue: [] };
    cyclic.queue.push(cyclic);
    const cases: Array<[string, unknown]> = [
      ['snapshot.context.m', new Map([[1, 2]])],
      ['snapshot.context.m', new Set([1])],
      ['snapshot.context.m', new Date(0)],
      ['snapshot.context.m', NaN],
      ['snapshot.context.m', Infinity],
      ['snapshot.context.m', -Infinity],
      ['snapshot.context.m', new Point(1)],
      ['snapshot.context.m', 10n],
      ['snapshot.context.m', () => 1],
      ['snapshot.context.m', Symbol('s')],
      ['snapshot.context.m.1', [1, undefined]],
      ['snapshot.context.m.queue.0', cyclic],
      ['snapshot.context.m', new Proxy({}, {})],
      // JSON drops it without a word, where a spread keeps it (issue 9: one definition of plain data, shared with verify)
      ['snapshot.context.m', { [Symbol('s')]: 1 }],
    ];
    for (const [path, m] of cases) {
      const snapshot = { ...workedV1Snapshot(), context: { m } };
      let thrown: unknown;
      try {
        createEnvelope({ component: 'driver', version: 1, snapshot, savedAt });
      } catch (error) {
        thrown = error;
      }
      expect(isHotswapError(thrown, 'ENVELOPE_INVALID'), String(path)).toBe(true);
      expect((thrown as { details?: unknown }).details, path).toMatchObject({ field: path });
      expect((thrown as Error).message, path).toContain(`\`${path}\``);
    }
    const timer = { kind: 'timer', id: 't', handler: 't', payload: { at: new Date(0) }, delayMs: 5, remainingMs: 5 } as const;
    expect(() => createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [timer], savedAt })).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_INVALID', details: { field: 'timers.0.payload.at' } }),
    );
  });

  it('keeps undefined members out and -0 as 0, as JSON does, so the object and its file are the same', () => {
    const snapshot = { ...workedV1Snapshot(), context: { queue: [], completed: -0, note: undefined } };
    const e = createEnvelope({ component: 'driver', version: 1, snapshot, savedAt });
    const context = e.snapshot.context as Record<string, unknown>;
    expect(Object.is(context['completed'], 0)).toBe(true);
    expect('note' in context).toBe(false);
    expect(parseEnvelope(serializeEnvelope(e))).toEqual({ ok: true, envelope: e });
  });

  it("accepts XState's own persisted snapshots: output/error undefined, invoked machine, promise and callback children", () => {
    const child = createMachine({ id: 'child', initial: 'a', context: { n: 1 }, states: { a: { on: { GO: 'b' } }, b: { type: 'final' } } });
    const machine = setup({ actors: { child, p: fromPromise(async () => 42), cb: fromCallback(() => () => undefined) } }).createMachine({
      id: 'root',
      initial: 's',
      context: { x: 1, at: '2026-01-01' },
      states: {
        s: {
          invoke: [
            { id: 'kid', src: 'child' },
            { id: 'prom', src: 'p' },
            { id: 'cb', src: 'cb' },
          ],
          initial: 'i',
          states: { i: { on: { N: 'j' } }, j: {}, hist: { type: 'history', history: 'deep' } },
          on: { OUT: 't' },
        },
        t: { on: { BACK: 's.hist' } },
      },
    });
    const actor = createActor(machine).start();
    for (const type of ['N', 'OUT', 'BACK']) actor.send({ type });
    const persisted = actor.getPersistedSnapshot();
    actor.stop();
    expect(persisted).toHaveProperty('output', undefined);
    const e = createEnvelope({ component: 'root', version: 1, snapshot: persisted, savedAt });
    expect(Object.keys(e.snapshot.children)).toEqual(['kid', 'prom', 'cb']);
    expect(e.snapshot.historyValue).toEqual({ 'root.s.hist': [{ id: 'root.s.j' }] });
    const back = parseEnvelope(serializeEnvelope(e));
    expect(back.ok).toBe(true);
    const restored = createActor(machine, { snapshot: back.ok ? (back.envelope.snapshot as Snapshot<unknown>) : undefined }).start();
    expect(restored.getSnapshot().value).toEqual({ s: 'j' });
    restored.stop();
  });

  it('throws ENVELOPE_UNSAFE_KEY for a snapshot that holds an own __proto__ key', () => {
    const snapshot = JSON.parse('{"status":"active","value":"idle","children":{},"context":{"__proto__":{"admin":true}}}');
    let thrown: unknown;
    try {
      createEnvelope({ component: 'driver', version: 1, snapshot });
    } catch (error) {
      thrown = error;
    }
    expect(isHotswapError(thrown, 'ENVELOPE_UNSAFE_KEY')).toBe(true);
  });
});

describe('parseEnvelope', () => {
  it('reads back the serialised text as an equal, verified, frozen envelope', () => {
    const e = make();
    const text = serializeEnvelope(e);
    expect(text).toContain('\n  "format": "hotswap.envelope/1",\n');
    const r = parseEnvelope(text);
    expect(r).toEqual({ ok: true, envelope: e });
    expect(r.ok && Object.isFrozen(r.envelope.timers[0])).toBe(true);
  });

  it('accepts an already-parsed object and copies it rather than freezing the caller’s object', () => {
    const raw = JSON.parse(serializeEnvelope(make()));
    const r = parseEnvelope(raw);
    expect(r.ok).toBe(true);
    expect(Object.isFrozen(raw.snapshot)).toBe(false);
  });

  it('reports unparsable and truncated text as ENVELOPE_UNREADABLE', () => {
    const text = serializeEnvelope(make());
    expect(errorOf('not json').code).toBe('ENVELOPE_UNREADABLE');
    expect(errorOf('').code).toBe('ENVELOPE_UNREADABLE');
    expect(errorOf(text.slice(0, Math.floor(text.length / 2))).code).toBe('ENVELOPE_UNREADABLE');
    expect(errorOf(text.slice(0, -3)).code).toBe('ENVELOPE_UNREADABLE');
  });

  it('detects tampering with the context, the state, the timers or savedAt as ENVELOPE_HASH_MISMATCH', () => {
    const e = make();
    const edits: Array<(raw: any) => void> = [
      (raw) => (raw.snapshot.context.completed = 99),
      (raw) => (raw.snapshot.value = 'idle'),
      (raw) => (raw.timers[0].remainingMs = 100_000),
      (raw) => (raw.savedAt = '2020-01-01T00:00:00.000Z'),
      (raw) => (raw.version = 2),
    ];
    for (const edit of edits) {
      const error = errorOf(edited(e, edit));
      expect(error.code).toBe('ENVELOPE_HASH_MISMATCH');
      expect(error.details).toMatchObject({ stored: e.hash });
    }
  });

  it('refuses __proto__ and constructor keys anywhere as ENVELOPE_UNSAFE_KEY, naming the path', () => {
    const e = make();
    const proto = serializeEnvelope(e).replace('"completed": 1', '"completed": 1, "__proto__": { "polluted": true }');
    expect(errorOf(proto)).toMatchObject({ code: 'ENVELOPE_UNSAFE_KEY', details: { path: 'snapshot.context.__proto__', key: '__proto__' } });
    // the same when handed the parsed object: copying it keeps `__proto__` a key, never a prototype
    expect(errorOf(JSON.parse(proto))).toMatchObject({ code: 'ENVELOPE_UNSAFE_KEY', details: { path: 'snapshot.context.__proto__' } });
    const ctor = edited(e, (raw) => (raw.snapshot.context.queue = [{ constructor: { prototype: {} } }]));
    expect(errorOf(ctor)).toMatchObject({ code: 'ENVELOPE_UNSAFE_KEY', details: { path: 'snapshot.context.queue.0.constructor' } });
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('refuses a wrong shape as ENVELOPE_INVALID, naming the field', () => {
    const e = make();
    const cases: Array<[string, (raw: any) => void]> = [
      ['format', (raw) => (raw.format = 'hotswap.envelope/2')],
      ['component', (raw) => delete raw.component],
      ['version', (raw) => (raw.version = 1.5)],
      ['snapshot', (raw) => (raw.snapshot = { value: 'busy' })],
      ['timers', (raw) => delete raw.timers],
      ['timers.0.event', (raw) => delete raw.timers[0].event],
      ['timers.0.remainingMs', (raw) => (raw.timers[0].remainingMs = -1)],
      ['timers.0.handler', (raw) => (raw.timers[0] = { kind: 'timer', id: 'complete', delayMs: 5, remainingMs: 5 })],
      ['timers.0.kind', (raw) => (raw.timers[0].kind = 'interval')],
      ['savedAt', (raw) => (raw.savedAt = 'yesterday')],
      ['hash', (raw) => (raw.hash = 'abc')],
      ['extra', (raw) => (raw.extra = 1)],
    ];
    for (const [field, edit] of cases) {
      expect(errorOf(edited(e, edit)), field).toMatchObject({ code: 'ENVELOPE_INVALID', details: { field } });
    }
    expect(errorOf('[]')).toMatchObject({ code: 'ENVELOPE_INVALID', details: { field: 'envelope' } });
    expect(errorOf(null)).toMatchObject({ code: 'ENVELOPE_INVALID' });
  });

  it('accepts a runtime timer with its handler and payload, and keeps them in the hash', () => {
    const timer = { kind: 'timer', id: 'complete_request', handler: 'complete_request', payload: { req: 7 }, delayMs: 500, remainingMs: 120 } as const;
    const e = createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [timer], savedAt });
    const r = parseEnvelope(serializeEnvelope(e));
    expect(r.ok && r.envelope.timers).toEqual([timer]);
    expect(errorOf(edited(e, (raw) => (raw.timers[0].payload.req = 8))).code).toBe('ENVELOPE_HASH_MISMATCH');
  });

  it('refuses a 6 KB file of arrays nested 3,000 deep as ENVELOPE_INVALID naming the depth, instead of overflowing the stack', () => {
    const deep = `${'['.repeat(3_000)}0${']'.repeat(3_000)}`;
    const text = serializeEnvelope(make()).replace('"completed": 1', `"completed": 1, "d": ${deep}`);
    expect(text.length).toBeLessThan(7_000);
    const error = errorOf(text);
    expect(error).toMatchObject({ code: 'ENVELOPE_INVALID', details: { maxDepth: MAX_DEPTH } });
    expect(String(error.details?.['field'])).toMatch(/^snapshot\.context\.d\.0\.0/);
    expect(error.message).toContain(`at most ${MAX_DEPTH} levels deep`);
    expect(error.message.length).toBeLessThan(200);
    // the same as an object, and through restoreEnvelope
    const raw = JSON.parse(text);
    expect(errorOf(raw)).toMatchObject({ code: 'ENVELOPE_INVALID', details: { maxDepth: MAX_DEPTH } });
    const restored = restoreEnvelope(driver, text);
    expect(restored.ok === false && restored.error.code).toBe('ENVELOPE_INVALID');
  });

  it('accepts data nested right up to the depth limit, and restores it', () => {
    // envelope (0) > snapshot (1) > context (2) > d (3) > … : the innermost array sits at MAX_DEPTH
    let d: unknown = [];
    for (let depth = MAX_DEPTH; depth > 3; depth--) d = [d];
    const e = createEnvelope({ component: 'driver', version: 1, snapshot: { ...workedV1Snapshot(), context: { queue: [], completed: 0, d } }, savedAt });
    const r = parseEnvelope(serializeEnvelope(e));
    expect(r.ok).toBe(true);
    const deeper = { ...workedV1Snapshot(), context: { queue: [], completed: 0, d: [d] } };
    expect(() => createEnvelope({ component: 'driver', version: 1, snapshot: deeper, savedAt })).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_INVALID', details: expect.objectContaining({ maxDepth: MAX_DEPTH }) }),
    );
  });

  it('refuses an envelope object holding a BigInt, a throwing getter, a Proxy or a cycle as ENVELOPE_INVALID, never throwing', () => {
    const base = () => JSON.parse(serializeEnvelope(make()));
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const cyclic = base();
    cyclic.snapshot.context.self = cyclic.snapshot.context;
    const withGetter = base();
    Object.defineProperty(withGetter.snapshot.context, 'g', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    const cases: Array<[string, unknown]> = [
      ['snapshot.context.b', (() => Object.assign(base(), { snapshot: { ...base().snapshot, context: { b: 1n } } }))()],
      ['snapshot.context.g', withGetter],
      ['snapshot.context.p', (() => Object.assign(base(), { snapshot: { ...base().snapshot, context: { p: revocable.proxy } } }))()],
      ['envelope', new Proxy(base(), { ownKeys: () => { throw new Error('trap'); } })],
      ['snapshot', (() => Object.assign(base(), { snapshot: new Proxy(base().snapshot, {}) }))()],
      ['snapshot.context.self', cyclic],
    ];
    for (const [field, input] of cases) {
      let r: ReturnType<typeof parseEnvelope> | undefined;
      expect(() => (r = parseEnvelope(input)), field).not.toThrow();
      expect(r, field).toMatchObject({ ok: false, error: { code: 'ENVELOPE_INVALID', details: { field } } });
      let restored: ReturnType<typeof restoreEnvelope> | undefined;
      expect(() => (restored = restoreEnvelope(driver, input)), field).not.toThrow();
      expect(restored, field).toMatchObject({ ok: false, error: { code: 'ENVELOPE_INVALID', details: { field } }, blockers: [] });
    }
  });

  it('refuses JSON numbers that parse to Infinity (1e400) rather than hashing them as null', () => {
    const text = serializeEnvelope(make()).replace('"completed": 1', '"completed": 1e400');
    expect(errorOf(text)).toMatchObject({ code: 'ENVELOPE_INVALID', details: { field: 'snapshot.context.completed' } });
  });

  it('refuses timer delays Node cannot wait for (above 2^31-1 ms fires at once) as ENVELOPE_INVALID naming the field', () => {
    const longest = 2 ** 31 - 1;
    const timer = (delayMs: number, remainingMs: number) => ({ ...busyDelay, delayMs, remainingMs });
    const ok = createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [timer(longest, longest)], savedAt });
    expect(parseEnvelope(serializeEnvelope(ok)).ok).toBe(true);
    expect(errorOf(edited(ok, (raw) => (raw.timers[0].remainingMs = longest + 1)))).toMatchObject({
      code: 'ENVELOPE_INVALID',
      details: { field: 'timers.0.remainingMs' },
    });
    expect(errorOf(edited(ok, (raw) => (raw.timers[0].delayMs = 4_294_967_297)))).toMatchObject({
      code: 'ENVELOPE_INVALID',
      details: { field: 'timers.0.delayMs' },
    });
    expect(() => createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [timer(2 ** 40, 5)], savedAt })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { field: 'timers.0.delayMs' } }),
    );
  });
});
