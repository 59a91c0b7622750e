/**
 * `hotswap rollout start|status|resume|abort`: the fleet controller on the command line. It connects to
 * the PostgreSQL store, makes the person's move (compare-and-set), then drives the rollout — any
 * controller can, so `resume` also takes over one whose controller died — with a live progress display
 * per wave, until it completes, aborts or pauses for a person. Tests: test/cli/rollout.test.ts,
 * test/fleet/rollout-processes.test.ts.
 */
import { isHotswapError } from '../errors.ts';
import { abortRollout, driveRollout, resumeRollout, startRollout } from '../fleet/controller.ts';
import { formatRollout, formatStory } from '../fleet/format.ts';
import { createPostgresStore } from '../fleet/postgres-store.ts';
import type { GateCheck } from '../fleet/rules.ts';
import type { FleetStore, MoveResult, RolloutView } from '../fleet/types.ts';
import type { Io } from './io.ts';
import { loadGateCheck } from './load-gate-check.ts';
import { parseRolloutArgs, rolloutUsage, type RolloutArgs } from './rollout-args.ts';

/** Exit codes of `hotswap rollout`. */
export const RolloutExitCodes = { completed: 0, aborted: 1, unusable: 2, paused: 3, casLost: 4 } as const;

/** Runs `hotswap rollout <argv>`; resolves to the exit code, never rejects. */
export async function rolloutMain(argv: readonly string[], io: Io): Promise<number> {
  let store: FleetStore | undefined;
  try {
    const args = parseRolloutArgs(argv, io.env);
    if (args.command === 'help') {
      io.stdout.write(rolloutUsage);
      return RolloutExitCodes.completed;
    }
    // a bad check module is refused before the database is touched: nothing starts, nothing moves
    const check = args.check === undefined ? undefined : await loadGateCheck(args.check, io.cwd);
    store = await createPostgresStore({ connectionString: args.db, ...(args.schema === undefined ? {} : { schema: args.schema }) });
    return await run(store, args, io, check);
  } catch (error) {
    // bad usage points at --help; any other typed refusal (a bad --check module, a database too new) names its code
    if (isHotswapError(error)) io.stderr.write(error.code === 'INVALID_ARGUMENT' ? `hotswap: ${error.message}\nRun \`hotswap rollout --help\` for usage.\n` : `hotswap: ${error.code}: ${error.message}\n`);
    else io.stderr.write(`hotswap: ${error instanceof Error ? error.message : String(error)}\n`);
    return RolloutExitCodes.unusable;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

async function run(store: FleetStore, args: Exclude<RolloutArgs, { command: 'help' }>, io: Io, check: GateCheck | undefined): Promise<number> {
  let id = args.id;
  switch (args.command) {
    case 'status': {
      if (id === undefined) {
        const all = await store.rollouts();
        if (args.json) io.stdout.write(`${JSON.stringify(all, null, 2)}\n`);
        else for (const r of all) io.stdout.write(`${r.id}  ${r.component} v${r.from} → v${r.to}  ${r.status}  wave ${r.wave + 1}/${r.sizes.length}  ${new Date(r.updatedAt).toISOString()}\n`);
        return RolloutExitCodes.completed;
      }
      const view = await store.view(id);
      if (view === undefined) return missing(io, id);
      const audit = await store.audit(id);
      if (args.json) io.stdout.write(`${JSON.stringify({ ...view, audit }, null, 2)}\n`);
      else io.stdout.write(`${formatRollout(view, audit)}\nstory:\n${formatStory(audit)}`);
      return RolloutExitCodes.completed;
    }
    case 'start': {
      const started = await startRollout(store, {
        component: args.component!,
        from: args.from!,
        to: args.to!,
        gate: args.gate,
        by: args.by,
        ...(id === undefined ? {} : { id }),
        ...(args.waves === undefined ? {} : { waves: args.waves }),
      });
      if (!started.ok) return refused(io, args, started.code, started.message);
      id = started.rollout.id;
      if (!args.json) io.stdout.write(`started rollout ${id}\n`);
      break;
    }
    case 'resume':
    case 'abort': {
      const view = await store.view(id!);
      if (view === undefined) return missing(io, id!);
      const status = view.rollout.status;
      // resume of a rollout that is not paused: take over driving it (its controller may be gone)
      if (args.command === 'abort' || status === 'paused') {
        const move: MoveResult =
          args.command === 'abort'
            ? await abortRollout(store, id!, { expectedVersion: view.rollout.version, by: args.by, reason: args.reason ?? 'requested' })
            : await resumeRollout(store, id!, { expectedVersion: view.rollout.version, by: args.by });
        if (!move.ok) return refused(io, args, move.code, move.message);
      }
      break;
    }
  }
  if (args.detach) return finish(store, id!, io, args, (await store.view(id!))!);
  const display = progress(io, args.json);
  const end = await driveRollout(store, id!, { pollMs: args.pollMs, onProgress: display, ...(check === undefined ? {} : { check }) });
  return finish(store, id!, io, args, end);
}

async function finish(store: FleetStore, id: string, io: Io, args: { json: boolean }, view: RolloutView): Promise<number> {
  const audit = await store.audit(id);
  if (args.json) io.stdout.write(`${JSON.stringify({ ...view, audit }, null, 2)}\n`);
  else io.stdout.write(formatRollout(view, audit));
  const s = view.rollout.status;
  return s === 'completed' ? RolloutExitCodes.completed : s === 'paused' ? RolloutExitCodes.paused : s === 'aborted' ? RolloutExitCodes.aborted : RolloutExitCodes.completed;
}

/** One line per change on a pipe; on a terminal, the per-wave table redrawn in place. */
function progress(io: Io, json: boolean): (view: RolloutView) => void {
  let last = '';
  let drawn = 0;
  return (view) => {
    if (json) return;
    const r = view.rollout;
    const key = JSON.stringify([r.status, r.wave, view.waves, view.revert]);
    if (key === last) return;
    last = key;
    if (io.stdout.isTTY === true) {
      const text = formatRollout(view);
      io.stdout.write(`${drawn > 0 ? `\x1b[${drawn}F\x1b[J` : ''}${text}`);
      drawn = text.split('\n').length - 1;
      return;
    }
    const w = view.waves[r.wave]!;
    const rev = view.revert.total > 0 ? `; revert ${view.revert.done}/${view.revert.total}` : '';
    io.stdout.write(`${r.status} wave ${r.wave + 1}/${r.sizes.length}: ${w.done} done, ${w.failed} failed, ${w.unknown} unknown, ${w.planned + w.pending + w.claimed} pending${rev}\n`);
  };
}

function missing(io: Io, id: string): number {
  io.stderr.write(`hotswap: no rollout ${id}\n`);
  return RolloutExitCodes.unusable;
}

function refused(io: Io, args: { json: boolean }, code: string, message: string): number {
  if (args.json) io.stdout.write(`${JSON.stringify({ ok: false, code, message })}\n`);
  io.stderr.write(`hotswap: ${code}: ${message}\n`);
  return code === 'CAS_LOST' ? RolloutExitCodes.casLost : RolloutExitCodes.aborted;
}
