/**
 * Context fields before and after a link, compared over every sampled state that migrated: fields
 * dropped (data loss unless declared in the link's `drops`; on the way down, a lossy rollback unless
 * declared in `downDrops`), added, renamed (declared in `renames` and verified, or a dropped field whose
 * value reappears under a new path in every sample), and fields whose type changes.
 */
import { type Field, type FieldType, deepEqual, fieldsOf, isWithin, parsePath, valueAt } from './_internal/paths.ts';
import type { Outcome } from './_internal/outcome.ts';
import { describeExample } from './_internal/samples.ts';
import { Tally } from './_internal/tally.ts';
import { reason } from './scores.ts';
import type { Direction, Reason } from './types.ts';

/** What {@link fieldReasons} needs besides the outcomes. */
export interface FieldOptions {
  readonly direction: Direction;
  /** The fields this direction drops on purpose: the link's `drops` (up) or `downDrops` (down). */
  readonly drops?: readonly string[];
  /** Fields this direction moves, `{ from: to }` (the link's `renames`, up), verified in every sample. */
  readonly renames?: Readonly<Record<string, string>>;
  /**
   * Down only: every context path seen in the target (older) version's own samples. A field the target
   * never has is discarded by necessity on the way down, not lost by mistake.
   */
  readonly targetFields?: ReadonlySet<string>;
  /** The target version number, for messages. */
  readonly to: number;
}

interface Pair {
  readonly index: number;
  readonly example: readonly string[];
  readonly before: Map<string, Field>;
  readonly after: Map<string, Field>;
}

/** Reasons about context fields, from the samples that migrated without a blocker. */
export function fieldReasons(outcomes: readonly Outcome[], options: FieldOptions): Reason[] {
  const pairs: Pair[] = [];
  for (const o of outcomes) {
    if (!o.result.ok) continue;
    pairs.push({ index: o.index, example: o.example, before: fieldsOf(o.sample.snapshot.context), after: fieldsOf(o.result.snapshot.context) });
  }
  const total = pairs.length;
  const dropped = new Tally<null>();
  const added = new Tally<null>();
  const retyped = new Tally<{ path: string; from: FieldType; to: FieldType }>();
  for (const p of pairs) {
    for (const [path, field] of p.before) {
      const now = p.after.get(path);
      if (now === undefined) dropped.add(path, p.index, null, p.example);
      else if (now.type !== field.type) retyped.add(`${path}:${field.type}:${now.type}`, p.index, { path, from: field.type, to: now.type }, p.example);
    }
    for (const path of p.after.keys()) if (!p.before.has(path)) added.add(path, p.index, null, p.example);
  }

  const reasons: Reason[] = [];
  const declared = declaredRenames(pairs, options.renames ?? {}, total, reasons);
  const undeclared = dropped.entries().map((e) => e.key).filter((d) => !declared.some((f) => isWithin(d, f)));
  const renames = findRenames(pairs, undeclared, added.entries().map((e) => e.key));
  const covered = (path: string, ends: readonly string[]): boolean => ends.some((e) => isWithin(path, e) || isWithin(e, path));
  const sources = [...declared, ...renames.map((r) => r.from)];
  const targets = renames.map((r) => r.to);
  const droppedPaths = minimal(dropped.entries().map((e) => e.key).filter((d) => !covered(d, sources)));
  const addedPaths = minimal(added.entries().map((e) => e.key).filter((a) => !covered(a, targets)));

  const droppedEntries = new Map(dropped.entries().map((e) => [e.key, e]));
  for (const path of droppedPaths) {
    const { count, example } = droppedEntries.get(path)!;
    const evidence = { subject: path, count, total, example };
    if ((options.drops ?? []).some((d) => isWithin(path, d))) {
      const declaredIn = options.direction === 'up' ? '`drops`' : '`downDrops`';
      reasons.push(reason('field-dropped', `field '${path}' is dropped, as declared in the link's ${declaredIn}`, evidence));
    } else if (options.direction === 'down' && options.targetFields !== undefined && !options.targetFields.has(path)) {
      reasons.push(reason('field-discarded', `field '${path}' is discarded: v${options.to} has no such field`, evidence));
    } else if (options.direction === 'down') {
      reasons.push(
        reason(
          'lossy-down',
          `rolling back drops field '${path}' — ${count} of ${total} states, e.g. ${describeExample(example)}; if intended, list it in the link's \`downDrops\``,
          evidence,
        ),
      );
    } else {
      reasons.push(
        reason('data-loss', `field '${path}' is dropped — ${count} of ${total} states, e.g. ${describeExample(example)}; if intended, list it in the link's \`drops\` (or \`renames\` if it moved)`, evidence),
      );
    }
  }
  for (const r of renames) {
    reasons.push(reason('field-renamed', `field '${r.from}' is renamed to '${r.to}' (equal values in ${r.count} states)`, { subject: r.from, count: r.count, total }));
  }
  for (const path of addedPaths) reasons.push(reason('field-added', `field '${path}' is added`, { subject: path }));
  for (const { count, first, example } of retyped.entries()) {
    reasons.push(
      reason(
        'type-change',
        `field '${first.path}' changes type ${first.from} → ${first.to} — ${count} of ${total} states, e.g. ${describeExample(example)}`,
        { subject: first.path, count, total, example },
      ),
    );
  }
  return reasons;
}

