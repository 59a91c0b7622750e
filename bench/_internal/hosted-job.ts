// The bench's reversible job lineage (v1 ↔ v2) as a worker-hosted module.
export { jobLineage as lineage } from './machines.ts';
