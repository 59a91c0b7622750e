/**
 * What the inspector page shows of each live component, built from the runtime's public API only
 * (version, status, mailbox, ledger, state value) — and its context only when the runtime's owner
 * opted in, or through their redaction function: a component's state can hold secrets. Plain JSON.
 * Pinned by test/inspect/inspector.test.ts.
 */
import type { LiveComponent } from '../../runtime/component.ts';

/** How the page may show a component's context: not at all, as is, or as a function returns it. */
export type ContextView = boolean | ((context: unknown, component: { readonly id: string; readonly name: string; readonly version: number }) => unknown);

/** One component as the page shows it. */
export interface ComponentView {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  /** The versions of its lineage (swap targets). */
  readonly versions: readonly number[];
  readonly status: 'running' | 'swapping' | 'stopped';
  /** Events held in the mailbox right now. */
  readonly held: number;
  readonly state: unknown;
  /** Present only when the inspector was asked to show context. */
  readonly context?: unknown;
  readonly delays: readonly { readonly id: string; readonly event: string; readonly state: string | undefined; readonly delayMs: number; readonly remainingMs: number }[];
  readonly timers: readonly { readonly name: string; readonly handler: string; readonly delayMs: number; readonly remainingMs: number }[];
  readonly inFlight: readonly { readonly id: string; readonly src: string; readonly logic: string; readonly ageMs: number | undefined }[];
  readonly leases: readonly { readonly handle: string; readonly holder: string; readonly heldMs: number; readonly transferable: boolean }[];
  readonly late: number;
}

/** JSON-safe: what `JSON.stringify` cannot take (a cycle, a BigInt) becomes a note, never a throw. */
function plain(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? 'null');
  } catch (error) {
    return `[not shown: ${error instanceof Error ? error.message : String(error)}]`;
  }
}

/** The page's view of `c`; `context` as {@link ContextView} says. */
export function componentView(c: LiveComponent<any>, context: ContextView): ComponentView {
  const snapshot = c.getSnapshot() as { value: unknown; context: unknown };
  const ledger = c.ledger();
  let shown: unknown;
  if (context === true) shown = plain(snapshot.context);
  else if (typeof context === 'function') {
    try {
      shown = plain(context(snapshot.context, { id: c.id, name: c.name, version: c.version }));
    } catch (error) {
      shown = `[redaction threw: ${error instanceof Error ? error.message : String(error)}]`;
    }
  }
  return {
    id: c.id,
    name: c.name,
    version: c.version,
    versions: c.lineage.versions.map((v) => v.version),
    status: c.status,
    held: c.held,
    state: plain(snapshot.value),
    ...(context === false ? {} : { context: shown }),
    delays: ledger.delays.map((d) => ({ id: d.id, event: d.event.type, state: d.state, delayMs: d.delayMs, remainingMs: d.remainingMs })),
    timers: ledger.timers.map((t) => ({ name: t.name, handler: t.handler, delayMs: t.delayMs, remainingMs: t.remainingMs })),
    inFlight: ledger.inFlight.map((f) => ({ id: f.id, src: f.src, logic: f.logic, ageMs: f.ageMs })),
    leases: ledger.leases.map((l) => ({ handle: l.handle, holder: l.holder, heldMs: l.heldMs, transferable: l.transferable })),
    late: c.late.length,
  };
}
