/**
 * The simulator-driver example: a simulated disk whose driver (driver.ts) is a state machine on a
 * simulated clock. Requests arrive every few milliseconds and complete by interrupts (runtime timers).
 * Mid-simulation the driver is swapped v1 → v2 and refused twice, each report printed: the scheduler
 * still borrows the driver's state (refused at quiesce; the lease is checked before anything drains),
 * and once it releases it, a pending interrupt targets `irqComplete`, which v2 renamed (refused at
 * drain). With the fix (v2 keeps the old handler) the retried swap commits, carrying the pending
 * interrupt. The simulation ends with every request
 * completed exactly once, checked. Exit 1 otherwise.
 *
 * Run: npm run example:simulator-driver (or npx tsx examples/simulator-driver/main.ts)
 */
import { createRuntime, formatReport, ManualClock, type SwapReport } from '../../src/index.ts';
import { type DiskRequest, driverBase, driverFixed, driverRenamed, serviceMs, simClock } from './driver.ts';

const REQUESTS = 40;
const ARRIVAL_MS = 5;
const SWAP_AT_MS = 80;

const clock = new ManualClock();
simClock.now = () => clock.now();
const runtime = createRuntime({ clock });
const driver = runtime.start(driverBase);
const completedIds = (): number[] => {
  const c = driver.getSnapshot().context as { completed?: number[]; done?: Record<string, number> };
  return c.completed ?? Object.keys(c.done ?? {}).map(Number);
};

// the scheduler holds the driver's state while it orders its queue
const lease = driver.borrow('DriverState', 'scheduler queue');
const requests: DiskRequest[] = Array.from({ length: REQUESTS }, (_, i) => ({ id: i + 1, sector: (i * 37) % 101 }));
console.log(`simulating ${REQUESTS} disk requests, one every ${ARRIVAL_MS} ms (service ${Math.min(...requests.map((r) => serviceMs(r.sector)))}–${Math.max(...requests.map((r) => serviceMs(r.sector)))} ms), driver v${driver.version}`);

let next = 0;
let swapped = false;
while (completedIds().length < REQUESTS && clock.now() < 10_000) {
  while (next < REQUESTS && clock.now() >= (next + 1) * ARRIVAL_MS) driver.send({ type: 'SUBMIT', request: requests[next++]! });
  if (!swapped && clock.now() >= SWAP_AT_MS) {
    swapped = true;
    const pending = driver.ledger().timers.map((t) => `'${t.name}' → ${t.handler}`).join(', ');
    console.log(`\nt=${clock.now()} ms: ${completedIds().length} completed, ${next - completedIds().length} in the driver; pending interrupt ${pending}; lease ${lease.state}`);
    const attempt = async (title: string, lineage: typeof driverFixed): Promise<SwapReport> => {
      console.log(`\n${title}`);
      const r = await driver.swap(2, { lineage, policies: { leases: 'block' } });
      console.log(formatReport(r));
      console.log(`→ ${r.outcome}${r.phase !== undefined ? ` at ${r.phase}` : ''}; blockers: ${r.blockers.map((b) => b.kind).join(', ') || 'none'}; driver v${driver.version}`);
      return r;
    };
    await attempt('swap v1 → v2 as first written (handler renamed to onInterrupt), scheduler lease held:', driverRenamed);
    lease.release();
    await attempt('the scheduler released its lease; same v2 again:', driverRenamed);
    const committed = await attempt('fixed v2 (keeps irqComplete for interrupts already in flight):', driverFixed);
    if (committed.outcome !== 'committed') process.exitCode = 1;
    console.log('');
  }
  clock.advance(1);
  await Promise.resolve();
}

const ids = completedIds();
const once = new Set(ids).size === ids.length && ids.length === REQUESTS && requests.every((r) => ids.includes(r.id));
const done = (driver.getSnapshot().context as { done?: Record<string, number> }).done ?? {};
const afterSwap = Object.values(done).filter((t) => t >= 0).length;
console.log(`simulation ended at t=${clock.now()} ms: ${ids.length} of ${REQUESTS} requests completed, ${new Set(ids).size} distinct, ${ids.length - new Set(ids).size} twice, ${requests.filter((r) => !ids.includes(r.id)).length} never`);
console.log(`completed by v1: ${ids.length - afterSwap}, by v2: ${afterSwap} (including the interrupt carried across the swap)`);
console.log(`journal: ${(await runtime.journal.entries()).map((e) => `v${e.from}→v${e.to} ${e.outcome}`).join(', ')}`);
console.log(once ? 'checked: every request completed exactly once' : 'FAILED: a request was lost or completed twice');
if (!once) process.exitCode = 1;
await runtime.stop();
