import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createActor } from 'xstate';
import { fc } from '@fast-check/vitest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type Envelope,
  type EnvelopeStore,
  type RestoreResult,
  createEnvelope,
  createFileStore,
  createRuntime,
  defineVersion,
  lineage,
  restoreEnvelope,
  restoreFromStore,
  serializeEnvelope,
} from '../../src/index.ts';
import { z } from 'zod';
import { driver, driverV1, driverV2, driverV2Machine, driverV3, driverV3Machine } from '../fixtures/driver.ts';
import { fcParams } from '../_support/fc.ts';
import { deskAfter, deskMachine, deskWith } from '../fixtures/desk.ts';
import { busyDelay, stoppedV1Snapshot, tempDir, workedV1Snapshot } from './helpers.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const savedAt = '2026-10-01T08:00:00.000Z';
const v1Envelope = (): Envelope =>
  createEnvelope({ component: 'driver', version: 1, snapshot: workedV1Snapshot(), timers: [busyDelay], savedAt });

function refused(r: RestoreResult): Extract<RestoreResult, { ok: false }> {
  if (r.ok) throw new Error(`expected a refusal, got v${r.version}`);
  return r;
}

describe('restoreFromStore', () => {
  it('restores a v1 envelope written to disk by a real actor into v3, and v3 runs it', async () => {
    const store = createFileStore(dir);
    await store.save('driver-1', v1Envelope());

    const r = await restoreFromStore(store, 'driver-1', driver);

    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r).toMatchObject({ version: 3, from: 1, path: [{ from: 1, to: 2 }, { from: 2, to: 3 }] });
    expect(r.snapshot.value).toBe('working');
    expect(r.snapshot.context).toEqual({ queue: ['b', 'c'], retries: 0, stats: { completed: 1, failed: 0 } });
    expect(r.timers).toEqual([busyDelay]);

    const actor = createActor(driverV3Machine, { snapshot: r.snapshot }).start();
    expect(actor.getSnapshot().status).toBe('active');
    actor.send({ type: 'FAIL' });
    expect(actor.getSnapshot().value).toBe('idle');
    expect(actor.getSnapshot().context.stats).toEqual({ completed: 1, failed: 1 });
    actor.stop();
  });

  it('reports a missing instance as ENVELOPE_NOT_FOUND', async () => {
    const r = refused(await restoreFromStore(createFileStore(dir), 'ghost', driver));
    expect(r.error.code).toBe('ENVELOPE_NOT_FOUND');
    expect(r.blockers).toEqual([]);
  });

  it('writes nothing when the migration is refused', async () => {
    const throwing = lineage('driver', driverV1).next(driverV2, {
      up: () => {
        throw new RangeError('v2 migration is broken');
      },
    });
    const store = createFileStore(dir);
    await store.save('driver-1', v1Envelope());
    const path = join(dir, 'driver-1.json');
    const [bytes, { mtimeMs }] = [await readFile(path), await stat(path)];
    const writes: string[] = [];
    const watched: EnvelopeStore = {
      ...store,
      save: (id, e) => {
        writes.push(id);
        return store.save(id, e);
      },
    };

    const r = refused(await restoreFromStore(watched, 'driver-1', throwing));

    expect(r.error.code).toBe('MIGRATION_REFUSED');
    expect(r.failedAt).toEqual({ from: 1, to: 2 });
    expect(r.blockers).toMatchObject([{ kind: 'migration-threw', error: { name: 'RangeError', message: 'v2 migration is broken' } }]);
    expect(r.error.message).toBe('restore driver v1 → v2 refused:\n  migration v1 → v2 threw RangeError: v2 migration is broken');
    expect(writes).toEqual([]);
    expect(await readdir(dir)).toEqual(['driver-1.json']);
    expect(await readFile(path)).toEqual(bytes);
    expect((await stat(path)).mtimeMs).toBe(mtimeMs);
  });
});

