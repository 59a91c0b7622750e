/**
 * `hostInWorker`: the entry of hotswap/worker — checks the options, starts the component's serving
 * worker and hands out its proxy (host.ts) once the machine runs. Pinned by test/worker/api.test.ts.
 */
import type { AnyEventObject, EventObject } from 'xstate';
import { HotswapError } from '../errors.ts';
import { WorkerComponent } from './host.ts';
import type { HostOptions } from './types.ts';

/**
 * Starts a component inside a worker thread and resolves to its proxy once the worker has loaded the
 * module and started the machine. Rejects with `WORKER_START_FAILED` (`details.phase` `load` or
 * `start`, `details.error`, `details.blockers`) when it cannot: the host process is not affected.
 *
 * @example
 * const limiter = await hostInWorker({ module: new URL('./plugins/limiter.js', import.meta.url), component: 'limiter', restart: 'auto' });
 * limiter.send({ type: 'HIT', key: 'a' });
 * await limiter.swap({ module: new URL('./plugins/limiter-v2.js', import.meta.url) });
 */
export async function hostInWorker<TEvent extends EventObject = AnyEventObject>(options: HostOptions): Promise<WorkerComponent<TEvent>> {
  const capacity = options.mailboxCapacity ?? 1024;
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`mailboxCapacity\` to be a positive integer, got \`${String(capacity)}\``);
  }
  if (typeof options.component !== 'string' || options.component === '') {
    throw new HotswapError('INVALID_ARGUMENT', `Expected \`component\` to be a non-empty string, got \`${String(options.component)}\``);
  }
  const component = new WorkerComponent<TEvent>(options, capacity);
  await component.boot();
  return component;
}
