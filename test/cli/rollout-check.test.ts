/**
 * `hotswap rollout start|resume --check <module>`: a caller's gate check loaded from a module and run at
 * every gate of a rollout driven from the CLI, end to end on a real PostgreSQL server with in-process
 * agents; and the typed refusals (missing file, import that throws, no export, an export that is not a
 * function) given before the database is touched.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../src/cli/main.ts';
import { loadGateCheck } from '../../src/cli/load-gate-check.ts';
import { createPostgresStore } from '../../src/fleet/index.ts';
import { startFleet } from '../fleet/_support/fleet.ts';
import { startPostgres, type PgServer } from '../fleet/_support/postgres.ts';

const dir = mkdtempSync(join(tmpdir(), 'hotswap-gate-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: Record<string, string> = {}): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, cwd: dir, env, out: () => out, err: () => err };
}

function module(name: string, source: string): string {
  writeFileSync(join(dir, name), source);
  return name;
}

describe('hotswap rollout --check: refusals before anything moves', () => {
  // an unreachable database: a refusal that reached it would be a connection error, not these codes
  const db = 'postgres://nobody@127.0.0.1:1/none';

  it.each([
    ['a missing file', 'nope.mjs', 'CHECK_MODULE_NOT_FOUND', /Cannot find gate check module `nope\.mjs`/],
    ['an import that throws', module('throws.mjs', "throw new Error('no config');\n"), 'CHECK_MODULE_FAILED', /Importing gate check module `throws\.mjs` threw Error: no config/],
    ['no gate check export', module('none.mjs', 'export const threshold = 0.01;\n'), 'GATE_CHECK_INVALID', /`none\.mjs` exports no gate check .*exported: threshold\)/],
    ['an export that is not a function', module('string.mjs', "export const gateCheck = 'pass';\n"), 'GATE_CHECK_INVALID', /Expected export `gateCheck` of `string\.mjs` to be a gate check function .*got `'pass'` \(string\)/],
  ])('%s: exit 2 with %s', async (_, file, code, message) => {
    const run = io();
    expect(await main(['rollout', 'start', '--db', db, '--component', 'counter', '--from', '1', '--to', '2', '--check', file], run)).toBe(2);
    expect(run.err()).toMatch(new RegExp(`^hotswap: ${code}: `));
    expect(run.err()).toMatch(message);
    expect(run.out()).toBe('');
  });

  it('is typed in code too, and takes `gateCheck` before the default export', async () => {
    await expect(loadGateCheck('string.mjs', dir)).rejects.toMatchObject({ code: 'GATE_CHECK_INVALID', details: { export: 'gateCheck' } });
    const both = module('both.mjs', "export const gateCheck = () => 'pass';\nexport default () => 'fail';\n");
    expect(await (await loadGateCheck(both, dir))({} as never)).toBe('pass');
    const fallback = module('default.mjs', "export default () => 'inconclusive';\n");
    expect(await (await loadGateCheck(fallback, dir))({} as never)).toBe('inconclusive');
  });

  it('is refused on commands that pass no gate', async () => {
    const run = io();
    expect(await main(['rollout', 'status', '--db', db, '--check', 'both.mjs'], run)).toBe(2);
    expect(run.err()).toMatch(/Expected `--check` only with `start` or `resume`/);
  });
});

describe('hotswap rollout --check on PostgreSQL', () => {
  let server: PgServer | undefined;
  let db = '';
  beforeAll(async () => {
    server = await startPostgres();
    db = await server.database('clicheck');
  });
  afterAll(async () => server?.stop());

  it('runs the check at each gate as a live query: the canary passes, the next wave fails it, the rollout reverts', async () => {
    const store = await createPostgresStore({ connectionString: db, schema: 'chk_a' });
    const fleet = await startFleet(store, { agents: 2, instances: 2 });
    // the check sees the rollout and the evidence of the gate it decides, and says why
    const check = module(
      'gate.mjs',
      `export function gateCheck({ rollout, evidence }) {
  return rollout.wave === 0 ? { verdict: 'pass', detail: 'canary ' + evidence.done + ' done' } : { verdict: 'fail', detail: 'p99 latency over budget at wave ' + (rollout.wave + 1) };
}
`,
    );
    try {
      const run = io();
      const code = await main(['rollout', 'start', '--db', db, '--schema', 'chk_a', '--component', 'counter', '--from', '1', '--to', '2', '--waves', '1,50%,100%', '--id', 'chk-1', '--by', 'ci', '--poll', '20', '--check', check], run);
      expect(run.err()).toBe('');
      expect(code).toBe(1);
      expect(run.out()).toMatch(/gate: pass — 1 done, 0 failed, 0 unknown, failure rate 0 %; check pass \(canary 1 done\)/);
      expect(run.out()).toMatch(/gate: fail — 1 done, 0 failed, 0 unknown, failure rate 0 %; check fail \(p99 latency over budget at wave 2\)/);
      expect(run.out()).toMatch(/— aborted/);
      expect(fleet.components.map((c) => c.version)).toEqual([1, 1, 1, 1]); // the upgraded two went back down
      const status = io();
      expect(await main(['rollout', 'status', 'chk-1', '--db', db, '--schema', 'chk_a', '--json'], status)).toBe(0);
      const gates = JSON.parse(status.out()).audit.filter((e: { kind: string }) => e.kind === 'gate-decision');
      expect(gates.map((g: { data: { verdict: string; evidence: { check: unknown } } }) => [g.data.verdict, g.data.evidence.check])).toEqual([
        ['pass', { verdict: 'pass', detail: 'canary 1 done' }],
        ['fail', { verdict: 'fail', detail: 'p99 latency over budget at wave 2' }],
      ]);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });

  it('an inconclusive check pauses (exit 3); `resume --check` drives on with another check to completion', async () => {
    const store = await createPostgresStore({ connectionString: db, schema: 'chk_b' });
    const fleet = await startFleet(store, { agents: 1, instances: 2 });
    const unsure = module('unsure.mjs', "export default () => ({ verdict: 'inconclusive', detail: 'no traffic yet' });\n");
    const sure = module('sure.mjs', "export default () => 'pass';\n");
    try {
      const start = io();
      expect(await main(['rollout', 'start', '--db', db, '--schema', 'chk_b', '--component', 'counter', '--from', '1', '--to', '2', '--waves', '1,100%', '--id', 'chk-2', '--poll', '20', '--check', unsure], start)).toBe(3);
      expect(start.out()).toMatch(/check inconclusive \(no traffic yet\)/);
      const resume = io();
      expect(await main(['rollout', 'resume', 'chk-2', '--db', db, '--schema', 'chk_b', '--poll', '20', '--check', sure], resume)).toBe(0);
      expect(resume.out()).toMatch(/— completed/);
      expect(fleet.components.map((c) => c.version)).toEqual([2, 2]);
    } finally {
      await fleet.stop();
      await store.close();
    }
  });
});
