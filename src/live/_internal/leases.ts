/** Leases: resources a component lends to outside code until they are released or revoked. */
import { HotswapError } from '../../errors.ts';
import type { ComponentCore } from './core.ts';

let leaseIds = 0;

export interface LeaseRecord {
  readonly id: number;
  readonly handle: string;
  readonly holder: string;
  readonly since: number;
  readonly transferable: boolean;
  readonly controller: AbortController;
  state: 'held' | 'released' | 'revoked';
}

/** Lends a handle the running version declares; refused for unknown handles, and mid-swap unless transferable. */
export function borrowHandle(core: ComponentCore, handle: string, holder: string): LeaseRecord {
  if (core.mode === 'stopped') throw new HotswapError('COMPONENT_STOPPED', `Component '${core.id}' is stopped`);
  const def = core.version.handles?.[handle];
  if (def === undefined) {
    throw new HotswapError('BORROW_REFUSED', `v${core.version.version} of '${core.name}' declares no handle '${handle}'`, {
      details: { handle, version: core.version.version },
    });
  }
  if (core.swapping !== undefined && def.transferable !== true) {
    throw new HotswapError('BORROW_REFUSED', `'${core.id}' is swapping; handle '${handle}' cannot be borrowed until it ends`, {
      details: { handle, swapId: core.swapping.id },
    });
  }
  const record: LeaseRecord = {
    id: ++leaseIds,
    handle,
    holder,
    since: core.clock.now(),
    transferable: def.transferable === true,
    controller: new AbortController(),
    state: 'held',
  };
  core.leases.set(record.id, record);
  return record;
}

export function endLease(core: ComponentCore, record: LeaseRecord, how: 'released' | 'revoked'): void {
  if (record.state !== 'held') return;
  record.state = how;
  core.leases.delete(record.id);
  if (how === 'revoked') record.controller.abort(new HotswapError('LEASE_REVOKED', `Lease of '${record.handle}' held by '${record.holder}' was revoked`));
  core.notifyChange();
}
