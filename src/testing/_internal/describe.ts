/** Readable renderings of a reachable state and of the difference between two states. */
import { isDeepStrictEqual } from 'node:util';
import type { EventObject } from 'xstate';
import type { Reachable } from '../reachable.ts';

const MAX = 400;

/** Compact JSON, cut at {@link MAX} characters so a huge context cannot drown the message. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v: unknown) => (v === undefined ? '<undefined>' : v)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text;
}

/** `ENQUEUE {"id":"a"}, START, xstate.after.100.driver.busy`, or `(none)`. */
export function showEvents(events: readonly EventObject[]): string {
  if (events.length === 0) return '(none: the initial state)';
  return events
    .map((e) => {
      const { type, ...payload } = e;
      return Object.keys(payload).length === 0 ? type : `${type} ${show(payload)}`;
    })
    .join(', ');
}

/** The lines that say how a reachable state was reached and what it is. */
export function describeReachable(r: Reachable, version: number): string[] {
  const lines = [`  events:  ${showEvents(r.events)}`, `  state:   v${version} ${show(r.snapshot.value)} ${show(r.snapshot.context)}`];
  if (r.pendingDelays.length > 0) {
    lines.push(`  pending: ${r.pendingDelays.map((p) => `${p.event.type} (in ${p.remainingMs} ms)`).join(', ')}`);
  }
  return lines;
}

/** Indents every line of a block by two spaces. */
export function indent(block: string): string {
  return block
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Dotted paths at which `a` and `b` differ, with both values: `context.queue.0: "b" ≠ "a"`. Up to `limit`. */
export function differences(a: unknown, b: unknown, path = '', limit = 10): string[] {
  const out: string[] = [];
  const visit = (x: unknown, y: unknown, p: string): void => {
    if (out.length >= limit || isDeepStrictEqual(x, y)) return;
    const bothObjects = x !== null && y !== null && typeof x === 'object' && typeof y === 'object' && Array.isArray(x) === Array.isArray(y);
    if (!bothObjects) {
      out.push(`${p || '(root)'}: ${show(x)} ≠ ${show(y)}`);
      return;
    }
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) {
      const hasX = Object.hasOwn(x, k);
      const hasY = Object.hasOwn(y, k);
      const child = p === '' ? k : `${p}.${k}`;
      if (hasX !== hasY) out.push(`${child}: ${hasX ? show((x as Record<string, unknown>)[k]) : '<missing>'} ≠ ${hasY ? show((y as Record<string, unknown>)[k]) : '<missing>'}`);
      else visit((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], child);
      if (out.length >= limit) return;
    }
  };
  visit(a, b, path);
  return out;
}
