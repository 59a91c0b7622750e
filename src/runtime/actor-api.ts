/**
 * XState's actor API for a live component, across swaps: the snapshot types (the union of the
 * lineage's versions' snapshots, each tagged with its `version` so a reader can narrow), the
 * subscription shapes XState's `waitFor` / `toPromise` / `Subscribable` / `InteropObservable` expect,
 * `select`, and emitted events (`emit` / `on`) that follow the component from version to version.
 * Kept apart from component.ts, which only delegates here. Pinned by test/types/actor-api.test-d.ts
 * and test/runtime/actor-api.test.ts.
 */
import type { AnyActorRef, EmittedFrom, EventObject, Observer, Readable, Snapshot, Subscription } from 'xstate';
import type { AnyLineage } from '../lineage/lineage.ts';
import type { AnyVersion, MachineOf, SnapshotOf } from '../lineage/types.ts';
import type { SnapshotObserver } from '../live/_internal/core.ts';

/** A version's live snapshot, tagged with its version number (XState's snapshot, plus `version`). */
export type VersionedSnapshot<V extends AnyVersion> = V extends AnyVersion ? SnapshotOf<V> & { readonly version: V['version'] } : never;

/**
 * The live snapshot of a component of lineage `L`: one of its versions' snapshots, narrowable by
 * `version` (`if (s.version === 2) s.context.retries`). Covers the versions `L`'s type declares.
 */
export type LineageSnapshot<L extends AnyLineage> = VersionedSnapshot<L['versions'][number]>;

/** The events any version of lineage `L` may emit (XState `emit`), for `component.on(...)`. */
export type LineageEmitted<L extends AnyLineage> = L['versions'][number] extends infer V ? (V extends AnyVersion ? EmittedFrom<MachineOf<V>> : never) : never;

/** `observable[Symbol.observable]()`, as XState spells the key (`Symbol.observable` or `'@@observable'`). */
export const symbolObservable: typeof Symbol.observable = (((typeof Symbol === 'function' && (Symbol as { observable?: symbol }).observable) || '@@observable') as unknown) as typeof Symbol.observable;

/**
 * Tags an XState snapshot with the version that produced it: a non-enumerable `version`, so the
 * object keeps its identity (selectors, `waitFor`) and its JSON, `toJSON` and persisted form stay XState's.
 */
export function tagSnapshot<T>(snapshot: T, version: number): T {
  if (typeof snapshot === 'object' && snapshot !== null && !Object.hasOwn(snapshot, 'version') && Object.isExtensible(snapshot)) {
    Object.defineProperty(snapshot, 'version', { value: version, enumerable: false });
  }
  return snapshot;
}

/** The arguments of `subscribe(observer)` or `subscribe(next, error, complete)`, as one observer. */
export function toObserver<T>(
  nextOrObserver: Observer<T> | ((value: T) => void) | undefined,
  error?: (error: unknown) => void,
  complete?: () => void,
): Observer<T> {
  if (typeof nextOrObserver === 'object' && nextOrObserver !== null) return nextOrObserver;
  const o: Observer<T> = {};
  if (nextOrObserver !== undefined) o.next = nextOrObserver;
  if (error !== undefined) o.error = error;
  if (complete !== undefined) o.complete = complete;
  return o;
}

/**
 * Adapts an XState observer to the component's snapshot observers: snapshots tagged with the running
 * version, and `complete` once when the component's actor reaches a final state (`toPromise`).
 */
export function snapshotObserver(o: Observer<any>, version: () => number): SnapshotObserver {
  let done = false;
  const observer: SnapshotObserver = {
    next: (snapshot: { status?: string }) => {
      o.next?.(tagSnapshot(snapshot, version()));
      if (snapshot.status === 'done' && !done) {
        done = true;
        o.complete?.();
      }
    },
  };
  if (o.error !== undefined) observer.error = o.error;
  return observer;
}

/** XState's `actor.select(selector, equalityFn)` over a component's snapshots. */
export function selectFrom<TSnapshot, TSelected>(
  source: { getSnapshot(): TSnapshot; subscribe(o: Observer<TSnapshot>): Subscription },
  selector: (snapshot: TSnapshot) => TSelected,
  equalityFn: (a: TSelected, b: TSelected) => boolean = Object.is,
): Readable<TSelected> {
  return {
    get: () => selector(source.getSnapshot()),
    subscribe: (nextOrObserver?: Observer<TSelected> | ((value: TSelected) => void), error?: (error: any) => void, complete?: () => void): Subscription => {
      const o = toObserver(nextOrObserver, error, complete);
      let last = selector(source.getSnapshot());
      return source.subscribe({
        next: (s) => {
          const now = selector(s);
          if (!equalityFn(last, now)) {
            last = now;
            o.next?.(now);
          }
        },
        error: (e: unknown) => o.error?.(e),
        complete: () => o.complete?.(),
      });
    },
  } as Readable<TSelected>;
}

/**
 * Emitted events (XState `emit`) of whichever version runs: listeners registered once with `on`
 * are moved to the new actor at a swap's commit, before the held events reach it, so an event a
 * held event makes the new version emit is heard; the old actor's are unsubscribed (it runs no more).
 */
export class EmittedRelay {
  readonly #actor: () => AnyActorRef;
  readonly #observe: (observer: SnapshotObserver) => () => void;
  #unwatch: (() => void) | undefined;
  readonly #listeners = new Set<{ readonly type: string; readonly handler: (event: EventObject) => void; sub: Subscription | undefined }>();
  #bound: AnyActorRef | undefined;
  readonly #watch: SnapshotObserver = { next: () => this.#rebind() };

  constructor(actor: () => AnyActorRef, observe: (observer: SnapshotObserver) => () => void) {
    this.#actor = actor;
    this.#observe = observe;
  }

  on(type: string, handler: (event: EventObject) => void): Subscription {
    const listener = { type, handler, sub: undefined as Subscription | undefined };
    this.#rebind();
    listener.sub = this.#actor().on(type, handler);
    this.#listeners.add(listener);
    this.#unwatch ??= this.#observe(this.#watch);
    return {
      unsubscribe: () => {
        listener.sub?.unsubscribe();
        this.#listeners.delete(listener);
        if (this.#listeners.size === 0) {
          this.#unwatch?.();
          this.#unwatch = undefined;
        }
      },
    };
  }

  /** After a swap (the component's actor changed): every listener moves to the new actor. */
  #rebind(): void {
    const actor = this.#actor();
    if (actor === this.#bound) return;
    this.#bound = actor;
    for (const l of this.#listeners) {
      l.sub?.unsubscribe();
      l.sub = actor.on(l.type, l.handler);
    }
  }
}

/** What XState's own `Snapshot` type requires of a component's snapshot type parameter. */
export type AnySnapshot = Snapshot<unknown>;
