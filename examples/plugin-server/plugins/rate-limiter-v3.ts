/**
 * Rate limiter v3, a plugin file: clients named `admin-…` get twice the capacity. The machine is v2's
 * with a tier-aware decision; the link adds nothing to the state, so it is reversible as it is. It
 * imports the v2 file next to it to re-export the lineage v1 → v2 it extends, so copy v2 first.
 */
import { defineVersion, type StateOf } from '../../../src/index.ts';
import { definePlugin } from '../../../src/plugin/index.ts';
import { CAPACITY, seqViolations } from '../limiter.ts';
import { lineage as base } from '../limiter.ts';
import v2, { clientLimiter, limiterV2 } from './rate-limiter-v2.ts';

export const lineage = base.extend(v2);

/** Tokens per refill period for a client. */
export const capacityOf = (client: string): number => (client.startsWith('admin-') ? 2 * CAPACITY : CAPACITY);

export const limiterV3Machine = clientLimiter(capacityOf, 3);

export const limiterV3 = defineVersion({
  version: 3,
  machine: limiterV3Machine,
  description: 'admin tier: twice the capacity',
  invariant: ({ context }) => seqViolations(context.seq),
});


export default definePlugin({
  component: 'rate-limiter',
  from: limiterV2,
  version: limiterV3,
  link: {
    description: 'same state, tier-aware decisions',
    up: (s: StateOf<typeof limiterV2>): StateOf<typeof limiterV3> => s,
    down: (s: StateOf<typeof limiterV3>): StateOf<typeof limiterV2> => s,
  },
});
