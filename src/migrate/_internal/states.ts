/**
 * What verify needs of a machine's state tree: unknown states and history ids, whether a child's
 * `src` resolves, which states invoke what — walked from the machine itself so each missing state is
 * named, cached per machine for the common string values. Pinned by test/migrate/blockers.test.ts.
 */
import type { AnyStateMachine } from 'xstate';
import { describeError } from '../../errors.ts';

interface NodeLike {
  readonly key: string;
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly type: string;
  readonly initial?: { readonly target: readonly NodeLike[] };
}

/**
 * One thing wrong with a state value, named by its dotted path (`''` is the root). XState's restore
 * does not refuse any of these but the unknown state: it completes what the value leaves out with
 * initial states and enters every sibling it is given (`getStateNodes` and `getAllStateNodes` in its
 * `stateUtils`), so each would become a silent reset or a state no transition can produce.
 */
export type ValueProblem =
  /** A state the machine does not have. */
  | { readonly problem: 'unknown'; readonly state: string }
  /** A compound state given no child, or a region of a parallel state left out: `initial` is what XState would enter. */
  | { readonly problem: 'incomplete'; readonly path: string; readonly initial: readonly string[] }
  /** A state that is not parallel, given several children at once. */
  | { readonly problem: 'contradictory'; readonly path: string; readonly states: readonly string[] }
  /** Neither a state name nor an object of states (an array, `null`, a number…), or a history pseudo-state. */
  | { readonly problem: 'malformed'; readonly path: string; readonly got: string };

/**
 * Names everything wrong with `value` as a state of the machine: unknown states, and values XState
 * would complete or accept although no actor can be in them. Walks the machine's own state tree
 * rather than catching XState's throw, so each problem is named. A string naming a compound state is
 * XState's shorthand for its initial child and is accepted (see {@link shorthandStates}).
 */
export function valueProblems(machine: AnyStateMachine, value: unknown): readonly ValueProblem[] {
  if (typeof value === 'string') return stringProblems(machine, value);
  return findValueProblems(machine, value);
}

const NONE: readonly ValueProblem[] = Object.freeze([]);
const problemsByName = new WeakMap<AnyStateMachine, Map<string, readonly ValueProblem[]>>();

/** {@link valueProblems} of a plain string value, cached per machine (the same few states, at every swap). */
function stringProblems(machine: AnyStateMachine, value: string): readonly ValueProblem[] {
  let byName = problemsByName.get(machine);
  if (byName === undefined) problemsByName.set(machine, (byName = new Map()));
  let hit = byName.get(value);
  if (hit === undefined) {
    const found = findValueProblems(machine, value);
    hit = found.length === 0 ? NONE : Object.freeze(found);
    // a value the machine does not have is not worth remembering (and must not grow the cache)
    if (found.length === 0) byName.set(value, hit);
  }
  return hit;
}

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);
const childOf = (node: NodeLike, key: string): NodeLike | undefined => (Object.hasOwn(node.states, key) ? node.states[key] : undefined);
const regionsOf = (node: NodeLike): NodeLike[] => Object.values(node.states).filter((s) => s.type !== 'history');

/** The leaf states XState enters when it enters `node` (at `path`) with nothing below it given. */
function initialLeaves(node: NodeLike, path: string): string[] {
  if (node.type === 'compound' && node.initial !== undefined) {
    const first = node.initial.target[0];
    return first === undefined ? [path] : initialLeaves(first, join(path, first.key));
  }
  if (node.type === 'parallel') return regionsOf(node).flatMap((r) => initialLeaves(r, join(path, r.key)));
  return [path];
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return v === undefined ? 'undefined' : `a ${typeof v}`;
}

function findValueProblems(machine: AnyStateMachine, value: unknown): ValueProblem[] {
  const found: ValueProblem[] = [];
  const incomplete = (node: NodeLike, path: string): void => void found.push({ problem: 'incomplete', path, initial: initialLeaves(node, path) });
  const visit = (node: NodeLike, v: unknown, path: string): void => {
    if (typeof v === 'string') {
      const child = childOf(node, v);
      if (child === undefined) found.push({ problem: 'unknown', state: join(path, v) });
      else if (child.type === 'history') found.push({ problem: 'malformed', path: join(path, v), got: 'a history pseudo-state' });
      // a string under a parallel state names one region: XState starts the others at their initial states
      else if (node.type === 'parallel') for (const r of regionsOf(node)) if (r !== child) incomplete(r, join(path, r.key));
      return;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) {
      found.push({ problem: 'malformed', path, got: kindOf(v) });
      return;
    }
    const keys = Object.keys(v);
    if (node.type === 'compound' && keys.length === 0) incomplete(node, path);
    if (node.type === 'compound' && keys.length > 1) found.push({ problem: 'contradictory', path, states: keys.map((k) => join(path, k)) });
    if (node.type === 'parallel') for (const r of regionsOf(node)) if (!Object.hasOwn(v, r.key)) incomplete(r, join(path, r.key));
    for (const key of keys) {
      const child = childOf(node, key);
      if (child === undefined) found.push({ problem: 'unknown', state: join(path, key) });
      else if (child.type === 'history') found.push({ problem: 'malformed', path: join(path, key), got: 'a history pseudo-state' });
      else visit(child, (v as Record<string, unknown>)[key], join(path, key));
    }
  };
  visit(machine.root as unknown as NodeLike, value, '');
  if (found.length > 0) return found;
  try {
    resolveValue(machine, value);
  } catch (error) {
    return [{ problem: 'unknown', state: `${JSON.stringify(value)} (${describeError(error).message})` }];
  }
  return found;
}

