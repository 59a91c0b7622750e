/**
 * Samples: the reachable states `hotswap check` reasons over, deduplicated, with the event sequence
 * that reached each one written for people.
 */
import type { EventObject } from 'xstate';
import type { PersistedSnapshot } from '../../xstate/persisted.ts';

/**
 * One reachable state of a version and how it was reached. Structurally the testing kit's
 * `Reachable` (`hotswap/testing`), so its samples can be passed as they are.
 */
export interface CheckSample {
  readonly events: readonly EventObject[];
  readonly snapshot: PersistedSnapshot;
  /** Delayed events pending in this state (XState does not persist them). */
  readonly pendingDelays: readonly { readonly id: string; readonly event: EventObject; readonly delayMs: number }[];
}

/** A distinct sample and its printable event sequence. */
export interface DistinctSample {
  readonly sample: CheckSample;
  readonly example: readonly string[];
}

/**
 * Keeps one sample per distinct state (value, context, history and pending delays), the one with the
 * shortest event sequence, in first-seen order: counts then mean "distinct states", and examples are short.
 */
export function distinctSamples(samples: readonly CheckSample[]): DistinctSample[] {
  const byKey = new Map<string, CheckSample>();
  for (const s of samples) {
    const key = JSON.stringify([s.snapshot.value, s.snapshot.context, s.snapshot.historyValue ?? {}, s.pendingDelays.map((p) => p.id)]);
    const seen = byKey.get(key);
    if (seen === undefined || s.events.length < seen.events.length) byKey.set(key, s);
  }
  return [...byKey.values()].map((sample) => ({ sample, example: sample.events.map(formatEvent) }));
}

/** `START`, `ENQUEUE{"id":"a"}`, and `after 100` for XState's delayed `xstate.after.100.<state>` events. */
export function formatEvent(event: EventObject): string {
  const after = /^xstate\.after\.([^.]+)\./.exec(event.type);
  if (after !== null) return `after ${after[1]}`;
  const { type, ...payload } = event as EventObject & Record<string, unknown>;
  if (Object.keys(payload).length === 0) return type;
  let json: string;
  try {
    json = JSON.stringify(payload);
  } catch {
    json = '{…}';
  }
  return `${type}${json.length > 60 ? `${json.slice(0, 57)}…}` : json}`;
}

/** `[]` → `the initial state`; otherwise `after START, after 100`. */
export function describeExample(example: readonly string[]): string {
  return example.length === 0 ? 'the initial state' : `after ${example.join(', ')}`;
}
