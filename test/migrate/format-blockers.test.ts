import { describe, expect, it } from 'vitest';
import { blocker, formatBlockers, formatDuration, migrate } from '../../src/index.ts';
import { driver } from '../fixtures/driver.ts';

describe('formatBlockers', () => {
  it('renders a refused swap as in docs/design.md §5: a header with time and phase, then one indented line per blocker', () => {
    const text = formatBlockers(
      [
        blocker('pending-timer', { name: 'complete_request', handler: 'complete_request', remainingMs: 120, reason: 'driver@2 does not define it' }),
        blocker('lease-outstanding', { handle: 'DriverState', holder: 'scheduler queue', heldMs: 1200, policy: 'wait' }),
        blocker('in-flight', { id: 'readSector', src: 'readSector', ageMs: 300, policy: 'wait' }),
      ],
      { component: 'driver', from: 1, to: 2, elapsedMs: 250, phase: 'quiesce' },
    );
    expect(text).toBe(
      [
        'swap driver v1 → v2 refused after 250 ms wall time (quiesce):',
        "  pending timer 'complete_request' (fires in 120 ms) targets handler 'complete_request': driver@2 does not define it",
        "  outstanding borrow of 'DriverState' held by 'scheduler queue' for 1.2 s; policy: wait",
        "  invoked actor 'readSector' (src readSector) in flight for 300 ms; policy: wait",
      ].join('\n'),
    );
  });

  it('renders the blockers of a refused migration with a custom action and no timing', () => {
    const r = migrate(driver, { status: 'active', value: 'working', context: {}, children: {} }, { from: 3, to: 1 });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(formatBlockers(r.blockers, { component: 'driver', from: 3, to: 1, action: 'migrate' })).toBe(
      'migrate driver v3 → v1 refused:\n  link v2 → v3 has no down migration: v2 cannot be restored from v3',
    );
  });

  it('renders only the indented lines without a header, and nothing for no blockers', () => {
    expect(formatBlockers([blocker('unknown-version', { version: 4, known: [] })])).toBe('  version 4 is not in the lineage (known: none)');
    expect(formatBlockers([])).toBe('');
  });

  it('formats durations in ms below a second and in seconds with one decimal above', () => {
    expect([formatDuration(0), formatDuration(999.4), formatDuration(1000), formatDuration(61_250), formatDuration(Infinity)]).toEqual([
      '0 ms',
      '999 ms',
      '1.0 s',
      '61.3 s',
      'Infinity',
    ]);
  });
});
