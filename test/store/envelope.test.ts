import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type Envelope,
  ENVELOPE_FORMAT,
  createEnvelope,
  envelopeHash,
  isHotswapError,
  parseEnvelope,
  serializeEnvelope,
} from '../../src/index.ts';
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

  it('throws INVALID_ARGUMENT for a bad version, a non-snapshot, or a cyclic snapshot', () => {
    const snapshot = workedV1Snapshot();
    const cyclic: any = { ...snapshot, context: {} };
    cyclic.context.self = cyclic;
    for (const input of [
      { component: 'driver', version: 0, snapshot },
      { component: '', version: 1, snapshot },
      { component: 'driver', version: 1, snapshot: { value: 'idle' } as any },
      { component: 'driver', version: 1, snapshot: cyclic },
    ]) {
      expect(() => createEnvelope(input), JSON.stringify(input.version)).toThrow(
        expect.objectContaining({ name: 'HotswapError', code: 'INVALID_ARGUMENT' }),
      );
    }
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
});
