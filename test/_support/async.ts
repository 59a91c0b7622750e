/** Lets pending promise callbacks (microtasks and one macrotask turn) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a promise settles within a few turns of the event loop (no ManualClock advances meanwhile). */
export async function isSettled(p: Promise<unknown>, turns = 20): Promise<boolean> {
  // A few turns of the event loop, not one: a swap whose synchronous stretch ran past 1 ms (cold code,
  // a loaded machine) lets the loop run once before hashing, and must still count as settled "at once"
  // (nothing on a ManualClock advanced meanwhile).
  let settled = false;
  void p.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (let i = 0; i < turns && !settled; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  return settled;
}