describe('restoreEnvelope', () => {
  it('restores from raw JSON text the same as from the envelope object', () => {
    const e = v1Envelope();
    expect(restoreEnvelope(driver, serializeEnvelope(e))).toEqual(restoreEnvelope(driver, e));
  });

  it('restores into an older target with `to`, and runs down links', () => {
    const r2 = restoreEnvelope(driver, v1Envelope(), { to: 2 });
    expect(r2.ok && [r2.snapshot.value, r2.snapshot.context]).toEqual(['working', { queue: ['b', 'c'], completed: 1, retries: 0 }]);
    if (!r2.ok) return;
    const e2 = createEnvelope({ component: 'driver', version: 2, snapshot: r2.snapshot, savedAt });
    const back = restoreEnvelope(driver, e2, { to: 1 });
    expect(back.ok && [back.snapshot.value, back.snapshot.context, back.path]).toEqual([
      'busy',
      { queue: ['b', 'c'], completed: 1 },
      [{ from: 2, to: 1 }],
    ]);
  });

  it('verifies an envelope already at the target version without migrating it', () => {
    const r3 = restoreEnvelope(driver, v1Envelope());
    if (!r3.ok) throw new Error('expected ok');
    const e3 = createEnvelope({ component: 'driver', version: 3, snapshot: r3.snapshot, savedAt });
    expect(restoreEnvelope(driver, e3)).toMatchObject({ ok: true, version: 3, from: 3, path: [] });
  });

  it('refuses v3 → v1 because v2 → v3 has no down migration', () => {
    const r3 = restoreEnvelope(driver, v1Envelope());
    if (!r3.ok) throw new Error('expected ok');
    const e3 = createEnvelope({ component: 'driver', version: 3, snapshot: r3.snapshot, savedAt });
    const r = refused(restoreEnvelope(driver, e3, { to: 1 }));
    expect(r.error.code).toBe('MIGRATION_REFUSED');
    expect(r.blockers).toMatchObject([{ kind: 'irreversible', link: { from: 2, to: 3 } }]);
  });

  it('refuses an envelope of another component as UNKNOWN_COMPONENT', () => {
    const e = createEnvelope({ component: 'rate-limiter', version: 1, snapshot: workedV1Snapshot(), savedAt });
    const r = refused(restoreEnvelope(driver, e));
    expect(r.error).toMatchObject({ code: 'UNKNOWN_COMPONENT', details: { expected: 'driver', got: 'rate-limiter' } });
  });

  it('refuses a version newer than the lineage knows as UNKNOWN_VERSION with an unknown-version blocker', () => {
    const e = createEnvelope({ component: 'driver', version: 4, snapshot: workedV1Snapshot(), savedAt });
    const r = refused(restoreEnvelope(driver, e));
    expect(r.error.code).toBe('UNKNOWN_VERSION');
    expect(r.error.message).toBe('The envelope was written by driver@4, newer than the newest version it knows (v3)');
    expect(r.blockers).toMatchObject([{ kind: 'unknown-version', version: 4, known: [1, 2, 3] }]);
  });

  it('refuses an unknown target version as UNKNOWN_VERSION', () => {
    const r = refused(restoreEnvelope(driver, v1Envelope(), { to: 9 }));
    expect(r.error).toMatchObject({ code: 'UNKNOWN_VERSION', details: { role: 'target', version: 9 } });
  });

  it('refuses unparsable and truncated text as ENVELOPE_UNREADABLE', () => {
    const text = serializeEnvelope(v1Envelope());
    expect(refused(restoreEnvelope(driver, '{"format":')).error.code).toBe('ENVELOPE_UNREADABLE');
    expect(refused(restoreEnvelope(driver, text.slice(0, text.length - 10))).error.code).toBe('ENVELOPE_UNREADABLE');
  });

  it('refuses an edited envelope as ENVELOPE_HASH_MISMATCH', () => {
    const text = serializeEnvelope(v1Envelope()).replace('"completed": 1', '"completed": 1000');
    expect(refused(restoreEnvelope(driver, text)).error.code).toBe('ENVELOPE_HASH_MISMATCH');
  });

  it('refuses __proto__ and constructor keys in the snapshot with ENVELOPE_UNSAFE_KEY and an unsafe-key blocker', () => {
    const text = serializeEnvelope(v1Envelope());
    const proto = refused(restoreEnvelope(driver, text.replace('"queue": [', '"__proto__": { "isAdmin": true },\n "queue": [')));
    expect(proto.error.code).toBe('ENVELOPE_UNSAFE_KEY');
    expect(proto.blockers).toMatchObject([{ kind: 'unsafe-key', key: '__proto__', path: 'snapshot.context.__proto__' }]);
    const ctor = refused(restoreEnvelope(driver, text.replace('"historyValue": {}', '"historyValue": { "constructor": [] }')));
    expect(ctor.blockers).toMatchObject([{ kind: 'unsafe-key', key: 'constructor', path: 'snapshot.historyValue.constructor' }]);
  });

  it('refuses a snapshot whose status is not active with ENVELOPE_NOT_ACTIVE and a not-active blocker', () => {
    const stopped = stoppedV1Snapshot();
    expect(stopped.status).toBe('stopped');
    for (const snapshot of [stopped, { ...stopped, status: 'done', output: 1 }, { ...stopped, status: 'error', error: 'boom' }]) {
      const r = refused(restoreEnvelope(driver, createEnvelope({ component: 'driver', version: 1, snapshot, savedAt })));
      expect(r.error).toMatchObject({ code: 'ENVELOPE_NOT_ACTIVE', details: { status: snapshot.status } });
      expect(r.blockers).toMatchObject([{ kind: 'not-active', status: snapshot.status }]);
    }
  });

  it('refuses a state the next version cannot hold with MIGRATION_REFUSED and an unmapped-state blocker', () => {
    const snapshot = { ...workedV1Snapshot(), value: 'paused' };
    const r = refused(restoreEnvelope(driver, createEnvelope({ component: 'driver', version: 1, snapshot, savedAt })));
    expect(r.error.code).toBe('MIGRATION_REFUSED');
    expect(r.failedAt).toEqual({ from: 1, to: 2 });
    expect(r.blockers).toMatchObject([{ kind: 'unmapped-state', version: 2, state: 'paused', where: 'value' }]);
  });

  it('refuses a state that breaks the target invariant after migration', () => {
    const strict = lineage('driver', driverV1).next(
      defineVersion({ ...driverV2, invariant: ({ context }) => (context.queue.length <= 1 ? true : [{ path: 'context.queue', message: 'at most one job' }]) }),
      { up: ({ value, context }) => ({ value: value === 'busy' ? ('working' as const) : value, context: { ...context, retries: 0 } }) },
    );
    const r = refused(restoreEnvelope(strict, v1Envelope()));
    expect(r.blockers).toMatchObject([{ kind: 'invariant-violation', version: 2, path: 'context.queue', violation: 'at most one job' }]);
  });

  it('refuses a snapshot that holds __proto__ inside a JSON-parsed object given directly', async () => {
    const text = serializeEnvelope(v1Envelope()).replace('"queue": [', '"__proto__": {},\n "queue": [');
    await writeFile(join(dir, 'x.json'), text);
    const r = refused(restoreEnvelope(driver, JSON.parse(await readFile(join(dir, 'x.json'), 'utf8'))));
    expect(r.error.code).toBe('ENVELOPE_UNSAFE_KEY');
  });
});

