/**
 * A rate-limiter v4 plugin with a bug: its migration resets `stats.admitted` (it meant to reset the
 * per-client counts), so `processed = admitted + throttled` no longer holds. A swap to it must be
 * refused at verify, with the old version still serving.
 *
 * A plugin module exports a `definePlugin` value: `loadPlugin` and `lineage.extend(plugin)` take it.
 */
import { defineVersion, type StateOf } from '../../src/index.ts';
import { definePlugin } from '../../src/plugin/index.ts';
import { limiterV3, limiterV3Machine } from '../components/rate-limiter.ts';

const v4 = defineVersion({
  version: 4,
  machine: limiterV3Machine,
  swapTag: 'swappable',
  description: 'fresh counters per deployment (buggy)',
  handlers: limiterV3.handlers,
  invariant: limiterV3.invariant,
});

export const plugin = definePlugin({
  component: 'rate-limiter',
  from: limiterV3,
  version: v4,
  link: {
    description: 'reset counters per deployment',
    up: ({ value, context }: StateOf<typeof limiterV3>) => ({
      value,
      context: { ...context, stats: { ...context.stats, admitted: 0 } },
    }),
  },
});
