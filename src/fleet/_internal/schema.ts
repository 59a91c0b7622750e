/**
 * The PostgreSQL schema of the fleet store, as numbered migrations the library applies itself.
 * `meta.schema_version` records the last one applied; a database written by a newer hotswap (a higher
 * version than this file knows) is refused rather than guessed at. Migrations run in one transaction
 * under a transaction-scoped advisory lock (released at COMMIT, so safe behind PgBouncer's transaction
 * pooling, unlike session locks). docs/fleet.md prints this schema; test/fleet/postgres.test.ts pins it.
 */

/** Migrations, in order; `MIGRATIONS[n - 1]` takes the schema from version n − 1 to n. `$s` is the schema name. */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE $s.agents (
    agent_id      text PRIMARY KEY,
    process       text NOT NULL,
    lease_until   timestamptz NOT NULL,
    registered_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE TABLE $s.instances (
    component text NOT NULL,
    instance  text NOT NULL,
    agent_id  text NOT NULL REFERENCES $s.agents,
    version   int  NOT NULL,
    PRIMARY KEY (component, instance)
  );
  CREATE TABLE $s.rollouts (
    id              text PRIMARY KEY,
    component       text NOT NULL,
    from_version    int  NOT NULL,
    to_version      int  NOT NULL,
    waves           jsonb NOT NULL,
    sizes           int[] NOT NULL,
    gate            jsonb NOT NULL,
    status          text NOT NULL CHECK (status IN ('waving','gating','paused','reverting','completed','aborted')),
    wave            int  NOT NULL,
    version         int  NOT NULL,
    gate_started_at timestamptz,
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
  );
  -- one live rollout per component: two operators starting one at once get ROLLOUT_ACTIVE
  CREATE UNIQUE INDEX rollouts_one_active ON $s.rollouts (component) WHERE status NOT IN ('completed','aborted');
  CREATE TABLE $s.steps (
    rollout_id   text NOT NULL REFERENCES $s.rollouts,
    kind         text NOT NULL CHECK (kind IN ('up','down')),
    instance     text NOT NULL,
    wave         int  NOT NULL,
    component    text NOT NULL,
    agent_id     text NOT NULL,
    from_version int  NOT NULL,
    target       int  NOT NULL,
    status       text NOT NULL CHECK (status IN ('planned','pending','claimed','done','failed','unknown','cancelled')),
    report       jsonb,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rollout_id, kind, instance)
  );
  CREATE INDEX steps_open_by_agent ON $s.steps (agent_id, wave) WHERE status IN ('pending','claimed');
  CREATE TABLE $s.audit (
    seq        bigserial PRIMARY KEY,
    rollout_id text NOT NULL,
    at         timestamptz NOT NULL DEFAULT now(),
    kind       text NOT NULL,
    wave       int,
    instance   text,
    agent_id   text,
    data       jsonb NOT NULL
  );
  CREATE INDEX audit_by_rollout ON $s.audit (rollout_id, seq);
  `,
];

/** The schema version this library writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Checks a schema name: a plain lower-case identifier, so it can be spliced into SQL. */
export function isSchemaName(name: unknown): name is string {
  return typeof name === 'string' && /^[a-z_][a-z0-9_]{0,62}$/.test(name);
}
