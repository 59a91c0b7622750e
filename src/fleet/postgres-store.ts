/**
 * The PostgreSQL fleet store, through `pg` (node-postgres), imported lazily so only fleet users need it
 * (an optional peer dependency; missing, it is a typed `FLEET_PG_MISSING`). Each method is one
 * transaction — most are one statement — so advancing a wave, setting its steps and appending the audit
 * log happen all-or-none. Moves lock the rollout row (`FOR UPDATE`) and compare its `version`; agents
 * claim with `FOR UPDATE SKIP LOCKED`; leases and soaks are judged by the server's `now()`; NOTIFY wakes
 * agents and controllers (who also poll, e.g. behind PgBouncer). No session-level advisory lock is taken.
 * Tests: test/fleet/postgres.test.ts, test/fleet/rollout-processes.test.ts.
 */
import { HotswapError, shown } from '../errors.ts';
import { countsFrom, evidenceFrom } from './_internal/counts.ts';
import { isSchemaName, MIGRATIONS, SCHEMA_VERSION } from './_internal/schema.ts';
import { assignWaves, moveData, transition } from './rules.ts';
import type { AuditEntry, FleetStore, InstanceRow, MoveResult, Rollout, RolloutView, StartResult, Step, StepCounts, StepStatus } from './types.ts';

