/** Paths of the worker fixtures (test/fixtures/worker), and waiting for a mirrored snapshot. */
import type { HostedSnapshot, WorkerComponent } from '../../src/worker/index.ts';

export const fixture = (name: string): URL => new URL(`../fixtures/worker/${name}.ts`, import.meta.url);

export interface CounterContext {
  readonly count: number;
  readonly log: readonly number[];
  readonly seen?: number;
}

export const contextOf = (c: WorkerComponent<any>): CounterContext => c.getSnapshot().context as CounterContext;

/** Resolves with the first mirrored snapshot that satisfies `test` (the current one included). */
export function until(c: WorkerComponent<any>, test: (s: HostedSnapshot) => boolean, ms = 20_000): Promise<HostedSnapshot> {
  return new Promise((resolve, reject) => {
    if (test(c.getSnapshot())) return resolve(c.getSnapshot());
    const timer = setTimeout(() => {
      sub.unsubscribe();
      reject(new Error(`no matching snapshot within ${ms} ms; last: ${JSON.stringify(c.getSnapshot())}`));
    }, ms);
    const sub = c.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(s);
    });
  });
}
