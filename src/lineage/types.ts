/**
 * The types of versions and links, derived from each version's machine, so a link's input is the
 * previous version's state and a missing or mistyped link is a compile error. Pinned by
 * test/types/lineage.test-d.ts (compiled by `npm test`).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { AnyStateMachine, ContextFrom, EventFromLogic, SnapshotFrom } from 'xstate';

/** The state value type of an XState machine (`'idle' | { busy: 'reading' }`). */
export type StateValueOfMachine<TMachine extends AnyStateMachine> = SnapshotFrom<TMachine>['value'];

/**
 * The part of a persisted snapshot a migration sees and returns: the state value and the context.
 * Both are typed from the version's machine.
 */
export interface MigratableState<TValue = unknown, TContext = unknown> {
  readonly value: TValue;
  readonly context: TContext;
}

/** One invariant violation: where (a dotted path such as `context.queue.0`) and what. */
export interface Violation {
  readonly path: string;
  readonly message: string;
}

/** What an invariant returns: `true` (or an empty list) when it holds, the violations otherwise. */
export type InvariantResult = true | readonly Violation[];

/** An invariant over a version's state. Must be pure and total. */
export type Invariant<TState> = (state: TState) => InvariantResult;

/** Runtime-timer handlers: a timer that fires calls its handler, which returns the event to send. */
export type TimerHandlers<TMachine extends AnyStateMachine> = Readonly<
  Record<string, (payload: any) => EventFromLogic<TMachine>>
>;

/** A resource the component lends to outside code through `borrow()`. */
export interface HandleDefinition {
  /**
   * What a lease hands out, computed from the state of the version holding the lease when
   * `lease.get()` is called. Without it, `get()` returns `undefined`.
   */
  readonly resource?: (state: { readonly value: unknown; readonly context: any }) => unknown;
  /**
   * Whether an outstanding lease may survive a swap, rebound to the new version's resource.
   * @defaultValue false
   */
  readonly transferable?: boolean;
}

/**
 * The required keys of a context, for a version's `shape`: each key is `true` or, for an object
 * member, the shape of its required keys.
 *
 * @example
 * const shape: ContextShape<{ queue: string[]; stats: { completed: number } }> = { queue: true, stats: { completed: true } };
 */
export type ContextShape<TContext> = {
  readonly [K in keyof TContext]?: true | (NonNullable<TContext[K]> extends readonly unknown[] ? never : NonNullable<TContext[K]> extends object ? ContextShape<NonNullable<TContext[K]>> : never);
};

/** What you pass to {@link defineVersion}. */
export interface VersionDefinition<TMachine extends AnyStateMachine, N extends number> {
  /** The version number: a positive integer, one more than the version before it in the lineage. */
  readonly version: N;
  /** The XState v5 machine of this version, built with `setup(...).createMachine(...)`. */
  readonly machine: TMachine;
  /** Must hold for every state this version runs with. Checked after every migration into it. */
  readonly invariant?: Invariant<MigratableState<StateValueOfMachine<TMachine>, ContextFrom<TMachine>>>;
  /**
   * A Standard Schema (zod, valibot, arktype, …) for this version's context: its output must be the
   * machine's context type, so a schema for another shape is a compile error. Must validate
   * synchronously. Every migration into this version is validated by it, and its **output** is what
   * is installed (a zod `.default(7)` fills the field in; what the schema strips is gone), frozen and
   * checked to be plain data like any migrated context.
   */
  readonly schema?: StandardSchemaV1<unknown, ContextFrom<TMachine>>;
  /**
   * The context keys this version's code needs, when its machine's initial context cannot tell
   * (`context: ({ input }) => …`) or tells too much (a key the type makes optional): `true` for a
   * required key, an object for a required key with required keys under it. A migrated context that
   * lacks one is refused (`missing-field`). Arrays are leaves.
   * @defaultValue the machine's initial context when it is an object (`context: { … }`), else the schema alone
   * @example { queue: true, stats: { completed: true, failed: true } }
   */
  readonly shape?: ContextShape<ContextFrom<TMachine>>;
  /**
   * Restrict swap points to states carrying this tag. Without it, every state is a swap point.
   * @defaultValue undefined (any state)
   */
  readonly swapTag?: string;
  /** Handlers for runtime timers, by name. A timer carried across a swap needs the same name here. */
  readonly handlers?: TimerHandlers<TMachine>;
  /** Resources lent to outside code with `borrow(name, holder)`. */
  readonly handles?: Readonly<Record<string, HandleDefinition>>;
  /** One line for reports and `hotswap check`. */
  readonly description?: string;
}

