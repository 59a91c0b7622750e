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

/** The one empty list every report, effect list and transaction shares until it has an entry (frozen: nobody adds to it). */
export const NONE: readonly never[] = Object.freeze([]);

/** What can happen to an effect (see `EffectOutcomes`). */
export type EffectKind = keyof EffectOutcomes;

/** The effect lists a swap transaction fills as it goes, each made on its first entry. */
export type SomeEffects = { [K in EffectKind]?: string[] };

/** Where drain and resume record what happened to each effect (the swap transaction, a rehearsal's {@link effectSink}). */
export interface EffectSink {
  effect(kind: EffectKind, id: string): void;
}

/** Every effect list, filled as it goes (see `EffectOutcomes`). */
export interface MutableEffects {
  carried: string[];
  restarted: string[];
  cancelled: string[];
  adopted: string[];
  aborted: string[];
  transferred: string[];
  revoked: string[];
}

/** A sink writing into lists that all exist already (a rehearsal reports them as they are). */
export function effectSink(lists: MutableEffects): EffectSink {
  return { effect: (kind, id) => void lists[kind].push(id) };
}

/** The effects of a swap that did nothing to any (a refused swap carried, cancelled … nothing): shared, frozen. */
export const NO_EFFECTS: EffectOutcomes = Object.freeze({ carried: NONE, restarted: NONE, cancelled: NONE, adopted: NONE, aborted: NONE, transferred: NONE, revoked: NONE });

/** The report's effects: every list, the empty ones shared. */
export function effectOutcomes(e: SomeEffects | undefined): EffectOutcomes {
  if (e === undefined) return NO_EFFECTS;
  return {
    carried: e.carried ?? NONE,
    restarted: e.restarted ?? NONE,
    cancelled: e.cancelled ?? NONE,
    adopted: e.adopted ?? NONE,
    aborted: e.aborted ?? NONE,
    transferred: e.transferred ?? NONE,
    revoked: e.revoked ?? NONE,
  };
}

/** A report being built, member by member. */
export type Writable<T> = { -readonly [K in keyof T]: T[K] };

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
 * Writes the before/after state hashes into a report being built, last, and `errors` (what went wrong
 * without deciding the outcome, then what could not be hashed) when there is any.
 */
export function withHashes(report: Writable<JournaledReport>, { beforeHash, afterHash, problems }: StateHashes, errors: readonly string[] | undefined): void {
  if (beforeHash !== undefined) report.beforeHash = beforeHash;
  if (afterHash !== undefined) report.afterHash = afterHash;
  if (errors !== undefined && errors.length > 0) report.errors = problems.length === 0 ? errors.slice() : [...errors, ...problems];
  else if (problems.length > 0) report.errors = problems;
}

/**
 * Appends a finished report to the journal (G8), as an entry of its own naming the instance, and
 * returns it. Never throws: a journal that cannot be written lands in the returned report's `errors`.
 */
export async function appendReport<R extends JournaledReport>(core: ComponentCore, journal: SwapJournal, report: R): Promise<R> {
  const entry = entryOf(report, core.id);
  try {
    await journal.append(entry as unknown as SwapReport & { instance: string });
    return report;
  } catch (error) {
    return { ...report, errors: [...(report.errors ?? []), `journal: ${describeError(error).message}`] };
  }
}

/**
 * The journal entry of a report: its members in their order, then the instance. Copied member by
 * member, not spread: V8 gives the spread copy of an object with this many members a hidden class of
 * its own (~0.5 KB per entry, kept as long as the journal keeps the entry); this way they share one.
 */
function entryOf(report: JournaledReport, instance: string): JournaledReport & { instance: string } {
  const entry: Record<string, unknown> = {};
  for (const key in report) entry[key] = report[key as keyof JournaledReport];
  entry.instance = instance;
  return entry as unknown as JournaledReport & { instance: string };
}

/**
 * Completes a report with the before/after state hashes and appends it to the journal (G8). Never
 * throws: a state that could not be hashed, or a journal that cannot be written, lands in `errors`.
 */
export function journalReport<R extends JournaledReport = SwapReport>(
  core: ComponentCore,
  journal: SwapJournal,
  report: Omit<R, 'beforeHash' | 'afterHash' | 'errors'>,
  hashes: StateHashes,
  errors: readonly string[],
): Promise<R> {
  const full = { ...report } as Writable<R>;
  withHashes(full, hashes, errors);
  return appendReport(core, journal, full as R);
}
