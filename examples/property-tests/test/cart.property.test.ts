/**
 * The user's property tests for their cart lineage, with `hotswap/testing` in vitest: every reachable
 * state migrates (totality), down undoes up (round trip), and stepping then migrating equals migrating
 * then stepping (equivalence). Fixed seed, so CI is reproducible; FC_SEED overrides it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { equivalenceProperty, roundTripProperty, totalityProperty } from 'hotswap/testing';
import { cart, cartEvents } from '../src/cart.ts';

const seed = Number(process.env['FC_SEED'] ?? 20261121);
const params = { seed, numRuns: 200 };
// COUPON means something from v3 on only: leave it out where v1 and v2 are compared step by step
const noCoupon = cartEvents.filter((e) => e.type !== 'COUPON');

describe('cart lineage', () => {
  it('every reachable v1 state migrates to v3', () => {
    const r = fc.check(totalityProperty(cart, { from: 1, to: 3, events: cartEvents }), params);
    expect(r.failed, fc.defaultReportMessage(r)).toBe(false);
    console.log(`totality v1 → v3: ${r.numRuns} runs over generated reachable states, seed ${seed}`);
  });
  it('v1 → v2 → v1 and v2 → v3 → v2 give back the original state', () => {
    for (const [from, to] of [[1, 2], [2, 3]] as const) {
      const r = fc.check(roundTripProperty(cart, { from, to, events: cartEvents }), params);
      expect(r.failed, fc.defaultReportMessage(r)).toBe(false);
      console.log(`round trip v${from} ⇄ v${to}: ${r.numRuns} runs over generated reachable states, seed ${seed}`);
    }
  });
  it('stepping v1 then migrating equals migrating then stepping v2', () => {
    const r = fc.check(equivalenceProperty(cart, { from: 1, to: 2, events: noCoupon, stepEvents: noCoupon }), params);
    expect(r.failed, fc.defaultReportMessage(r)).toBe(false);
    console.log(`equivalence v1 → v2: ${r.numRuns} runs over generated (state, event) pairs, seed ${seed}`);
  });
});
