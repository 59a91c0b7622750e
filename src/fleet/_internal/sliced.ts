/**
 * Time-sliced concurrency for the agent's swaps. A swap of an in-process component settles through
 * microtasks alone, so `Promise.all` over a group of 16 swaps ran as one synchronous stretch (16 swaps'
 * CPU, 30–36 ms on the loaded fleet bench, profiled with `npm run bench:fleet -- --cpu-prof <dir>`),
 * and the process's timers and sockets waited behind it. Here each task is launched, then awaited until
 * it settles or the event loop has turned once; whenever `sliceMs` of work has passed since the last
 * turn, the launcher yields a full turn (`setImmediate`) before the next launch. So a stretch is bounded
 * by about `sliceMs` plus one task, while tasks that wait on I/O (a slow precondition, a worker) still
 * run up to `concurrency` at once. Tests: test/fleet/sliced.test.ts.
 */

/** Runs `task` over `items`, at most `concurrency` at once, yielding to the event loop every `sliceMs`; results in order. */
export async function sliced<T, R>(items: readonly T[], concurrency: number, sliceMs: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  const inflight = new Set<Promise<void>>();
  let slice = performance.now();
  for (let i = 0; i < items.length; i++) {
    while (inflight.size >= concurrency) await Promise.race(inflight);
    if (performance.now() - slice >= sliceMs) {
      await turn();
      slice = performance.now();
    }
    const p: Promise<void> = task(items[i]!).then((r) => {
      out[i] = r;
      inflight.delete(p);
    });
    inflight.add(p);
    // (racing p also gives every task a rejection handler from its launch: none goes unhandled)
    // a task that settles through microtasks alone is done before the next launch, and its time is counted;
    // one waiting on I/O lets the launcher go on after one turn of the loop
    await Promise.race([p, turn()]);
  }
  await Promise.all(inflight);
  return out;
}

const turn = (): Promise<void> => new Promise<void>((r) => setImmediate(r));
