/**
 * In-flight promises after a swap: an adopted promise belongs to the new version's child from the
 * commit on (G4). (The promise policies — wait, abort, adopt — are in policies.test.ts,
 * `describe('in-flight promises')`.)
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/index.ts';
import { flush } from '../_support/async.ts';
import { makeLoader } from '../fixtures/loader.ts';

// Provenance: second review of the coordinator.
describe('adopted promises', () => {
  it('belong to the new child: when it stops, the promise is aborted and its late result recorded (G4)', async () => {
    const { loader, calls } = makeLoader();
    const c = createRuntime().start(loader, { version: 1 });
    c.send({ type: 'LOAD', url: 'a' });
    await c.swap(2, { policies: { promises: 'adopt' } });
    expect(calls[0]!.signal.aborted).toBe(false);
    await c.stop(); // stops v2's fetch child, which now owns the adopted request
    expect(calls[0]!.signal.aborted).toBe(true);
    calls[0]!.resolve('LATE');
    await flush();
    expect(c.late).toMatchObject([{ id: 'fetch', src: 'fetchData', outcome: 'resolved' }]);
  });
});
