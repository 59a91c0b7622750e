/**
 * The relay gate: one switch in front of everything an XState actor system receives. In XState 5 every
 * event that reaches an actor — `actor.send`, a delayed event firing, a promise settling, a callback's
 * `sendBack`, a child's done or error event — passes through the system's `_relay(source, target,
 * event)`; a gate placed there decides, per event, to let it through, hold it (relayed later, in
 * order, when the gate is opened), or drop it. `swapAll` uses it so a commit decided once holds for thousands of
 * parts whose resume work runs in later slices: the old systems drop what they receive, the new ones
 * hold it until their held events are delivered. Part of the XState boundary (re-exported by
 * adapter.ts); pinned against the installed XState by test/xstate/relay-gate.test.ts.
 */
import type { AnyActorRef, EventObject } from 'xstate';

/** What a gate does with one event relayed into its system. */
export type RelayVerdict = 'pass' | 'hold' | 'drop';

/** Decides, per event, what a gated system does with it. */
export interface RelayGate {
  admit(source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject): RelayVerdict;
  /** True once the gate drops everything: the system's actors are as good as stopped. */
  readonly sealed: boolean;
}

type Relay = (source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject) => void;

interface Gated {
  /** XState's own `_relay` (called on `system`), for what passes and for what is released. */
  readonly relay: Relay;
  readonly system: object;
  gate: RelayGate | undefined;
  /** What the gate held, oldest first; made on the first (most gates hold nothing, and stay on the live system). */
  held: [AnyActorRef | undefined, AnyActorRef, EventObject][] | undefined;
}

const NOTHING_HELD = (): number => 0;

// A registered symbol on the system object, as the host registry does: one property, no WeakMap entry.
const GATED = Symbol.for('hotswap.relayGate');

function gatedOf(actor: object): Gated | undefined {
  return (actor as { system?: { [GATED]?: Gated } }).system?.[GATED];
}

/**
 * Puts `gate` in front of the system `actor` belongs to (replacing any gate there). Its `_relay` is
 * wrapped once, the first time a system is gated; ungated (`gate` undefined) it costs one property read
 * per event.
 */
export function gateRelay(actor: AnyActorRef, gate: RelayGate | undefined): void {
  const system = actor.system as unknown as { _relay?: unknown; [GATED]?: Gated };
  let gated = system[GATED];
  if (gated === undefined) {
    if (gate === undefined) return;
    if (typeof system._relay !== 'function') throw new Error('hotswap: this XState version has no system._relay; hotswap supports xstate ~5.33');
    const relay = system._relay as Relay;
    const own: Gated = { relay, system, gate: undefined, held: undefined };
    gated = system[GATED] = own;
    system._relay = (source: AnyActorRef | undefined, target: AnyActorRef, event: EventObject): void => {
      const g = own.gate;
      const verdict = g === undefined ? 'pass' : g.admit(source, target, event);
      if (verdict === 'pass') relay.call(system, source, target, event);
      else if (verdict === 'hold') (own.held ??= []).push([source, target, event]);
    };
  }
  gated.gate = gate;
}

/**
 * Takes the gate off `actor`'s system (from now on its events pass straight through) and returns the
 * relay of what the gate held: call it when those may go — they are relayed in the order they arrived,
 * after whatever passed in between. It returns how many it relayed.
 */
export function openRelay(actor: AnyActorRef): () => number {
  const gated = gatedOf(actor);
  if (gated === undefined) return () => 0;
  gated.gate = undefined;
  const held = gated.held;
  if (held === undefined) return NOTHING_HELD;
  gated.held = undefined;
  return () => {
    for (const [source, target, event] of held) gated.relay.call(gated.system, source, target, event);
    return held.length;
  };
}

/** Takes the gate off `actor`'s system and forgets what it held (the system is being retired). */
export function discardRelay(actor: AnyActorRef): void {
  const gated = gatedOf(actor);
  if (gated === undefined) return;
  gated.gate = undefined;
  gated.held = undefined;
}

/** Whether `actor`'s system is behind a sealed gate (it drops everything: as good as stopped). */
export function relaySealed(actor: object): boolean {
  return gatedOf(actor)?.gate?.sealed === true;
}
