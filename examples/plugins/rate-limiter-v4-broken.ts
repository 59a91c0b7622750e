/**
 * A rate-limiter v4 plugin with a bug: its migration resets `stats.admitted` (it meant to reset the
 * per-client counts), so `processed = admitted + throttled` no longer holds. A swap to it must be
 * refused at verify, with the old version still serving.
 *
 * A plugin module exports `{ from, version, link }` for `lineage.extend(plugin)`.
 */
import { defineVersion, type StateOf, type VersionPlugin } from '../../src/index.ts';
import { limiterV3, limiterV3Machine } from '../components/rate-limiter.ts';

const v4 = defineVersion({
  version: 4,
  machine: limiterV3Machine,
  swapTag: 'swappable',
  description: 'fresh counters per deployment (buggy)',
  handlers: limiterV3.handlers,
  invariant: limiterV3.invariant,
});

export const plugin: VersionPlugin = {
  from: 3,
  version: v4,
  link: {
    description: 'reset counters per deployment',
    up: ({ value, context }: StateOf<typeof limiterV3>) => ({
      value,
      context: { ...context, stats: { ...context.stats, admitted: 0 } },
    }),
  },
};
