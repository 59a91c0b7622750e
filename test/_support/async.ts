/** Lets pending promise callbacks (microtasks and one macrotask turn) run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether a promise has settled yet, without waiting for it. */
export async function isSettled(p: Promise<unknown>): Promise<boolean> {
  const marker = Symbol('pending');
  const r = await Promise.race([p.then(() => true, () => true), new Promise((resolve) => setImmediate(() => resolve(marker)))]);
  return r !== marker;
}
