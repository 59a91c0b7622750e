/**
 * A swap refused at quiesce: a disk driver has a `readSector` promise in flight (policy `wait`) and
 * the scheduler holds a borrow of its `DriverState` handle. Neither clears within the 250 ms
 * deadline, so the swap is refused with a DESIGN §4 blocker report and v1 keeps running untouched.
 * Once the lease is released and the read settles, the same swap commits.
 *
 * Run: npx tsx examples/blocker-report.ts
 */
import { assign, fromPromise, setup } from 'xstate';
import { createRuntime, defineVersion, formatReport, lineage } from '../src/index.ts';

type DriverEvent = { type: 'READ'; sector: number };
interface DriverContext {
  reads: number;
  lastSector: number;
}

/** Simulated disk I/O: 400 ms per sector. */
const readSector = fromPromise<number, { sector: number }>(
  ({ input }) => new Promise((resolve) => setTimeout(() => resolve(input.sector), 400)),
);

const machine = (id: string) =>
  setup({ types: { context: {} as DriverContext, events: {} as DriverEvent }, actors: { readSector } }).createMachine({
    id,
    initial: 'idle',
    context: { reads: 0, lastSector: -1 },
    states: {
      idle: { on: { READ: 'reading' } },
      reading: {
        invoke: {
          src: 'readSector',
          input: ({ event }) => ({ sector: (event as DriverEvent).sector }),
          onDone: { target: 'idle', actions: assign({ reads: ({ context }) => context.reads + 1, lastSector: ({ event }) => event.output }) },
        },
      },
    },
  });

const handles = { DriverState: { resource: ({ context }: { context: DriverContext }) => ({ ...context }) } };
const v1 = defineVersion({ version: 1, machine: machine('driver'), handles });
const v2 = defineVersion({ version: 2, machine: machine('driver'), handles, description: 'same shape, new code' });
const driver = lineage('driver', v1).next(v2, { up: (s) => s, down: (s) => s });

const runtime = createRuntime();
const d = runtime.start(driver, { version: 1 });
const lease = d.borrow('DriverState', 'scheduler queue');
d.send({ type: 'READ', sector: 7 });
console.log(`driver v${d.version} is '${d.getSnapshot().value}'; in flight: ${d.ledger().inFlight.map((f) => f.src).join(', ')}; leased: ${d.ledger().leases.map((l) => `${l.handle} to '${l.holder}'`).join(', ')}`);
console.log('');

const refused = await d.swap(2, { deadlineMs: 250, policies: { promises: 'wait', leases: 'wait' } });
console.log(formatReport(refused));
console.log('');
console.log(`outcome: ${refused.outcome} in phase ${refused.phase}; blocker kinds: ${refused.blockers.map((b) => b.kind).join(', ')}`);
console.log(`driver still v${d.version}, state '${d.getSnapshot().value}', lease ${lease.state}`);
console.log('');

lease.release();
const committed = await d.swap(2, { deadlineMs: 1000 }); // waits for the read to settle
console.log(formatReport(committed));
console.log(`driver now v${d.version}, state '${d.getSnapshot().value}', reads ${d.getSnapshot().context.reads}, last sector ${d.getSnapshot().context.lastSector}`);
console.log(`journal: ${(await runtime.journal.entries()).map((e) => e.outcome).join(', ')}`);
await runtime.stop();
