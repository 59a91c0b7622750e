/**
 * Rate limiter v4, a plugin file with a bug its swap must refuse: it means to start each deployment
 * with fresh per-client counts, but its migration also zeroes `seq.admitted`, so on the live values
 * `processed = admitted + throttled` no longer holds. Verify refuses the swap and v3 keeps serving.
 */
import { defineVersion, type StateOf } from '../../../src/index.ts';
import { definePlugin } from '../../../src/plugin/index.ts';
import { seqViolations } from '../limiter.ts';
import { lineage as base } from '../limiter.ts';
import v2 from './rate-limiter-v2.ts';
import v3, { limiterV3, limiterV3Machine } from './rate-limiter-v3.ts';

export const lineage = base.extend(v2).extend(v3);

const limiterV4 = defineVersion({
  version: 4,
  machine: limiterV3Machine,
  description: 'fresh counts per deployment (buggy)',
  invariant: ({ context }) => seqViolations(context.seq),
});

export default definePlugin({
  component: 'rate-limiter',
  from: limiterV3,
  version: limiterV4,
  link: {
    description: 'reset the counts per deployment',
    up: ({ value, context }: StateOf<typeof limiterV3>) => ({
      value,
      context: {
        ...context,
        clients: Object.fromEntries(Object.entries(context.clients).map(([k, c]) => [k, { ...c, admitted: 0 }])),
        seq: { ...context.seq, admitted: 0 }, // the bug: this counter is the invariant's witness
      },
    }),
  },
});
