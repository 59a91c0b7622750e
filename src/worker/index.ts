/**
 * hotswap/worker — live components hosted in `worker_threads` Workers, behind the live-component API,
 * whose old code is released by terminating the worker that ran it.
 *
 * @packageDocumentation
 */
export { hostInWorker } from './start.ts';
export { WorkerComponent } from './host.ts';
export type { WorkerLease } from './_internal/leases.ts';
export type { WorkerRehearseOptions } from './_internal/rehearse.ts';
export type { HostOptions, WorkerEvent, WorkerStatus, WorkerSwapTarget, WorkerSwapOptions } from './types.ts';
export { resolveHostedLineage, PLUGIN_KIND } from './module.ts';
export type { HostedLineageResult } from './module.ts';
export type { HostedSnapshot, PlainPolicies, WorkerError } from './_internal/protocol.ts';
export { TERMINATE_GAP_MS } from './_internal/channel.ts';
