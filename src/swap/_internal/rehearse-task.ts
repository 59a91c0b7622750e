/**
 * The pool worker's side of a rehearsal (src/swap/_internal/rehearse-pool.ts): loads the lineage (and
 * the replay's projection) by module URL — functions cannot travel between threads — and runs the
 * state half of the rehearsal (`examine`: migrate, verify, replay) on the state it was sent. Never
 * throws for a refusal; a module that does not load or export a lineage is a blocker.
 */
import { deserialize } from 'node:v8';
import type { EventObject } from 'xstate';
import { blocker } from '../../blockers/messages.ts';
import { describeError } from '../../errors.ts';
import { isLineage, pathBetween } from '../../lineage/lineage.ts';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';
import type { DelayPolicy } from '../options.ts';
import type { DelayCandidate } from './delays.ts';
import { examine, type ExamineResult } from './examine.ts';
import type { Projection } from './replay.ts';

/** What the main thread sends: plain data only. */
export interface RehearseTask {
  readonly module: string;
  readonly lineageExport: string;
  readonly projectExport?: string | undefined;
  readonly from: number;
  readonly to: number;
  /** {@link TaskState}, serialized once on the main thread (`v8.serialize`) and transferred, not copied again. */
  readonly state: Uint8Array;
}

/** The state half's data: the live state (a copy), the delays to carry, the shadow record. */
export interface TaskState {
  readonly snapshot: PersistedSnapshot;
  readonly actorRefs: boolean;
  readonly delays: readonly DelayCandidate[];
  readonly delayPolicy: DelayPolicy;
  readonly replay?: { readonly checkpoint: PersistedSnapshot; readonly events: readonly EventObject[] } | undefined;
}

const identity: Projection = (s) => s;

export default async function rehearseTask(t: RehearseTask): Promise<ExamineResult> {
  const refuse = (reason: string): ExamineResult => ({ ok: false, phase: 'migrate', blockers: [blocker('aborted', { reason })], timings: { migrate: 0 } });
  let mod: Record<string, unknown>;
  try {
    mod = (await import(t.module)) as Record<string, unknown>;
  } catch (error) {
    const e = describeError(error);
    return refuse(`the pool worker could not load ${t.module}: ${e.name}: ${e.message}`);
  }
  const lineage = mod[t.lineageExport];
  if (!isLineage(lineage)) return refuse(`${t.module} exports no lineage as '${t.lineageExport}'`);
  const from = lineage.get(t.from);
  const to = lineage.get(t.to);
  const steps = pathBetween(lineage, t.from, t.to);
  if (from === undefined || to === undefined || steps === undefined) return refuse(`the lineage in ${t.module} has no path v${t.from} → v${t.to}`);
  const project = t.projectExport === undefined ? identity : mod[t.projectExport];
  if (typeof project !== 'function') return refuse(`${t.module} exports no function '${t.projectExport}'`);
  const state = deserialize(t.state) as TaskState;
  return examine({
    lineage,
    steps,
    path: steps.map((s) => ({ from: s.from.version, to: s.to.version })),
    from,
    to,
    snapshot: state.snapshot,
    actorRefs: state.actorRefs,
    delays: state.delays,
    delayPolicy: state.delayPolicy,
    replay: state.replay === undefined ? undefined : { ...state.replay, project: project as Projection },
  });
}
