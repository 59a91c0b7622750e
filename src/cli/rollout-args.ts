/**
 * Arguments of `hotswap rollout start|status|resume|abort`, parsed with `node:util`'s `parseArgs`;
 * bad usage is a `HotswapError` `INVALID_ARGUMENT`. Tests: test/cli/rollout.test.ts.
 */
import { parseArgs } from 'node:util';
import { HotswapError } from '../errors.ts';
import type { GateSpec, WaveSpec } from '../fleet/types.ts';

/** `hotswap rollout …`, parsed. */
export type RolloutArgs =
  | { readonly command: 'help' }
  | {
      readonly command: 'start' | 'status' | 'resume' | 'abort';
      /** The rollout id (status, resume, abort; start takes `--id`). */
      readonly id: string | undefined;
      readonly db: string;
      readonly schema: string | undefined;
      readonly json: boolean;
      readonly detach: boolean;
      readonly by: string;
      readonly reason: string | undefined;
      readonly component: string | undefined;
      readonly from: number | undefined;
      readonly to: number | undefined;
      readonly waves: readonly WaveSpec[] | undefined;
      readonly gate: GateSpec;
      readonly pollMs: number;
      /** `--check <module>`: the gate check's module, relative to the working directory (start, resume). */
      readonly check: string | undefined;
    };

/** The `hotswap rollout --help` text. */
export const rolloutUsage = `Usage: hotswap rollout <command> [options]

Rolls one component version out across every process whose fleet agent is registered in the
PostgreSQL database: waves, each followed by a gate (soak, then evidence), compare-and-set moves.

Commands:
  start --component <name> --from <n> --to <n>   plan the waves over the live instances, start, drive
  status <id>                                     progress per wave, gate evidence, and the story (audit log)
  status                                          every rollout, newest first
  resume <id>       a paused rollout: continue past its gate; any other: take over driving it
  abort <id>        cancel what is not swapped, revert what was (down links), drive the revert

Options:
  --db <url>             PostgreSQL connection string (default: $HOTSWAP_FLEET_DB, else $DATABASE_URL)
  --schema <name>        schema holding the fleet tables (default hotswap_fleet)
  --waves <list>         cumulative targets, e.g. 1,10%,100% or p1,100% (p<n>: first n processes);
                         default 1,10%,100%
  --soak <ms>            gate soak time on the server's clock (default 0)
  --max-failure-rate <r> share of a wave's swaps that may be refused, 0…1 (default 0)
  --on-unknown <what>    pause | fail | ignore, for instances whose agent died (default pause)
  --check <module>       a module whose \`gateCheck\` export (or default export) is run at every gate
                         after the soak: ({ rollout, evidence }) => 'pass' | 'fail' | 'inconclusive'
                         (start, resume; a throw counts as inconclusive)
  --id <id>              id of the new rollout (default a UUID)
  --by <name>            who acts, for the audit log (default $USER)
  --reason <text>        why (abort)
  --detach               make the move and return; do not drive the rollout
  --json                 print the final state as JSON
  -h, --help             show this help

Exit codes: 0 completed (status: found), 1 aborted or refused, 2 bad usage or no database,
3 paused for a person (resume or abort it), 4 lost a race (CAS_LOST: another controller moved first).
`;

/** Parses `argv` (after `rollout`). */
export function parseRolloutArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): RolloutArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        db: { type: 'string' },
        schema: { type: 'string' },
        component: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        waves: { type: 'string' },
        soak: { type: 'string' },
        'max-failure-rate': { type: 'string' },
        'on-unknown': { type: 'string' },
        id: { type: 'string' },
        by: { type: 'string' },
        reason: { type: 'string' },
        poll: { type: 'string' },
        check: { type: 'string' },
        detach: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new HotswapError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
  const { values: v, positionals } = parsed;
  const [command, id, ...extra] = positionals;
  if (v.help || command === undefined) return { command: 'help' };
  if (command !== 'start' && command !== 'status' && command !== 'resume' && command !== 'abort') throw new HotswapError('INVALID_ARGUMENT', `Expected a rollout command (start, status, resume, abort), got \`${command}\``);
  if (extra.length > 0) throw new HotswapError('INVALID_ARGUMENT', `Expected one rollout id, got also \`${extra.join(' ')}\``);
  if ((command === 'resume' || command === 'abort') && id === undefined) throw new HotswapError('INVALID_ARGUMENT', `Expected a rollout id: \`hotswap rollout ${command} <id>\``);
  if (command === 'start' && id !== undefined) throw new HotswapError('INVALID_ARGUMENT', 'Expected no positional id for `start`: name the rollout with `--id`');
  if (v.check !== undefined && command !== 'start' && command !== 'resume') throw new HotswapError('INVALID_ARGUMENT', `Expected \`--check\` only with \`start\` or \`resume\` (the commands that pass gates), not \`${command}\``);
  if (v.check === '') throw new HotswapError('INVALID_ARGUMENT', 'Expected `--check` to name a module file');
  const db = v.db ?? env['HOTSWAP_FLEET_DB'] ?? env['DATABASE_URL'];
  if (db === undefined || db === '') throw new HotswapError('INVALID_ARGUMENT', 'Expected a database: `--db <url>`, or $HOTSWAP_FLEET_DB, or $DATABASE_URL');
  if (command === 'start') for (const k of ['component', 'from', 'to'] as const) if (v[k] === undefined) throw new HotswapError('INVALID_ARGUMENT', `Expected \`--${k}\` for \`hotswap rollout start\``);
  const gate: { -readonly [K in keyof GateSpec]: GateSpec[K] } = {};
  if (v.soak !== undefined) gate.soakMs = int('--soak', v.soak, 0);
  if (v['max-failure-rate'] !== undefined) gate.maxFailureRate = Number(v['max-failure-rate']);
  if (v['on-unknown'] !== undefined) gate.onUnknown = v['on-unknown'] as 'pause';
  return {
    command,
    id: command === 'start' ? v.id : id,
    db,
    schema: v.schema,
    json: v.json,
    detach: v.detach,
    by: v.by ?? env['USER'] ?? 'operator',
    reason: v.reason,
    component: v.component,
    from: v.from === undefined ? undefined : int('--from', v.from, 1),
    to: v.to === undefined ? undefined : int('--to', v.to, 1),
    waves: v.waves === undefined ? undefined : parseWaves(v.waves),
    gate,
    pollMs: v.poll === undefined ? 250 : int('--poll', v.poll, 1),
    check: v.check,
  };
}

function int(name: string, text: string, min: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min) throw new HotswapError('INVALID_ARGUMENT', `Expected \`${name}\` to be an integer ≥ ${min}, got \`${text}\``);
  return n;
}

/** `1,10%,p2,100%` → waves. */
export function parseWaves(text: string): readonly WaveSpec[] {
  return text.split(',').map((part) => {
    const p = part.trim();
    if (/^\d+(\.\d+)?%$/.test(p)) return { share: Number(p.slice(0, -1)) / 100 };
    if (/^p\d+$/.test(p)) return { processes: Number(p.slice(1)) };
    if (/^\d+$/.test(p)) return { count: Number(p) };
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`--waves\` to list counts (5), shares (10%) or processes (p2), got \`${p}\``);
  });
}
