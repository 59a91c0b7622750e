/**
 * Rate limiter v4, a plugin file with a bug no swap check can see: it states each bucket's capacity as
 * a rate (`RATE_PER_S` tokens per second) and converts it to tokens per refill period in the wrong
 * order — `Math.floor(400 / 1000) * 100` is 0 — so from its first refill on it throttles every request.
 * It loads, its migration is v3's state unchanged, its invariant holds, its worker starts: the swap
 * commits. Only the server's health check sees the damage (a version that admits nothing for several
 * refill periods), within the probation window, and the server rolls back to v3.
 *
 * Copy it into the watched directory as `rate-limiter-v4.ts` (the name carries the version), with the
 * server on probation (`npm run example:plugin-server -- --probation-ms 2000`). It imports v2 and v3
 * from `../plugins/`, so it works from this folder and from a plugins directory next to limiter.ts.
 */
import { defineVersion, type StateOf } from '../../../src/index.ts';
import { definePlugin } from '../../../src/plugin/index.ts';
import { REFILL_MS, seqViolations } from '../limiter.ts';
import { lineage as base } from '../limiter.ts';
import v2, { clientLimiter } from '../plugins/rate-limiter-v2.ts';
import v3, { limiterV3 } from '../plugins/rate-limiter-v3.ts';

export const lineage = base.extend(v2).extend(v3);

/** Standard tier's rate (tokens per second); admins get twice as much. Same rates as v3 (40 per 100 ms). */
export const RATE_PER_S = 400;

// the bug: floor before scaling — 400 / 1000 = 0.4 floors to 0, so every refill leaves 0 tokens
const capacityOf = (client: string): number => Math.floor(((client.startsWith('admin-') ? 2 : 1) * RATE_PER_S) / 1000) * REFILL_MS;

export const limiterV4Machine = clientLimiter(capacityOf, 4);

const limiterV4 = defineVersion({
  version: 4,
  machine: limiterV4Machine,
  description: 'capacities stated as rates per second',
  invariant: ({ context }) => seqViolations(context.seq),
});

export default definePlugin({
  component: 'rate-limiter',
  from: limiterV3,
  version: limiterV4,
  link: {
    description: 'same state; capacities now derived from rates',
    up: (s: StateOf<typeof limiterV3>): StateOf<typeof limiterV4> => s,
    down: (s: StateOf<typeof limiterV4>): StateOf<typeof limiterV3> => s,
  },
});