/**
 * The compound and parallel states a value names by a plain string, leaving what is below them to
 * XState's initial states (`'on'` for `{ on: 'playing' }`): allowed, but worth showing, since a
 * migration that means another child would reset it. Dotted paths, in value order.
 */
export function shorthandStates(machine: AnyStateMachine, value: unknown): string[] {
  const found: string[] = [];
  const visit = (node: NodeLike, v: unknown, path: string): void => {
    if (typeof v === 'string') {
      const child = childOf(node, v);
      if (child !== undefined && (child.type === 'compound' || child.type === 'parallel')) found.push(join(path, v));
      return;
    }
    if (v === null || typeof v !== 'object') return;
    for (const key of Object.keys(v)) {
      const child = childOf(node, key);
      if (child !== undefined) visit(child, (v as Record<string, unknown>)[key], join(path, key));
    }
  };
  visit(machine.root as unknown as NodeLike, value, '');
  return found;
}

const resolvedByName = new WeakMap<AnyStateMachine, Map<string, ReturnType<AnyStateMachine['resolveState']>>>();

/**
 * `machine.resolveState({ value })`, cached for plain string values (the common case: the same few
 * states, resolved at every swap). Only `matches()` and the state nodes of the result may be used.
 */
export function resolveValue(machine: AnyStateMachine, value: unknown): ReturnType<AnyStateMachine['resolveState']> {
  if (typeof value !== 'string') return machine.resolveState({ value: value as never, context: {} });
  let byName = resolvedByName.get(machine);
  if (byName === undefined) resolvedByName.set(machine, (byName = new Map()));
  let hit = byName.get(value);
  if (hit === undefined) byName.set(value, (hit = machine.resolveState({ value: value as never, context: {} })));
  return hit;
}

/** Names every history entry whose state id the machine does not have. */
export function unknownHistoryIds(machine: AnyStateMachine, historyValue: unknown): string[] {
  if (historyValue === null || typeof historyValue !== 'object') return [];
  const missing: string[] = [];
  for (const [key, entries] of Object.entries(historyValue as Record<string, unknown>)) {
    if (!hasStateId(machine, key)) missing.push(key);
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const id = (entry as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !hasStateId(machine, id)) missing.push(String(id));
    }
  }
  return missing;
}

function hasStateId(machine: AnyStateMachine, id: string): boolean {
  try {
    machine.getStateNodeById(id);
    return true;
  } catch {
    return false;
  }
}

/** Resolves a persisted child's `src` the way XState's restore does; `undefined` when it cannot. */
export function resolvesChild(machine: AnyStateMachine, src: unknown): boolean {
  if (typeof src !== 'string') return src !== undefined && src !== null;
  const match = /^xstate\.invoke\.(\d+)\.(.*)$/.exec(src);
  if (match === null) return (machine.implementations.actors as Record<string, unknown>)[src] !== undefined;
  try {
    const node = machine.getStateNodeById(match[2]!);
    const invoke = (node.config as { invoke?: unknown }).invoke;
    const config = Array.isArray(invoke) ? invoke[Number(match[1])] : invoke;
    return (config as { src?: unknown } | undefined)?.src !== undefined;
  } catch {
    return false;
  }
}

/** A dotted state path as a state value: `a.b` → `{ a: 'b' }`. */
export function pathToValue(path: string): unknown {
  return path.split('.').reduceRight<unknown>((inner, key) => (inner === undefined ? key : { [key]: inner }), undefined);
}

/** Whether the state at `path` is active when the machine is in `value` (the root, `''`, always is). */
export function isActive(machine: AnyStateMachine, value: unknown, path: string): boolean {
  return path === '' || resolveValue(machine, value).matches(pathToValue(path) as never);
}

interface InvokingNode {
  readonly path: readonly string[];
  readonly states: Readonly<Record<string, InvokingNode>>;
  readonly invoke: readonly { readonly id: string; readonly src: string }[];
}

/** A state that invokes an actor: its dotted path, and the `src` it invokes there (XState's name for inline logic). */
export interface Invoker {
  readonly path: string;
  readonly src: string;
}

const invokersCache = new WeakMap<AnyStateMachine, Map<string, Invoker[]>>();

/** For each invoke id of a machine, the states that invoke it and with which `src`. */
export function invokers(machine: AnyStateMachine): Map<string, Invoker[]> {
  let map = invokersCache.get(machine);
  if (map !== undefined) return map;
  map = new Map();
  const visit = (node: InvokingNode): void => {
    for (const inv of node.invoke) {
      const list = map!.get(inv.id) ?? [];
      list.push({ path: node.path.join('.'), src: inv.src });
      map!.set(inv.id, list);
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as InvokingNode);
  invokersCache.set(machine, map);
  return map;
}