describe('state values of hand-edited, re-hashed envelopes', () => {
  const rehashed = (value: unknown): Envelope => createEnvelope({ component: 'desk', version: 1, snapshot: { ...deskAfter('SPLIT', 'B', 'Y'), value } as never, savedAt });

  it('refuses a value XState would complete or accept, in restoreEnvelope and runtime.start', () => {
    const l = deskWith(undefined);
    for (const [value, kind] of [
      [{ both: { left: 'b' } }, 'incomplete-state-value'],
      [{}, 'incomplete-state-value'],
      [{ parked: {}, busy: 'reading' }, 'contradictory-state-value'],
      [[], 'malformed-state-value'],
    ] as const) {
      const r = refused(restoreEnvelope(l, rehashed(value), { to: 1 }));
      expect(r.error.code).toBe('MIGRATION_REFUSED');
      expect(r.blockers.map((b) => b.kind)).toEqual([kind]);
      expect(() => createRuntime().start(l, { version: 1, envelope: serializeEnvelope(rehashed(value)) })).toThrowError(
        expect.objectContaining({ code: 'MIGRATION_REFUSED', details: expect.objectContaining({ blockers: [expect.objectContaining({ kind })] }) }),
      );
    }
  });

  it('restores no value XState would complete or contradict (property over generated values)', () => {
    const keys = ['idle', 'parked', 'busy', 'reading', 'writing', 'hist', 'both', 'left', 'right', 'a', 'b', 'x', 'y'] as const;
    const { value: stateValue } = fc.letrec<{ value: unknown }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...keys),
        fc.dictionary(fc.constantFrom(...keys), tie('value'), { maxKeys: 3 }),
        fc.constantFrom<unknown>([], null, 0),
      ),
    }));
    const l = deskWith(undefined);
    let accepted = 0;
    let refusedCount = 0;
    fc.assert(
      fc.property(stateValue, (value) => {
        const r = restoreEnvelope(l, rehashed(value), { to: 1 });
        if (!r.ok) {
          refusedCount++;
          return;
        }
        accepted++;
        const actor = createActor(deskMachine, { snapshot: r.snapshot }).start();
        const restored = actor.getSnapshot().value;
        actor.stop();
        // every state the restored actor is in was named, or lies below a compound state named by its shorthand
        const named = statePathsOf(value);
        for (const leaf of statePathsOf(restored)) expect(named.some((n) => leaf === n || leaf.startsWith(`${n}.`)), `${leaf} in ${JSON.stringify(value)}`).toBe(true);
        // and no state that is not parallel is in two children
        expect(contradictions(restored), JSON.stringify(value)).toEqual([]);
      }),
      fcParams(500),
    );
    expect(accepted).toBeGreaterThan(10);
    expect(refusedCount).toBeGreaterThan(10);
  });
});

