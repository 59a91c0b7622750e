/**
 * A user's component, as it would sit in their own repository: a shopping cart in three versions,
 * proven by the property tests in ../test and gated in CI by `hotswap check` (see ../README.md).
 *
 * v1: `items` is a list of SKUs (a SKU twice = quantity 2, copies kept together); states `open | checkingOut`, and an
 *     `after` delay that abandons a checkout left for 15 minutes.
 * v2: `lines: { sku, qty }[]` (grouped, in first-added order); down expands them again.
 * v3: adds `coupon: string | null`; down drops it (declared in `drops`, so the check calls it
 *     intended, not data loss).
 */
import { assign, setup } from 'xstate';
import { defineVersion, lineage, type StateOf } from 'hotswap';
import type { CheckConfig } from 'hotswap/check';
import fc from 'fast-check';

export type CartEvent = { type: 'ADD'; sku: string } | { type: 'REMOVE'; sku: string } | { type: 'CHECKOUT' } | { type: 'CANCEL' } | { type: 'COUPON'; code: string };

const ABANDON_MS = 15 * 60_000;

interface V1 {
  items: string[];
}
/** v1 keeps copies of a SKU together (a new copy goes after the last one), in first-added order. */
const addItem = (items: string[], sku: string): string[] => {
  const i = items.lastIndexOf(sku);
  return i < 0 ? [...items, sku] : [...items.slice(0, i + 1), sku, ...items.slice(i + 1)];
};
const v1Machine = setup({ types: { context: {} as V1, events: {} as CartEvent }, delays: { abandon: ABANDON_MS } }).createMachine({
  id: 'cart',
  initial: 'open',
  context: { items: [] },
  states: {
    open: {
      on: {
        ADD: { actions: assign({ items: ({ context, event }) => addItem(context.items, event.sku) }) },
        REMOVE: { actions: assign({ items: ({ context, event }) => { const i = context.items.lastIndexOf(event.sku); return i < 0 ? context.items : context.items.filter((_, k) => k !== i); } }) },
        CHECKOUT: { guard: ({ context }) => context.items.length > 0, target: 'checkingOut' },
      },
    },
    checkingOut: { on: { CANCEL: 'open' }, after: { abandon: 'open' } },
  },
});

interface Line {
  sku: string;
  qty: number;
}
interface V2 {
  lines: Line[];
}
const add = (lines: Line[], sku: string): Line[] => (lines.some((l) => l.sku === sku) ? lines.map((l) => (l.sku === sku ? { ...l, qty: l.qty + 1 } : l)) : [...lines, { sku, qty: 1 }]);
const remove = (lines: Line[], sku: string): Line[] => lines.flatMap((l) => (l.sku !== sku ? [l] : l.qty > 1 ? [{ ...l, qty: l.qty - 1 }] : []));

const v2Machine = setup({ types: { context: {} as V2, events: {} as CartEvent }, delays: { abandon: ABANDON_MS } }).createMachine({
  id: 'cart',
  initial: 'open',
  context: { lines: [] },
  states: {
    open: {
      on: {
        ADD: { actions: assign({ lines: ({ context, event }) => add(context.lines, event.sku) }) },
        REMOVE: { actions: assign({ lines: ({ context, event }) => remove(context.lines, event.sku) }) },
        CHECKOUT: { guard: ({ context }) => context.lines.length > 0, target: 'checkingOut' },
      },
    },
    checkingOut: { on: { CANCEL: 'open' }, after: { abandon: 'open' } },
  },
});

interface V3 extends V2 {
  coupon: string | null;
}
const v3Machine = setup({ types: { context: {} as V3, events: {} as CartEvent }, delays: { abandon: ABANDON_MS } }).createMachine({
  id: 'cart',
  initial: 'open',
  context: { lines: [], coupon: null },
  states: {
    open: {
      on: {
        ADD: { actions: assign({ lines: ({ context, event }) => add(context.lines, event.sku) }) },
        REMOVE: { actions: assign({ lines: ({ context, event }) => remove(context.lines, event.sku) }) },
        COUPON: { actions: assign({ coupon: ({ event }) => event.code }) },
        CHECKOUT: { guard: ({ context }) => context.lines.length > 0, target: 'checkingOut' },
      },
    },
    checkingOut: { on: { CANCEL: 'open' }, after: { abandon: 'open' } },
  },
});

export const cartV1 = defineVersion({ version: 1, machine: v1Machine });
export const cartV2 = defineVersion({ version: 2, machine: v2Machine, invariant: ({ context }) => (context.lines.every((l) => l.qty > 0) ? [] : [{ path: 'context.lines', message: 'every line has a positive qty' }]) });
export const cartV3 = defineVersion({ version: 3, machine: v3Machine });

/** v1 → v2 groups the SKUs into lines (`items` is reshaped, not lost: `drops`); down expands them again. */
export const cart = lineage('cart', cartV1)
  .next(cartV2, {
    up: ({ value, context }: StateOf<typeof cartV1>) => ({ value, context: { lines: context.items.reduce(add, [] as Line[]) } }),
    down: ({ value, context }: StateOf<typeof cartV2>) => ({ value, context: { items: context.lines.flatMap((l) => Array.from({ length: l.qty }, () => l.sku)) } }),
    drops: ['items'],
  })
  .next(cartV3, {
    up: ({ value, context }: StateOf<typeof cartV2>) => ({ value, context: { ...context, coupon: null } }),
    down: ({ value, context: { coupon: _coupon, ...rest } }: StateOf<typeof cartV3>) => ({ value, context: rest }),
    drops: ['coupon'],
  });

/** Events with payloads, for the property tests and for `hotswap check`. */
export const cartEvents: fc.Arbitrary<CartEvent> = fc.oneof(
  fc.constantFrom('apple', 'pear', 'fig').map((sku) => ({ type: 'ADD' as const, sku })),
  fc.constantFrom('apple', 'pear').map((sku) => ({ type: 'REMOVE' as const, sku })),
  fc.constantFrom<CartEvent>({ type: 'CHECKOUT' }, { type: 'CANCEL' }, { type: 'COUPON', code: 'SPRING' }),
);

export const hotswapCheck: CheckConfig = { events: { cart: cartEvents } };
