/**
 * The message table for blockers: `blocker(kind, data)` builds a blocker and writes its one-line
 * message from one typed entry per kind, and `formatBlockers` prints a refusal (docs/design.md §5).
 * One table, so every refusal reads the same wherever it was found. Pinned by
 * test/migrate/format-blockers.test.ts and every test that compares blocker messages.
 */
import type { Blocker, BlockerInput, BlockerKind, BlockerOf, LinkRef } from './blocker.ts';

const link = (l: LinkRef): string => `v${l.from} → v${l.to}`;

/** A path as a message shows it: one of 500 levels would fill a screen, so its middle is elided. */
const shortPath = (path: string): string => (path.length <= 160 ? path : `${path.slice(0, 80)}…${path.slice(-60)} (${path.split('.').length} segments)`);
/** A dotted state path for people: `'busy.reading'`, or `the root state` for `''`. */
const at = (path: string): string => (path === '' ? 'the root state' : `'${path}'`);

/** Human form of a millisecond duration: `120 ms`, `1.2 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

type Messages = { [K in BlockerKind]: (b: BlockerInput<K>) => string };

const messages: Messages = {
  'unknown-version': (b) => `version ${b.version} is not in the lineage (known: ${b.known.join(', ') || 'none'})`,
  irreversible: (b) => `link ${link(b.link)} has no down migration: v${b.link.from} cannot be restored from v${b.link.to}`,
  'same-version': (b) => `already at v${b.version}`,
  'swap-in-progress': (b) => `swap ${b.swapId} to v${b.target} is already in progress`,
  'precondition-failed': (b) => `precondition '${b.name}' failed: ${b.reason}`,
  'component-stopped': (b) => `component '${b.component}' is stopped`,
  'lineage-mismatch': (b) => `lineage '${b.got}' does not extend the lineage '${b.expected}' of this component at v${b.version}`,
  'migration-threw': (b) => `migration ${link(b.link)} threw ${b.error.name}: ${b.error.message}`,
  'migration-mutated-input': (b) => `migration ${link(b.link)} tried to mutate its (frozen) input: ${b.error}`,
  'migration-bad-output': (b) => `migration ${link(b.link)} returned an unusable result: ${b.reason}`,
  'undefined-field': (b) => `migration ${link(b.link)} left field '${b.path}' undefined`,
  'missing-field': (b) =>
    `${b.link.from === b.link.to ? `the v${b.link.to} state lacks` : `migration ${link(b.link)} left out`} field '${b.path}', which v${b.link.to}'s ${b.source === 'shape' ? 'declared `shape`' : 'initial context'} has`,
  'unpersistable-value': (b) =>
    `${b.link.from === b.link.to ? `the v${b.link.to} state holds` : `migration ${link(b.link)} put`} ${b.found} at '${shortPath(b.path)}': persist() could not write this state (envelopes hold plain JSON)`,
  'schema-issue': (b) => `v${b.version} schema rejects '${b.path}': ${b.issue}`,
  'unmapped-state': (b) =>
    b.where === 'value'
      ? `state '${b.state}' does not exist in v${b.version}`
      : `history entry '${b.state}' does not exist in v${b.version}`,
  'incomplete-state-value': (b) =>
    `state value leaves ${at(b.path)} out in v${b.version}: XState would enter ${b.initial.map((s) => `'${s}'`).join(', ')} without a word (map it to the state it should be in)`,
  'contradictory-state-value': (b) =>
    `state value puts ${at(b.path)} in ${b.states.map((s) => `'${s}'`).join(' and ')} at once in v${b.version}, but ${at(b.path)} is not parallel`,
  'malformed-state-value': (b) => `state value at ${at(b.path)} is ${b.got}, not a state v${b.version} can be in`,
  'unresolvable-child': (b) => `child actor '${b.child}' (src ${b.src}) cannot be resolved by v${b.version}`,
  'unrestorable-ref': (b) =>
    `'${b.path}' holds an actor ref to '${b.id}', which is not a child of the snapshot: v${b.version} would restore it as undefined`,
  'orphaned-child': (b) =>
    b.invokes === null
      ? `child actor '${b.child}' (src ${b.src}) is carried into v${b.version} state '${b.state}', which does not invoke it${b.states.length === 0 ? '' : ` (${b.states.map((s) => `'${s}'`).join(', ')} would)`}`
      : `child actor '${b.child}' (src ${b.src}) is carried into v${b.version} state '${b.state}', which invokes src ${b.invokes} under that id, not ${b.src}`,
  'unaccepted-event': (b) =>
    `${b.count} held '${b.event}' event${b.count === 1 ? '' : 's'} would go to v${b.version}, which does not accept '${b.event}'`,
  'invariant-violation': (b) => `v${b.version} invariant violated at '${b.path}': ${b.violation}`,
  'not-active': (b) => `snapshot status is '${b.status}', expected 'active'`,
  'unsafe-key': (b) => `snapshot holds the key '${b.key}' at '${b.path}' (prototype pollution)`,
  'not-at-swap-point': (b) => `state '${b.state}' is not a swap point (needs tag '${b.requiredTag}')`,
  'quiesce-timeout': (b) => `not quiescent after ${formatDuration(b.waitedMs)} of runtime-clock time`,
  'pending-delay': (b) =>
    `pending delayed event '${b.event}' in state '${b.state}' (fires in ${formatDuration(b.remainingMs)}): ${b.reason}`,
  'unarmed-delay': (b) =>
    `v${b.version} adds 'after ${b.delay}' to state '${b.state}', active after migration, and nothing pending carries it: the restored actor would never fire it (policy delays: 'restart' arms it in full)`,
  'pending-timer': (b) =>
    `pending timer '${b.name}' (fires in ${formatDuration(b.remainingMs)}) targets handler '${b.handler}': ${b.reason}`,
  'in-flight': (b) => `invoked actor '${b.id}' (src ${b.src}) in flight for ${formatDuration(b.ageMs)}; policy: ${b.policy}`,
  'lease-outstanding': (b) =>
    `outstanding borrow of '${b.handle}' held by '${b.holder}' for ${formatDuration(b.heldMs)}; policy: ${b.policy}`,
  'unpersistable-child': (b) => `child actor '${b.child}' cannot be persisted: ${b.reason}`,
  'install-failed': (b) => `installing v${b.version} failed: ${b.error.name}: ${b.error.message}`,
  aborted: (b) => `aborted: ${b.reason}`,
  'replay-divergence': (b) => `replayed event #${b.index} '${b.event}' diverges: the old version projects ${b.old}, the new one ${b.new}`,
  // worker-hosted components (hotswap/worker)
  'cross-isolate': (b) => `${b.what} cannot cross from the old worker to the new one: ${b.reason}`,
  'candidate-failed': (b) => `the candidate worker running ${b.module} failed to ${b.phase}: ${b.error.name}: ${b.error.message}`,
  'worker-crashed': (b) => `the ${b.role === 'old' ? 'worker' : 'candidate worker'} of '${b.component}' crashed during the swap: ${b.error.name}: ${b.error.message}`,
};

/**
 * Builds a blocker of the given kind and writes its one-line message.
 *
 * @example
 * blocker('undefined-field', { link: { from: 1, to: 2 }, path: 'context.retries' })
 */
