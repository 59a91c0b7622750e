/**
 * The type of a version's machine input, for the kit's `input` options: a machine whose context is
 * `({ input }) => …` can only be tested from the input it is created with.
 */
import type { InputFrom } from 'xstate';
import type { AnyVersion, MachineOf } from '../lineage/types.ts';

/** The input a version's machine is created with (XState's `InputFrom`), e.g. `{ baseUrl: string }`. */
export type InputOf<V extends AnyVersion> = InputFrom<MachineOf<V>>;
