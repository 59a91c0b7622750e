/** Lineage lookups for the kit, with usage errors that say what is wrong. */
import type fc from 'fast-check';
import type { EventObject } from 'xstate';
import { HotswapError } from '../../errors.ts';
import type { AnyLineage } from '../../lineage/lineage.ts';
import type { AnyVersion } from '../../lineage/types.ts';
import type { GenerationOptions } from '../options.ts';
import { type Reachable, type ReachableOptions, reachableSnapshots } from '../reachable.ts';

/** The version `n` of a lineage, or a thrown `UNKNOWN_VERSION`. */
export function versionOf(l: AnyLineage, n: number): AnyVersion {
  const v = l.get(n);
  if (v === undefined) {
    const known = l.versions.map((x) => x.version).join(', ');
    throw new HotswapError('UNKNOWN_VERSION', `Expected a version of ${l.name} (${known}), got \`${String(n)}\``, {
      details: { component: l.name, version: n },
    });
  }
  return v;
}

/** Reachable snapshots of version `from` of a lineage, generated as the options say. */
export function reachableOf(l: AnyLineage, from: number, options: GenerationOptions): fc.Arbitrary<Reachable> {
  const r: { -readonly [K in keyof ReachableOptions<EventObject>]: ReachableOptions<EventObject>[K] } = {};
  if (options.events !== undefined) r.events = options.events;
  if (options.maxEvents !== undefined) r.maxEvents = options.maxEvents;
  if (options.fireDelays !== undefined) r.fireDelays = options.fireDelays;
  if (options.input !== undefined) r.input = options.input;
  return reachableSnapshots(versionOf(l, from), r) as fc.Arbitrary<Reachable>;
}