/** One version of a component. Build it with {@link defineVersion}. */
export interface Version<TMachine extends AnyStateMachine = AnyStateMachine, N extends number = number>
  extends VersionDefinition<TMachine, N> {
  readonly kind: 'hotswap.version';
}

/** Any version. */
export type AnyVersion = Version<any, number>;

/** The machine of a version. */
export type MachineOf<V extends AnyVersion> = V extends Version<infer M, number> ? M : never;
/** The context type of a version (XState's `ContextFrom` for its machine). */
export type ContextOf<V extends AnyVersion> = ContextFrom<MachineOf<V>>;
/** The state value type of a version. */
export type StateValueOf<V extends AnyVersion> = StateValueOfMachine<MachineOf<V>>;
/** The event type of a version. */
export type EventOf<V extends AnyVersion> = EventFromLogic<MachineOf<V>>;
/** The live snapshot type of a version. */
export type SnapshotOf<V extends AnyVersion> = SnapshotFrom<MachineOf<V>>;
/** What a migration into or out of version `V` works on: `{ value, context }`, typed. */
export type StateOf<V extends AnyVersion> = MigratableState<StateValueOf<V>, ContextOf<V>>;

/**
 * What a migration returns: the next version's `{ value, context }`. History entries (`historyValue`)
 * are carried over by state id unless the migration returns its own.
 */
export type MigrationOutput<V extends AnyVersion> = StateOf<V> & {
  readonly historyValue?: Readonly<Record<string, readonly { readonly id: string }[]>>;
};

/**
 * The migration between two neighbouring versions. `up` is required; `down` makes the link reversible.
 *
 * The input is deeply frozen: build a new object, never mutate.
 */
export interface Link<TFrom extends AnyVersion, TTo extends AnyVersion> {
  readonly up: (state: StateOf<TFrom>) => MigrationOutput<TTo>;
  readonly down?: (state: StateOf<TTo>) => MigrationOutput<TFrom>;
  /** One line for reports and `hotswap check`. */
  readonly description?: string;
  /**
   * Context fields (dotted paths) this link drops on purpose; `hotswap check` reports them as
   * intentional rather than as data loss.
   */
  readonly drops?: readonly string[];
  /**
   * Context fields (dotted paths) the `down` migration discards or cannot give back on purpose (a
   * rollback that keeps the first of several `endpoints`): `hotswap check` reports them as intended
   * rather than as a lossy rollback.
   */
  readonly downDrops?: readonly string[];
  /**
   * Context fields this link moves, `{ from: to }` with dotted paths and `[i]` for an array item:
   * `{ endpoint: 'endpoints[0]', 'retry.max': 'policy.retries' }`. `hotswap check` verifies each in
   * every sampled state (the value at `to` after `up` equals the value at `from` before) and reports a
   * rename, not data loss. The migration must still move the value itself.
   */
  readonly renames?: Readonly<Record<string, string>>;
  /**
   * States this link renames, as dotted paths `{ 'busy': 'working' }`. Pending delayed events of a
   * renamed state are carried to the new state (when it declares the same delay); `hotswap check`
   * reads it too. The migration must still map the state value itself.
   */
  readonly renamedStates?: Readonly<Record<string, string>>;
}

/** A link between any two versions. */
export type AnyLink = Link<any, any>;

/** Last element of a tuple. */
export type Last<T extends readonly unknown[]> = T extends readonly [...unknown[], infer L] ? L : never;

/** The newest version of a tuple of versions. */
export type LastVersion<T extends readonly AnyVersion[]> = T extends readonly [...AnyVersion[], infer L extends AnyVersion]
  ? L
  : AnyVersion;
