/**
 * Cold restore: an envelope written by any version of a component, brought to a version of its
 * lineage through the same migration path and checks as a live swap.
 */
import type { Snapshot } from 'xstate';
import type { Blocker, LinkRef } from '../blockers/blocker.ts';
import { blocker, formatBlockers } from '../blockers/messages.ts';
import type { ErrorData } from '../errors.ts';
import type { AnyLineage } from '../lineage/lineage.ts';
import { migrate } from '../migrate/migrate.ts';
import { restorable } from '../xstate/adapter.ts';
import type { PersistedSnapshot } from '../xstate/persisted.ts';
import { type Envelope, type PersistedTimer, parseEnvelope } from './envelope.ts';
import type { EnvelopeStore } from './store.ts';

/** Options of {@link restoreEnvelope}. */
export interface RestoreOptions {
  /**
   * The version to restore into.
   * @defaultValue the lineage's current (newest) version
   */
  readonly to?: number;
}

/** The result of a cold restore: the migrated snapshot and the carried timers, or why not. */
export type RestoreResult =
  | {
      readonly ok: true;
      /**
       * The migrated persisted snapshot (`value` and `context` deeply frozen, except the objects that hold
       * an actor ref's marker, which XState writes the revived ref into), status `active`: pass it
       * straight to `createActor(machine, { snapshot })` (hence also typed as XState's `Snapshot`).
       */
      readonly snapshot: PersistedSnapshot & Snapshot<unknown>;
      /** The version `snapshot` belongs to. */
      readonly version: number;
      /** The version that wrote the envelope. */
      readonly from: number;
      /** The links taken, in order (empty when no migration was needed). */
      readonly path: readonly LinkRef[];
      /** The envelope's timers, unchanged: re-arming them is the live runtime's job. */
      readonly timers: readonly PersistedTimer[];
      /** The verified envelope the snapshot came from. */
      readonly envelope: Envelope;
    }
  | {
      readonly ok: false;
      /**
       * Why, as a stable code: `ENVELOPE_*`, `UNKNOWN_COMPONENT`, `UNKNOWN_VERSION`, or
       * `MIGRATION_REFUSED` when the migration path or its checks produced blockers.
       */
      readonly error: ErrorData;
      /** The blockers, when the refusal has them (migration, unknown version, unsafe key, not active). */
      readonly blockers: readonly Blocker[];
      /** The link that failed, when the failure was in a link. */
      readonly failedAt?: LinkRef;
    };

/**
 * Restores an envelope (object or raw JSON text) into a lineage: verifies the envelope, checks the
 * component, version and status, then migrates it to `to` and verifies every step. Never throws on
 * bad input and never writes anything: a refusal is data.
 *
 * @example
 * const r = restoreEnvelope(driver, await readFile('state/driver-1.json', 'utf8'));
 * if (r.ok) createActor(driver.current.machine, { snapshot: r.snapshot }).start();
 * else console.error(r.error.code, formatBlockers(r.blockers));
 */
export function restoreEnvelope(lineage: AnyLineage, input: unknown, options: RestoreOptions = {}): RestoreResult {
  const parsed = parseEnvelope(input);
  if (!parsed.ok) {
    const e = parsed.error;
    const unsafe =
      e.code === 'ENVELOPE_UNSAFE_KEY'
        ? [blocker('unsafe-key', { path: String(e.details?.['path'] ?? ''), key: String(e.details?.['key'] ?? '') })]
        : [];
    return { ok: false, error: e, blockers: unsafe };
  }
  const envelope = parsed.envelope;

  if (envelope.component !== lineage.name) {
    return refuse(
      {
        code: 'UNKNOWN_COMPONENT',
        message: `Expected an envelope of component \`${lineage.name}\`, got one of \`${envelope.component}\``,
        details: { expected: lineage.name, got: envelope.component },
      },
      [],
    );
  }

  const known = lineage.versions.map((v) => v.version);
  const to = options.to ?? lineage.current.version;
  for (const [role, version] of [['envelope', envelope.version], ['target', to]] as const) {
    if (lineage.get(version) !== undefined) continue;
    const newest = lineage.current.version;
    const why = role === 'envelope' && version > newest ? `newer than the newest version it knows (v${newest})` : `not in the lineage (known: ${known.join(', ')})`;
    return refuse(
      {
        code: 'UNKNOWN_VERSION',
        message: `${role === 'envelope' ? 'The envelope was written by' : 'The restore target is'} ${lineage.name}@${version}, ${why}`,
        details: { role, version, known },
      },
      [blocker('unknown-version', { version, known })],
    );
  }

  const status = envelope.snapshot.status;
  if (status !== 'active') {
    return refuse(
      {
        code: 'ENVELOPE_NOT_ACTIVE',
        message: `Expected the snapshot's status to be \`active\`, got \`${status}\`; a ${status} actor cannot resume`,
        details: { status },
      },
      [blocker('not-active', { status })],
    );
  }

  const result = migrate(lineage, envelope.snapshot, { from: envelope.version, to });
  if (!result.ok) {
    const header = { component: lineage.name, from: envelope.version, to, action: 'restore' };
    const error: ErrorData = {
      code: 'MIGRATION_REFUSED',
      message: formatBlockers(result.blockers, header),
      details: { from: envelope.version, to },
    };
    return result.failedAt === undefined
      ? { ok: false, error, blockers: result.blockers }
      : { ok: false, error, blockers: result.blockers, failedAt: result.failedAt };
  }
  return {
    ok: true,
    // Checked above: the status is `active`, and migrations change only value, context and history.
    snapshot: restorable(result.snapshot) as PersistedSnapshot & Snapshot<unknown>,
    version: to,
    from: envelope.version,
    path: result.path,
    timers: envelope.timers,
    envelope,
  };
}

/**
 * Loads an instance's envelope from a store and restores it ({@link restoreEnvelope}). Never throws
 * on bad data; a missing envelope is `ENVELOPE_NOT_FOUND`.
 *
 * @example
 * const r = await restoreFromStore(createFileStore('./state'), 'driver-1', driver);
 */
export async function restoreFromStore(
  store: Pick<EnvelopeStore, 'load'>,
  id: string,
  lineage: AnyLineage,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const loaded = await store.load(id);
  if (!loaded.ok) return { ok: false, error: loaded.error, blockers: [] };
  return restoreEnvelope(lineage, loaded.envelope, options);
}

function refuse(error: ErrorData, blockers: readonly Blocker[]): RestoreResult {
  return { ok: false, error, blockers };
}
