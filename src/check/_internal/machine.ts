/**
 * Reads a machine's state tree: every state as a dotted path, the states a value is in, and the
 * delayed (`after`) transitions a state declares.
 *
 * `StateNode.after` is XState's own list of delayed transitions (`getDelayedTransitions`): each has
 * the `xstate.after.<delay>.<stateId>` event its entry action schedules and the declared `delay`
 * (a number of ms, or the name of a `delays` implementation).
 */
import type { AnyStateMachine } from 'xstate';

interface NodeLike {
  readonly id: string;
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly after: readonly { readonly event: string; readonly delay: number | string }[];
}

/** A delayed transition a state declares. */
export interface DeclaredDelay {
  /** The state's dotted path, e.g. `busy` or `job.running`. */
  readonly state: string;
  /** The scheduler id / event type: `xstate.after.100.driver.busy`. */
  readonly event: string;
  /** Milliseconds, or the name of a `delays` implementation. */
  readonly delay: number | string;
}

const rootOf = (machine: AnyStateMachine): NodeLike => machine.root as unknown as NodeLike;

/** Every state of a machine as a dotted path, parents before children, in declaration order. */
export function statePaths(machine: AnyStateMachine): string[] {
  const paths: string[] = [];
  const visit = (node: NodeLike, prefix: string): void => {
    for (const [key, child] of Object.entries(node.states ?? {})) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      paths.push(path);
      visit(child, path);
    }
  };
  visit(rootOf(machine), '');
  return paths;
}

/** The dotted paths of every state a state value is in (ancestors included), in value order. */
export function activePaths(value: unknown): string[] {
  const paths: string[] = [];
  const visit = (v: unknown, prefix: string): void => {
    const join = (k: string): string => (prefix === '' ? k : `${prefix}.${k}`);
    if (typeof v === 'string') {
      paths.push(join(v));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      paths.push(join(key));
      visit(child, join(key));
    }
  };
  visit(value, '');
  return paths;
}

/** The leaf states of a value, joined with ` + ` for parallel states: `busy`, `a.x + b.y`. */
export function describeValue(value: unknown): string {
  const paths = activePaths(value);
  const leaves = paths.filter((p) => !paths.some((q) => q.startsWith(`${p}.`)));
  return leaves.join(' + ') || JSON.stringify(value);
}

function nodeAt(machine: AnyStateMachine, path: string): NodeLike | undefined {
  let node: NodeLike | undefined = rootOf(machine);
  for (const key of path.split('.')) {
    node = node !== undefined && Object.hasOwn(node.states ?? {}, key) ? node.states[key] : undefined;
  }
  return node;
}

/** True when the machine has a state at this dotted path. */
export function hasState(machine: AnyStateMachine, path: string): boolean {
  return nodeAt(machine, path) !== undefined;
}

/** The delayed transitions declared by the states a value is in. */
export function declaredDelays(machine: AnyStateMachine, value: unknown): DeclaredDelay[] {
  const delays: DeclaredDelay[] = [];
  for (const state of activePaths(value)) {
    const node = nodeAt(machine, state);
    if (node === undefined) continue;
    for (const t of node.after ?? []) delays.push({ state, event: t.event, delay: t.delay });
  }
  return delays;
}

/** The delayed transition (in the states a value is in) that schedules the given event id, if any. */
export function delayOfEvent(machine: AnyStateMachine, value: unknown, eventId: string): DeclaredDelay | undefined {
  return declaredDelays(machine, value).find((d) => d.event === eventId);
}

/** Event types a machine handles anywhere (its `machine.events`), for delayed events that are not `after`. */
export function handledEventTypes(machine: AnyStateMachine): ReadonlySet<string> {
  return new Set((machine.events as readonly unknown[]).filter((t): t is string => typeof t === 'string'));
}
