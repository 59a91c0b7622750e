/** Small pieces of the swap transaction: held-event acceptance, empty effects, ledger entries. */
import type { AnyActorRef, EventObject } from 'xstate';
import type { Blocker } from '../../blockers/blocker.ts';
import { blocker } from '../../blockers/messages.ts';
import type { InFlightEntry } from '../../ledger/effect-ledger.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import { stateDigest } from '../../_internal/state-digest.ts';
import { acceptsEvent } from '../../xstate/adapter.ts';
import { describeError } from '../../errors.ts';
import type { ComponentCore } from '../../live/_internal/core.ts';
import type { EffectOutcomes, JournaledReport, SwapJournal, SwapReport } from '../report.ts';

/** The effect lists a transaction fills as it goes (see `EffectOutcomes`). */
export interface MutableEffects {
  carried: string[];
  restarted: string[];
  cancelled: string[];
  adopted: string[];
  aborted: string[];
  transferred: string[];
  revoked: string[];
}

export const NO_EFFECTS: EffectOutcomes = { carried: [], restarted: [], cancelled: [], adopted: [], aborted: [], transferred: [], revoked: [] };

/** Held events whose type the target version does not accept: delivered, they would be ignored (G1, G5). */
export function unacceptedHeld(held: readonly EventObject[], target: AnyVersion): Blocker[] {
  if (held.length === 0) return [];
  const counts = new Map<string, number>();
  for (const e of held) {
    if (!acceptsEvent(target.machine, e.type)) counts.set(e.type, (counts.get(e.type) ?? 0) + 1);
  }
  return [...counts].map(([event, count]) => blocker('unaccepted-event', { version: target.version, event, count }));
}

export function toLedgerEntry(entry: InFlightEntry, now: number) {
  return {
    kind: 'in-flight' as const,
    id: entry.childId,
    src: entry.src,
    logic: 'promise' as const,
    startedAt: entry.startedAt,
    ageMs: now - entry.startedAt,
    persistable: true,
  };
}

/**
 * What stands against committing a part of a `swapAll` that let the event loop run after its install:
 * either actor moved on its own (a timer of its own fired), or the old one was sent something
 * (`received`: its relay gate saw it), so the migrated state may be stale; or an
 * event held meanwhile is one the target does not accept (G1, G5). Empty when nothing moved.
 */
export function movedSince(core: ComponentCore, at: { readonly old: unknown; readonly fresh: unknown; readonly held: number }, fresh: AnyActorRef, target: AnyVersion, received = false): Blocker[] {
  if (received || core.actor.getSnapshot() !== at.old || fresh.getSnapshot() !== at.fresh) {
    return [blocker('aborted', { reason: 'the component moved on its own while swapAll let the event loop run; nothing was swapped, try again' })];
  }
  return core.mailbox.size === at.held ? [] : unacceptedHeld(core.mailbox.items().slice(at.held), target);
}

/** The journal's before/after state hashes, and what could not be hashed. */
export interface StateHashes {
  readonly beforeHash: string | undefined;
  readonly afterHash: string | undefined;
  readonly problems: readonly string[];
}

/**
 * The before/after state hashes ({@link stateDigest}: subtrees frozen throughout are hashed once and
 * remembered). Never throws: a state that cannot be hashed is a problem for the report's `errors`.
 */
export function stateHashes(before: unknown, after: unknown): StateHashes {
  const problems: string[] = [];
  const digest = (value: unknown): string | undefined => {
    try {
      return stateDigest(value);
    } catch (error) {
      problems.push(`state hash: ${describeError(error).message}`);
      return undefined;
    }
  };
  const beforeHash = digest(before);
  const afterHash = after === before ? beforeHash : digest(after);
  return { beforeHash, afterHash, problems };
}

/**
 * Completes a report with the before/after state hashes and appends it to the journal (G8). Never
 * throws: a state that could not be hashed, or a journal that cannot be written, lands in `errors`.
 */
export async function journalReport<R extends JournaledReport = SwapReport>(
  core: ComponentCore,
  journal: SwapJournal,
  report: Omit<R, 'beforeHash' | 'afterHash' | 'errors'>,
  { beforeHash, afterHash, problems: hashProblems }: StateHashes,
  errors: readonly string[],
): Promise<R> {
  const problems = [...errors, ...hashProblems];
  // spreads, then writes: V8 builds a spread with conditional members several times slower
  const full = { ...report } as { -readonly [K in keyof SwapReport]: SwapReport[K] };
  if (beforeHash !== undefined) full.beforeHash = beforeHash;
  if (afterHash !== undefined) full.afterHash = afterHash;
  if (problems.length > 0) full.errors = problems;
  const entry: { -readonly [K in keyof SwapReport]: SwapReport[K] } & { instance?: string } = { ...full };
  entry.instance = core.id;
  try {
    await journal.append(entry as SwapReport & { instance: string });
    return full as unknown as R;
  } catch (error) {
    return { ...full, errors: [...problems, `journal: ${describeError(error).message}`] } as unknown as R;
  }
}