/** The leaf paths a state value names: strings, and keys whose value is `{}`. */
function statePathsOf(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  if (value === null || typeof value !== 'object') return [];
  const entries = Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([k, v]) => (v !== null && typeof v === 'object' && Object.keys(v).length === 0 ? [prefix + k] : statePathsOf(v, `${prefix}${k}.`)));
}

/** Paths of non-parallel states the value puts in more than one child (the desk's only parallel state is `both`). */
function contradictions(value: unknown, path = ''): string[] {
  if (value === null || typeof value !== 'object') return [];
  const keys = Object.keys(value);
  const own = path !== 'both' && keys.length > 1 ? [path] : [];
  return [...own, ...keys.flatMap((k) => contradictions((value as Record<string, unknown>)[k], path === '' ? k : `${path}.${k}`))];
}

describe('restoreEnvelope verifies as a live swap does (missing keys, plain data, schema output)', () => {
  /** v1 → a v2 of the driver whose link passes the context on as it is, optionally with a schema. */
  const forgetful = (schema?: unknown, extra: Record<string, unknown> = {}) =>
    lineage('driver', driverV1).next(defineVersion({ version: 2, machine: driverV2Machine, ...(schema === undefined ? {} : { schema: schema as never }) }), {
      up: ({ value, context }) => ({ value: value === 'busy' ? ('working' as const) : value, context: { ...context, ...extra } as never }),
    });

  it('refuses a link that forgot a key of the target’s initial context, and starts nothing', () => {
    const r = refused(restoreEnvelope(forgetful(), v1Envelope()));
    expect(r.error.code).toBe('MIGRATION_REFUSED');
    expect(r.blockers).toEqual([expect.objectContaining({ kind: 'missing-field', link: { from: 1, to: 2 }, path: 'context.retries' })]);
    expect(r.error.message).toContain("migration v1 → v2 left out field 'context.retries', which v2's initial context has");
  });

  it('refuses an envelope of the version itself that lacks a key (hand-edited, re-hashed)', () => {
    const edited = createEnvelope({
      component: 'driver',
      version: 3,
      snapshot: { status: 'active', value: 'idle', context: { queue: [], retries: 0, stats: { completed: 2 } }, children: {}, historyValue: {} },
      savedAt,
    });
    const r = refused(restoreEnvelope(lineage('driver', driverV3), edited));
    // (the invariant, reading `stats.failed`, fails too)
    expect(r.blockers.map((b) => b.message)).toContain("the v3 state lacks field 'context.stats.failed', which v3's initial context has");
  });

  it('refuses a link whose result an envelope could not hold', () => {
    const r = refused(restoreEnvelope(forgetful(undefined, { retries: 0, since: new Date(0) }), v1Envelope()));
    expect(r.blockers).toEqual([expect.objectContaining({ kind: 'unpersistable-value', path: 'context.since' })]);
  });

  it('installs the schema’s output: a zod `.default` fills in the key the link left out', () => {
    const schema = z.object({ queue: z.array(z.string()), completed: z.number(), retries: z.number().default(0) });
    const r = restoreEnvelope(forgetful(schema), v1Envelope());
    expect(r.ok && r.snapshot.context).toEqual({ queue: ['b', 'c'], completed: 1, retries: 0 });
  });
});
