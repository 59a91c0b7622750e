/**
 * What verify needs of a machine's state tree: unknown states and history ids, whether a child's
 * `src` resolves, which states invoke what — walked from the machine itself so each missing state is
 * named, cached per machine for the common string values. Pinned by test/migrate/blockers.test.ts.
 */
import type { AnyStateMachine } from 'xstate';
import { describeError } from '../../errors.ts';

interface NodeLike {
  readonly states: Readonly<Record<string, NodeLike>>;
  readonly type: string;
}

/**
 * Names every state in `value` that the machine does not have, as dotted paths (`busy.reading`).
 * Walks the machine's own state tree rather than catching XState's throw, so each missing state is named.
 */
export function unknownStates(machine: AnyStateMachine, value: unknown): readonly string[] {
  if (typeof value === 'string') return unknownState(machine, value);
  return findUnknownStates(machine, value);
}

const NONE: readonly string[] = Object.freeze([]);
const unknownByName = new WeakMap<AnyStateMachine, Map<string, readonly string[]>>();

/** {@link unknownStates} of a plain string value, cached per machine (the same few states, at every swap). */
function unknownState(machine: AnyStateMachine, value: string): readonly string[] {
  let byName = unknownByName.get(machine);
  if (byName === undefined) unknownByName.set(machine, (byName = new Map()));
  let hit = byName.get(value);
  if (hit === undefined) {
    const found = findUnknownStates(machine, value);
    hit = found.length === 0 ? NONE : Object.freeze(found);
    // a value the machine does not have is not worth remembering (and must not grow the cache)
    if (found.length === 0) byName.set(value, hit);
  }
  return hit;
}

function findUnknownStates(machine: AnyStateMachine, value: unknown): string[] {
  const missing: string[] = [];
  const visit = (node: NodeLike, v: unknown, prefix: string): void => {
    if (typeof v === 'string') {
      if (!Object.hasOwn(node.states, v)) missing.push(prefix + v);
      return;
    }
    if (v === null || typeof v !== 'object') {
      missing.push(`${prefix}<${v === null ? 'null' : typeof v}>`);
      return;
    }
    for (const key of Object.keys(v)) {
      const child = Object.hasOwn(node.states, key) ? node.states[key] : undefined;
      if (child === undefined) missing.push(prefix + key);
      else visit(child, (v as Record<string, unknown>)[key], `${prefix}${key}.`);
    }
  };
  visit(machine.root as unknown as NodeLike, value, '');
  if (missing.length > 0) return missing;
  try {
    resolveValue(machine, value);
  } catch (error) {
    return [`${JSON.stringify(value)} (${describeError(error).message})`];
  }
  return missing;
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
  readonly invoke: readonly { readonly id: string }[];
}

const invokersCache = new WeakMap<AnyStateMachine, Map<string, string[]>>();

/** For each invoke id of a machine, the paths of the states that invoke it. */
export function invokers(machine: AnyStateMachine): Map<string, string[]> {
  let map = invokersCache.get(machine);
  if (map !== undefined) return map;
  map = new Map();
  const visit = (node: InvokingNode): void => {
    for (const inv of node.invoke) {
      const list = map!.get(inv.id) ?? [];
      list.push(node.path.join('.'));
      map!.set(inv.id, list);
    }
    for (const child of Object.values(node.states)) visit(child);
  };
  visit(machine.root as unknown as InvokingNode);
  invokersCache.set(machine, map);
  return map;
}
