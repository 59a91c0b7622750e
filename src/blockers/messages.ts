import type { Blocker, BlockerInput, BlockerKind, BlockerOf, LinkRef } from './blocker.ts';

const link = (l: LinkRef): string => `v${l.from} → v${l.to}`;

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
  'schema-issue': (b) => `v${b.version} schema rejects '${b.path}': ${b.issue}`,
  'unmapped-state': (b) =>
    b.where === 'value'
      ? `state '${b.state}' does not exist in v${b.version}`
      : `history entry '${b.state}' does not exist in v${b.version}`,
  'unresolvable-child': (b) => `child actor '${b.child}' (src ${b.src}) cannot be resolved by v${b.version}`,
  'unrestorable-ref': (b) =>
    `'${b.path}' holds an actor ref to '${b.id}', which is not a child of the snapshot: v${b.version} would restore it as undefined`,
  'orphaned-child': (b) =>
    `child actor '${b.child}' is carried into v${b.version}, but none of the states that invoke it (${b.states.join(', ')}) is active after migration`,
  'unaccepted-event': (b) =>
    `${b.count} held '${b.event}' event${b.count === 1 ? '' : 's'} would go to v${b.version}, which does not accept '${b.event}'`,
  'invariant-violation': (b) => `v${b.version} invariant violated at '${b.path}': ${b.violation}`,
  'not-active': (b) => `snapshot status is '${b.status}', expected 'active'`,
  'unsafe-key': (b) => `snapshot holds the key '${b.key}' at '${b.path}' (prototype pollution)`,
  'not-at-swap-point': (b) => `state '${b.state}' is not a swap point (needs tag '${b.requiredTag}')`,
  'quiesce-timeout': (b) => `not quiescent after ${formatDuration(b.waitedMs)}`,
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
  readonly elapsedMs?: number;
  readonly phase?: string;
  /** `swap` (default) for live swaps, `migrate` or `restore` for the others. */
  readonly action?: string;
}

/**
 * Renders blockers as in DESIGN.md §4: a header line, then one indented line each.
 *
 * @example
 * formatBlockers(report.blockers, { component: 'driver', from: 1, to: 2, elapsedMs: 250, phase: 'quiesce' })
 * // swap driver v1 → v2 refused after 250 ms (quiesce):
 * //   pending timer 'complete_request' (fires in 120 ms) targets handler 'complete_request': …
 */
export function formatBlockers(blockers: readonly Blocker[], header?: RefusalHeader): string {
  const lines = blockers.map((b) => `  ${b.message}`);
  if (header === undefined) return lines.join('\n');
  const after = header.elapsedMs === undefined ? '' : ` after ${formatDuration(header.elapsedMs)}`;
  const phase = header.phase === undefined ? '' : ` (${header.phase})`;
  const head = `${header.action ?? 'swap'} ${header.component} v${header.from} → v${header.to} refused${after}${phase}:`;
  return [head, ...lines].join('\n');
}
