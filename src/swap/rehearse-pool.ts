/**
 * `component.rehearseInPool(target, options)`: a rehearsal whose state half (migrate, verify, replay)
 * runs in the runtime's piscina pool, for states large enough that running it inline would block the
 * server. The main thread keeps the half that needs the live component (plan, quiesce's look, the
 * drain decision, the shadow record) and serializes the state once (`v8.serialize`, transferred). The
 * worker loads the lineage by module URL: a lineage that is not that module's export (one defined
 * inline in the caller's script) cannot travel, and then the rehearsal runs inline and says why.
 * Pinned by test/swap/rehearse-pool.test.ts.
 */
import { serialize } from 'node:v8';
import { HotswapError, shown } from '../errors.ts';
import type { AnyVersion } from '../lineage/types.ts';
import type { ComponentCore } from '../live/_internal/core.ts';
import { persistState } from '../xstate/adapter.ts';
import { copyState } from './_internal/copy.ts';
import { examine } from './_internal/examine.ts';
import type { ShadowRing } from './_internal/replay.ts';
import type { RehearsalPool } from './_internal/rehearse-pool.ts';
import type { TaskState } from './_internal/rehearse-task.ts';
import { checkTarget } from './options.ts';
import { plan } from './plan.ts';
import { checkRehearseOptions, decide, type Rehearsal, type RehearseOptions } from './rehearse.ts';

/** Options of `rehearseInPool`: those of `rehearse`, and where the worker finds the lineage. */
export interface PoolRehearseOptions extends RehearseOptions {
  /** The module exporting the lineage (a file URL, or an absolute path), as the pool worker imports it. */
  readonly module: string | URL;
  /** The name of its export that is the component's lineage (or `options.lineage`). @defaultValue 'default' */
  readonly export?: string;
  /** The name of its export the replay projects with: a function cannot travel to a worker. */
  readonly projectExport?: string;
}

/** A rehearsal, and where its state half ran: `inline` with the reason when it could not go to the pool. */
export type PooledRehearsal = Rehearsal & { readonly ranIn: 'pool' | 'inline'; readonly inlineReason?: string };

const µs = (from: number): number => Math.round((performance.now() - from) * 1000);

export async function rehearseInPool(core: ComponentCore, target: number | AnyVersion, options: PoolRehearseOptions, shadow: ShadowRing | undefined, pool: () => RehearsalPool): Promise<PooledRehearsal> {
  const misuse = checkTarget(target) ?? checkRehearseOptions(options) ?? checkPoolOptions(options);
  if (misuse !== undefined) throw misuse;
  const href = typeof options.module === 'string' && !options.module.startsWith('file:') ? new URL(`file://${options.module}`).href : String(options.module);
  const lineageExport = options.export ?? 'default';
  const lineage = options.lineage ?? core.lineage;
  // Loaded here first (before anything is read of the live component: the await lets events in), to
  // know whether the lineage can travel: the worker will load this module and find this export.
  let inlineReason: string | undefined;
  let mod: Record<string, unknown> | undefined;
  try {
    mod = (await import(href)) as Record<string, unknown>;
  } catch (error) {
    inlineReason = `${href} does not load here: ${(error as Error).message}`;
  }
  if (mod !== undefined && mod[lineageExport] !== lineage) {
    inlineReason = `the lineage is not export '${lineageExport}' of ${href} (a lineage defined in the caller's script cannot travel to a worker)`;
  } else if (mod !== undefined && options.replay === true && options.project !== undefined && (options.projectExport === undefined || mod[options.projectExport] !== options.project)) {
    inlineReason = `the projection is not export '${options.projectExport ?? '(none)'}' of ${href}: a function cannot travel to a worker`;
  }

  // from here to the task's serialization, synchronous: the state sent is the one drain decided on
  const t0 = performance.now();
  const to = typeof target === 'number' ? target : target.version;
  const planned = plan(core, { lineage, target: to, expected: typeof target === 'number' ? undefined : target, signal: core.stopSignal });
  const timings = { plan: µs(t0) };
  if (!planned.ok) {
    const base = { component: core.name, from: core.version.version, to, path: planned.path, waits: [], effects: { carried: [], restarted: [], cancelled: [], adopted: [], aborted: [], transferred: [], revoked: [] }, timings, totalUs: µs(t0) };
    return { ...base, ok: false, phase: 'plan', blockers: planned.blockers, ranIn: 'inline', inlineReason: 'refused at plan' };
  }
  const d = decide(core, { lineage, steps: planned.steps, path: planned.path, target: planned.target, policies: options.policies, options, shadow, t0, timings });
  if ('refused' in d) return { ...d.refused, ranIn: 'inline', inlineReason: `refused at ${d.refused.ok ? '' : d.refused.phase}, before the state half` };
  const persisted = persistState(core.actor);
  let state: Uint8Array | undefined;
  if (inlineReason === undefined) {
    const input = d.examineInput(persisted.snapshot, persisted.actorRefs);
    const data: TaskState = { snapshot: input.snapshot, actorRefs: persisted.actorRefs, delays: input.delays, delayPolicy: input.delayPolicy, replay: input.replay === undefined ? undefined : { checkpoint: input.replay.checkpoint, events: input.replay.events } };
    try {
      state = serialize(data);
    } catch (error) {
      inlineReason = `the state cannot be copied to a worker: ${(error as Error).message}`;
    }
  }
  if (state === undefined) {
    const r = examine(d.examineInput(copyState(persisted.snapshot), persisted.actorRefs));
    return d.finish(r, { ranIn: 'inline', inlineReason }) as PooledRehearsal;
  }
  // transferred, not copied again: a buffer of its own (v8 may hand out a slice of a larger one)
  const own = state.byteOffset === 0 && state.buffer.byteLength === state.byteLength ? state : new Uint8Array(state);
  const task = { module: href, lineageExport, projectExport: options.projectExport, from: core.version.version, to, state: own };
  const r = await pool().run(task, [own.buffer as ArrayBuffer]);
  return d.finish(r, { ranIn: 'pool' }) as PooledRehearsal;
}

function checkPoolOptions(o: PoolRehearseOptions): HotswapError | undefined {
  const bad = (what: string, expected: string, got: unknown): HotswapError =>
    new HotswapError('INVALID_ARGUMENT', `Expected \`options.${what}\` to be ${expected}, got ${shown(got)}`, { details: { argument: `options.${what}` } });
  if (!(o.module instanceof URL) && (typeof o.module !== 'string' || !(o.module.startsWith('file:') || o.module.startsWith('/')))) return bad('module', 'a file URL or an absolute path', o.module);
  if (o.export !== undefined && typeof o.export !== 'string') return bad('export', 'a string or absent', o.export);
  if (o.projectExport !== undefined && typeof o.projectExport !== 'string') return bad('projectExport', 'a string or absent', o.projectExport);
  return undefined;
}