/**
 * Verifies each declared rename `{ from: to }` in every migrated sample that has `from`: the value at
 * `to` after equals the value at `from` before. A rename that holds is a `field-renamed` reason; one that
 * does not (or names no path) is data loss, since the value did not arrive where the link says. Returns
 * the sources it covered, so they are not reported again as dropped.
 */
function declaredRenames(pairs: readonly Pair[], declared: Readonly<Record<string, string>>, total: number, reasons: Reason[]): string[] {
  const sources: string[] = [];
  for (const [from, to] of Object.entries(declared)) {
    sources.push(from);
    const target = parsePath(to);
    if (target === undefined) {
      reasons.push(reason('data-loss', `the link's \`renames\` maps '${from}' to '${to}', which is not a path (dotted keys, \`[i]\` for array items)`, { subject: from }));
      continue;
    }
    const relevant = pairs.filter((p) => p.before.has(from));
    const broken = relevant.filter((p) => {
      const now = valueAtFields(p, target);
      return !now.found || !deepEqual(p.before.get(from)!.value, now.value);
    });
    if (broken.length === 0) {
      if (relevant.length > 0) {
        reasons.push(reason('field-renamed', `field '${from}' is renamed to '${to}', as declared in the link's \`renames\` (equal values in ${relevant.length} states)`, { subject: from, count: relevant.length, total }));
      }
      continue;
    }
    const shortest = broken.reduce((a, b) => (b.example.length < a.example.length ? b : a));
    reasons.push(
      reason(
        'data-loss',
        `field '${from}' does not arrive at '${to}' as the link's \`renames\` declares — ${broken.length} of ${total} states, e.g. ${describeExample(shortest.example)}`,
        { subject: from, count: broken.length, total, example: shortest.example },
      ),
    );
  }
  return sources;
}

/** The value at a declared path in a pair's migrated context. */
function valueAtFields(p: Pair, path: readonly (string | number)[]): { found: boolean; value?: unknown } {
  const [head, ...rest] = path;
  const top = typeof head === 'string' ? p.after.get(head) : undefined;
  return top === undefined ? { found: false } : valueAt(top.value, rest);
}

/** Keeps the paths whose parent is not in the list: `stats` rather than `stats`, `stats.completed`. */
function minimal(paths: readonly string[]): string[] {
  const set = new Set(paths);
  return paths.filter((p) => {
    const dot = p.lastIndexOf('.');
    return dot < 0 || !set.has(p.slice(0, dot));
  });
}

/**
 * Pairs each dropped path with an added path holding an equal value in every sample that dropped it.
 * Prefers a target with the same last segment (`completed` → `stats.completed`); each target is used once.
 */
function findRenames(pairs: readonly Pair[], dropped: readonly string[], added: readonly string[]): { from: string; to: string; count: number }[] {
  const renames: { from: string; to: string; count: number }[] = [];
  const used = new Set<string>();
  for (const d of dropped) {
    if (renames.some((r) => isWithin(d, r.from))) continue;
    const relevant = pairs.filter((p) => p.before.has(d) && !p.after.has(d));
    if (relevant.length === 0) continue;
    const candidates = added.filter(
      (a) =>
        !used.has(a) &&
        !renames.some((r) => isWithin(a, r.to)) &&
        relevant.every((p) => {
          const now = p.after.get(a);
          return now !== undefined && !p.before.has(a) && deepEqual(p.before.get(d)!.value, now.value);
        }),
    );
    const leaf = (p: string): string => p.slice(p.lastIndexOf('.') + 1);
    // A value that never varies (always 0, say) equals too much to prove a rename by itself: then the
    // field must also keep its name (`completed` → `stats.completed`).
    const first = relevant[0]!.before.get(d)!.value;
    const varies = relevant.some((p) => !deepEqual(p.before.get(d)!.value, first));
    const best = candidates.find((a) => leaf(a) === leaf(d)) ?? (varies ? candidates[0] : undefined);
    if (best === undefined) continue;
    used.add(best);
    renames.push({ from: d, to: best, count: relevant.length });
  }
  return renames;
}