export function blocker<K extends BlockerKind>(kind: K, data: BlockerInput<K>): BlockerOf<K> {
  const message = (messages[kind] as (b: BlockerInput<K>) => string)(data);
  return { kind, ...data, message } as unknown as BlockerOf<K>;
}

/** Header for {@link formatBlockers}: what was refused, when, in which phase. */
export interface RefusalHeader {
  readonly component: string;
  readonly from: number;
  readonly to: number;
  /** Wall time from the call to the refusal (what a person waited), printed as `after 2 ms wall time`. */
  readonly elapsedMs?: number;
  readonly phase?: string;
  /** `swap` (default) for live swaps, `migrate` or `restore` for the others. */
  readonly action?: string;
}

/**
 * Renders blockers as in docs/design.md §5: a header line, then one indented line each.
 *
 * @example
 * formatBlockers(report.blockers, { component: 'driver', from: 1, to: 2, elapsedMs: 250, phase: 'quiesce' })
 * // swap driver v1 → v2 refused after 250 ms wall time (quiesce):
 * //   pending timer 'complete_request' (fires in 120 ms) targets handler 'complete_request': …
 */
export function formatBlockers(blockers: readonly Blocker[], header?: RefusalHeader): string {
  const lines = blockers.map((b) => `  ${b.message}`);
  if (header === undefined) return lines.join('\n');
  // wall time, unlike the durations in blockers, which are on the runtime's clock (a ManualClock's, in tests)
  const after = header.elapsedMs === undefined ? '' : ` after ${formatDuration(header.elapsedMs)} wall time`;
  const phase = header.phase === undefined ? '' : ` (${header.phase})`;
  const head = `${header.action ?? 'swap'} ${header.component} v${header.from} → v${header.to} refused${after}${phase}:`;
  return [head, ...lines].join('\n');
}
