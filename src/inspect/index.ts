/**
 * `hotswap/inspect`: a live inspector page for a runtime, served on loopback (components, ledgers,
 * a timeline of swaps). A subpath of its own: a server that never opens it never loads `node:http`
 * code for it.
 */
export { inspect } from './inspect.ts';
export type { Inspector, InspectOptions } from './inspect.ts';
export type { ContextView, ComponentView } from './_internal/model.ts';
export type { SwapRecord } from './_internal/timeline.ts';