/** The part of a `pg.PoolClient` the store uses. */
export interface PgClientLike {
  query(text: string, values?: readonly unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  release(error?: Error | boolean): void;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a `pg.Pool` the store uses. */
export interface PgPoolLike {
  connect(): Promise<PgClientLike>;
  query(text: string, values?: readonly unknown[]): Promise<{ rows: any[]; rowCount: number | null }>;
  end(): Promise<void>;
}

/** Options of {@link createPostgresStore}: a connection string or a pool of your own. */
export interface PostgresStoreOptions {
  /** e.g. `postgres://user@127.0.0.1:5432/app`; the store opens (and closes) its own pool. */
  readonly connectionString?: string;
  /** A `pg.Pool` you own; `close()` leaves it open. */
  readonly pool?: PgPoolLike;
  /** The schema holding the fleet's tables, created if missing. @defaultValue 'hotswap_fleet' */
  readonly schema?: string;
  /** Pool size when the store opens its own pool. @defaultValue 10 */
  readonly max?: number;
}

/** A {@link FleetStore} on PostgreSQL, counting its round trips (for benchmarks). */
export interface PostgresStore extends FleetStore {
  readonly kind: 'postgres';
  readonly schema: string;
  /** Statements sent to the server so far. */
  readonly roundTrips: number;
}

/**
 * Connects, creates or migrates the schema, and returns the store.
 *
 * @example
 * const store = await createPostgresStore({ connectionString: process.env.DATABASE_URL });
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const schema = options.schema ?? 'hotswap_fleet';
  if (!isSchemaName(schema)) throw new HotswapError('INVALID_ARGUMENT', `Expected \`schema\` to be a lower-case SQL identifier, got ${shown(schema)}`);
  if ((options.pool === undefined) === (options.connectionString === undefined)) throw new HotswapError('INVALID_ARGUMENT', 'Expected exactly one of `connectionString` and `pool`');
  const pool = options.pool ?? new (await loadPg()).Pool({ connectionString: options.connectionString, max: options.max ?? 10 });
  const owned = options.pool === undefined;
  // node-postgres emits 'error' on the pool when an idle client loses its server; unheard, that kills the
  // process. The next query on the pool fails and is reported where it is made.
  if (owned) (pool as unknown as { on(event: 'error', listener: () => void): void }).on('error', () => undefined);
  const s = `"${schema}"`;
  const channel = `${schema}_work`;
  let roundTrips = 0;
  const q = (c: Pick<PgClientLike, 'query'>, text: string, values?: readonly unknown[]) => {
    roundTrips++;
    return c.query(text.replaceAll('$s', s), values);
  };
  const tx = async <T>(fn: (c: PgClientLike) => Promise<T>): Promise<T> => {
    const c = await pool.connect();
    try {
      await q(c, 'BEGIN');
      const out = await fn(c);
      await q(c, 'COMMIT');
      return out;
    } catch (error) {
      await q(c, 'ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      c.release();
    }
  };
  const one = (text: string, values?: readonly unknown[]) => q(pool, text, values);

  try {
    await migrate(tx, q, schema);
  } catch (error) {
    if (owned) await pool.end().catch(() => undefined);
    throw error;
  }

  const ROLLOUT = `id, component, from_version, to_version, waves, sizes, gate, status, wave, version, reason,
    (extract(epoch from gate_started_at) * 1000)::float8 AS gate_started_at,
    (extract(epoch from created_at) * 1000)::float8 AS created_at, (extract(epoch from updated_at) * 1000)::float8 AS updated_at`;
  const readRollout = async (c: Pick<PgClientLike, 'query'>, id: string, lock = ''): Promise<Rollout | undefined> => {
    const r = await q(c, `SELECT ${ROLLOUT} FROM $s.rollouts WHERE id = $1 ${lock}`, [id]);
    return r.rows[0] === undefined ? undefined : rolloutOf(r.rows[0]);
  };
  const stepCounts = (rows: readonly { kind: string; wave: number; status: StepStatus; n: number }[], pick: (r: { kind: string; wave: number }) => boolean): StepCounts => countsFrom(rows.filter(pick));

  // LISTEN on one dedicated connection, opened with the first subscriber; on error, subscribers fall back to their poll
  const listeners = new Set<() => void>();
  let closed = false;
  let listening: Promise<PgClientLike | undefined> | undefined;
  const listen = (): void => {
    if (listening !== undefined) return;
    listening = pool.connect().then(
      async (c) => {
        c.on('notification', (m) => {
          if (m.channel === channel) for (const l of listeners) l();
        });
        c.on('error', () => {
          // the connection is gone: subscribers poll meanwhile; listen again in a second while anyone listens
          listening = undefined;
          c.release(true);
          if (listeners.size > 0 && !closed) setTimeout(() => listeners.size > 0 && !closed && listen(), 1000).unref();
        });
        await q(c, `LISTEN "${channel}"`);
        return c;
      },
      () => (listening = undefined),
    );
  };
  const NOTIFY = `pg_notify('${channel}', '')`;

  const store: PostgresStore = {
    kind: 'postgres',
    schema,
    get roundTrips() {
      return roundTrips;
    },
    async registerAgent(agent, leaseMs) {
      const i = agent.instances;
      await one(
        `WITH a AS (INSERT INTO $s.agents (agent_id, process, lease_until) VALUES ($1, $2, now() + $3 * interval '1 ms')
           ON CONFLICT (agent_id) DO UPDATE SET process = EXCLUDED.process, lease_until = EXCLUDED.lease_until RETURNING agent_id)
         INSERT INTO $s.instances (component, instance, agent_id, version)
           SELECT c, n, (SELECT agent_id FROM a), v FROM unnest($4::text[], $5::text[], $6::int[]) AS u(c, n, v)
           ON CONFLICT (component, instance) DO UPDATE SET agent_id = EXCLUDED.agent_id, version = EXCLUDED.version`,
        [agent.agentId, agent.process, leaseMs, i.map((x) => x.component), i.map((x) => x.instance), i.map((x) => x.version)],
      );
    },
    async heartbeat(agentId, leaseMs) {
      const r = await one(`UPDATE $s.agents SET lease_until = now() + $2 * interval '1 ms' WHERE agent_id = $1 AND lease_until > now()`, [agentId, leaseMs]);
      return r.rowCount === 1;
    },
    async claimSteps(agentId, limit) {
      const r = await one(
        `WITH c AS (SELECT st.rollout_id, st.kind, st.instance FROM $s.steps st
             WHERE st.agent_id = $1 AND st.status = 'pending'
               AND EXISTS (SELECT 1 FROM $s.agents a WHERE a.agent_id = $1 AND a.lease_until > now())
             ORDER BY st.wave, st.instance LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE $s.steps st SET status = 'claimed', updated_at = now() FROM c
           WHERE st.rollout_id = c.rollout_id AND st.kind = c.kind AND st.instance = c.instance
         RETURNING st.rollout_id, st.kind, st.wave, st.component, st.instance, st.agent_id, st.from_version, st.target`,
        [agentId, limit],
      );
      return r.rows.map((x): Step => ({ rolloutId: x.rollout_id, kind: x.kind, wave: x.wave, component: x.component, instance: x.instance, agentId: x.agent_id, from: x.from_version, target: x.target }));
    },
    async completeSteps(agentId, outcomes) {
      if (outcomes.length === 0) return 0;
      const r = await one(
        `WITH o AS (SELECT * FROM jsonb_to_recordset($2::jsonb) AS o(rollout_id text, kind text, instance text, report jsonb)),
         u AS (UPDATE $s.steps st SET status = CASE WHEN o.report->>'outcome' = 'committed' THEN 'done' ELSE 'failed' END, report = o.report, updated_at = now()
                 FROM o WHERE st.rollout_id = o.rollout_id AND st.kind = o.kind AND st.instance = o.instance AND st.status = 'claimed' AND st.agent_id = $1
               RETURNING st.*),
         i AS (UPDATE $s.instances ins SET version = (u.report->>'to')::int FROM u
                 WHERE u.status = 'done' AND ins.component = u.component AND ins.instance = u.instance),
         a AS (INSERT INTO $s.audit (rollout_id, kind, wave, instance, agent_id, data)
                 SELECT u.rollout_id, 'instance-attempt', u.wave, u.instance, $1, jsonb_build_object('kind', u.kind) || u.report FROM u)
         SELECT (SELECT count(*) FROM u)::int AS n, ${NOTIFY}`,
        [agentId, JSON.stringify(outcomes.map((o) => ({ rollout_id: o.rolloutId, kind: o.kind, instance: o.instance, report: o.report })))],
      );
      return r.rows[0].n as number;
    },
    async instances(component) {
      const r = await one(`SELECT i.component, i.instance, i.version, i.agent_id, a.lease_until > now() AS alive FROM $s.instances i JOIN $s.agents a USING (agent_id) WHERE i.component = $1`, [component]);
      return r.rows.map((x): InstanceRow => ({ component: x.component, instance: x.instance, version: x.version, agentId: x.agent_id, alive: x.alive }));
    },
    async startRollout(spec): Promise<StartResult> {
      return tx(async (c) => {
        const existing = await readRollout(c, spec.id);
        if (existing !== undefined) return { ok: false, code: 'ROLLOUT_EXISTS', message: `rollout ${spec.id} exists`, current: existing };
        const act = await q(c, `SELECT ${ROLLOUT} FROM $s.rollouts WHERE component = $1 AND status NOT IN ('completed','aborted')`, [spec.component]);
        if (act.rows[0] !== undefined) {
          const current = rolloutOf(act.rows[0]);
          return { ok: false, code: 'ROLLOUT_ACTIVE', message: `rollout ${current.id} of ${spec.component} is ${current.status}`, current };
        }
        const live = await q(c, `SELECT i.component, i.instance, i.version, i.agent_id FROM $s.instances i JOIN $s.agents a USING (agent_id) WHERE i.component = $1 AND i.version = $2 AND a.lease_until > now()`, [spec.component, spec.from]);
        if (live.rows.length === 0) return { ok: false, code: 'NO_INSTANCES', message: `no live instance of ${spec.component} runs v${spec.from}` };
        const plan = assignWaves(live.rows.map((x) => ({ component: x.component, instance: x.instance, version: x.version, agentId: x.agent_id, alive: true })), spec.waves);
        const ins = await q(
          c,
          `INSERT INTO $s.rollouts (id, component, from_version, to_version, waves, sizes, gate, status, wave, version)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'waving', 0, 1) ON CONFLICT DO NOTHING RETURNING ${ROLLOUT}`,
          [spec.id, spec.component, spec.from, spec.to, JSON.stringify(spec.waves), plan.sizes, JSON.stringify(spec.gate)],
        );
        if (ins.rows[0] === undefined) return { ok: false, code: 'ROLLOUT_ACTIVE', message: `another rollout of ${spec.component} started at the same time` };
        await q(
          c,
          `INSERT INTO $s.steps (rollout_id, kind, instance, wave, component, agent_id, from_version, target, status)
             SELECT $1, 'up', n, w, $2, a, $3, $4, CASE WHEN w = 0 THEN 'pending' ELSE 'planned' END FROM unnest($5::text[], $6::int[], $7::text[]) AS u(n, w, a)`,
          [spec.id, spec.component, spec.from, spec.to, plan.order.map((x) => x.instance), plan.waveOf, plan.order.map((x) => x.agentId)],
        );
        await q(
          c,
          `INSERT INTO $s.audit (rollout_id, kind, wave, data) VALUES ($1, 'rollout-started', NULL, $2), ($1, 'wave-opened', 0, $3)`,
          [spec.id, JSON.stringify({ by: spec.by, component: spec.component, from: spec.from, to: spec.to, waves: spec.waves, sizes: plan.sizes, gate: spec.gate }), JSON.stringify({ size: plan.sizes[0] })],
        );
        await q(c, `SELECT ${NOTIFY}`);
        return { ok: true, rollout: rolloutOf(ins.rows[0]) };
      });
    },
    async view(rolloutId): Promise<RolloutView | undefined> {
      const r = await one(
        `SELECT (extract(epoch from now()) * 1000)::float8 AS now, r.row AS rollout, c.groups FROM
           (SELECT row_to_json(x) AS row FROM (SELECT ${ROLLOUT} FROM $s.rollouts WHERE id = $1) x) r,
           LATERAL (SELECT coalesce(json_agg(g), '[]') AS groups FROM (SELECT kind, wave, status, count(*)::int AS n FROM $s.steps WHERE rollout_id = $1 GROUP BY 1, 2, 3) g) c`,
        [rolloutId],
      );
      const row = r.rows[0];
      if (row === undefined) return undefined;
      const rollout = rolloutOf(row.rollout);
      const groups = row.groups as { kind: string; wave: number; status: StepStatus; n: number }[];
      return { rollout, waves: rollout.sizes.map((_, w) => stepCounts(groups, (g) => g.kind === 'up' && g.wave === w)), revert: stepCounts(groups, (g) => g.kind === 'down'), now: row.now };
    },
    async rollouts() {
      const r = await one(`SELECT ${ROLLOUT} FROM $s.rollouts ORDER BY created_at DESC, id`);
      return r.rows.map(rolloutOf);
    },
    async expireDeadAgents(rolloutId) {
      const r = await one(
        `WITH x AS (SELECT st.kind, st.instance, st.status AS was FROM $s.steps st JOIN $s.agents a USING (agent_id)
                      WHERE st.rollout_id = $1 AND st.status IN ('pending','claimed') AND a.lease_until <= now() FOR UPDATE OF st),
         u AS (UPDATE $s.steps st SET status = 'unknown', updated_at = now() FROM x WHERE st.rollout_id = $1 AND st.kind = x.kind AND st.instance = x.instance RETURNING st.*, x.was),
         a AS (INSERT INTO $s.audit (rollout_id, kind, wave, instance, agent_id, data)
                 SELECT $1, 'instance-unknown', u.wave, u.instance, u.agent_id, jsonb_build_object('kind', u.kind, 'was', u.was, 'reason', 'agent lease expired') FROM u)
         SELECT (SELECT count(*) FROM u)::int AS n, ${NOTIFY}`,
        [rolloutId],
      );
      return r.rows[0].n as number;
    },
    async ensureRevertSteps(rolloutId) {
      const r = await one(
        `WITH r AS (SELECT * FROM $s.rollouts WHERE id = $1 AND status = 'reverting'),
         c AS (UPDATE $s.steps SET status = 'cancelled', updated_at = now() WHERE rollout_id = $1 AND kind = 'up' AND status IN ('planned','pending') AND EXISTS (SELECT 1 FROM r) RETURNING 1),
         d AS (INSERT INTO $s.steps (rollout_id, kind, instance, wave, component, agent_id, from_version, target, status)
                 SELECT st.rollout_id, 'down', st.instance, st.wave, st.component, st.agent_id, r.to_version, r.from_version, 'pending'
                 FROM $s.steps st, r WHERE st.rollout_id = $1 AND st.kind = 'up' AND st.status = 'done' ON CONFLICT DO NOTHING RETURNING 1)
         SELECT (SELECT count(*) FROM c)::int AS cancelled, (SELECT count(*) FROM d)::int AS n, ${NOTIFY}`,
        [rolloutId],
      );
      return r.rows[0].n as number;
    },
    async evidence(rolloutId, wave) {
      const r = await one(
        `SELECT (SELECT coalesce(json_agg(g), '[]') FROM (SELECT status, count(*)::int AS n FROM $s.steps WHERE rollout_id = $1 AND kind = 'up' AND wave = $2 GROUP BY 1) g) AS groups,
                (SELECT coalesce(json_object_agg(k, n), '{}') FROM (SELECT b->>'kind' AS k, count(*)::int AS n FROM $s.audit a, jsonb_array_elements(a.data->'blockers') b
                   WHERE a.rollout_id = $1 AND a.kind = 'instance-attempt' AND a.wave = $2 AND a.data->>'kind' = 'up' GROUP BY 1) b) AS blockers`,
        [rolloutId, wave],
      );
      return evidenceFrom(wave, countsFrom(r.rows[0].groups), r.rows[0].blockers);
    },
    async move(rolloutId, expectedVersion, move): Promise<MoveResult> {
      return tx(async (c) => {
        const current = await readRollout(c, rolloutId, 'FOR UPDATE');
        if (current === undefined) return { ok: false, code: 'NOT_FOUND', message: `no rollout ${rolloutId}` };
        if (current.version !== expectedVersion) return { ok: false, code: 'CAS_LOST', message: `rollout ${rolloutId} moved on: version ${current.version}, expected ${expectedVersion}`, current };
        const t = transition(current, move);
        if ('refused' in t) return { ok: false, code: 'INVALID_MOVE', message: t.refused, current };
        const gate = t.effect === 'start-gate' ? 'now()' : t.status === 'gating' ? 'gate_started_at' : 'NULL';
        const next = await q(c, `UPDATE $s.rollouts SET status = $2, wave = $3, version = version + 1, reason = $4, gate_started_at = ${gate}, updated_at = now() WHERE id = $1 RETURNING ${ROLLOUT}`, [rolloutId, t.status, t.wave, t.reason]);
        const audit: [string, number, unknown][] = [[t.audit, current.wave, { move: move.kind, ...moveData(move), status: t.status, ...(t.reason === null ? {} : { reason: t.reason }) }]];
        if (t.effect === 'open-next-wave') {
          await q(c, `UPDATE $s.steps SET status = 'pending', updated_at = now() WHERE rollout_id = $1 AND kind = 'up' AND wave = $2 AND status = 'planned'`, [rolloutId, t.wave]);
          audit.push(['wave-opened', t.wave, { size: current.sizes[t.wave] }]);
        }
        if (t.status === 'completed') audit.push(['completed', t.wave, { reason: t.reason }]);
        if (t.effect === 'start-revert') audit.push(['revert-started', t.wave, { reason: t.reason }]);
        await q(c, `INSERT INTO $s.audit (rollout_id, kind, wave, data) SELECT $1, k, w, d FROM unnest($2::text[], $3::int[], $4::jsonb[]) AS u(k, w, d)`, [rolloutId, audit.map((a) => a[0]), audit.map((a) => a[1]), audit.map((a) => JSON.stringify(a[2]))]);
        await q(c, `SELECT ${NOTIFY}`);
        return { ok: true, rollout: rolloutOf(next.rows[0]) };
      });
    },
    async audit(rolloutId) {
      const r = await one(`SELECT seq::float8 AS seq, rollout_id, (extract(epoch from at) * 1000)::float8 AS at, kind, wave, instance, agent_id, data FROM $s.audit WHERE rollout_id = $1 ORDER BY seq`, [rolloutId]);
      return r.rows.map((x): AuditEntry => ({ seq: x.seq, rolloutId: x.rollout_id, at: x.at, kind: x.kind, wave: x.wave, instance: x.instance, agentId: x.agent_id, data: x.data }));
    },
    subscribe(listener) {
      listeners.add(listener);
      listen();
      return () => void listeners.delete(listener);
    },
    async close() {
      closed = true;
      listeners.clear();
      const c = await listening?.catch(() => undefined);
      listening = undefined;
      c?.release(true);
      if (owned) await pool.end();
    },
  };
  return store;
}

/** `pg`, imported on first use: an optional peer dependency. */
async function loadPg(): Promise<{ Pool: new (config: { connectionString?: string | undefined; max: number }) => PgPoolLike }> {
  try {
    const mod: any = await import('pg');
    return mod.default ?? mod;
  } catch (error) {
    throw new HotswapError('FLEET_PG_MISSING', 'The PostgreSQL fleet store needs the `pg` package: run `npm install pg`', { cause: error });
  }
}

async function migrate(tx: <T>(fn: (c: PgClientLike) => Promise<T>) => Promise<T>, q: (c: PgClientLike, text: string, values?: readonly unknown[]) => Promise<{ rows: any[] }>, schema: string): Promise<void> {
  await tx(async (c) => {
    // transaction-scoped: released at COMMIT, never held by a pooled session
    await q(c, `SELECT pg_advisory_xact_lock(hashtext($1))`, [`hotswap.fleet.${schema}`]);
    await q(c, `CREATE SCHEMA IF NOT EXISTS $s`);
    await q(c, `CREATE TABLE IF NOT EXISTS $s.meta (key text PRIMARY KEY, value int NOT NULL)`);
    const r = await q(c, `SELECT value FROM $s.meta WHERE key = 'schema_version'`);
    const at = (r.rows[0]?.value as number | undefined) ?? 0;
    if (at > SCHEMA_VERSION) throw new HotswapError('FLEET_SCHEMA_NEWER', `Schema \`${schema}\` is at version ${at}; this hotswap knows up to ${SCHEMA_VERSION}: upgrade hotswap`, { details: { schema, at, known: SCHEMA_VERSION } });
    for (let v = at + 1; v <= SCHEMA_VERSION; v++) await q(c, MIGRATIONS[v - 1]!);
    if (at < SCHEMA_VERSION) await q(c, `INSERT INTO $s.meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`, [SCHEMA_VERSION]);
  });
}

function rolloutOf(x: any): Rollout {
  return {
    id: x.id,
    component: x.component,
    from: x.from_version,
    to: x.to_version,
    waves: x.waves,
    sizes: x.sizes,
    gate: x.gate,
    status: x.status,
    wave: x.wave,
    version: x.version,
    gateStartedAt: x.gate_started_at ?? null,
    createdAt: x.created_at,
    updatedAt: x.updated_at,
    reason: x.reason ?? null,
  };
}
