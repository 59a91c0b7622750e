// The bench's counter lineage as a worker-hosted module (see hotswap/worker's module contract).
export { counterLineage as lineage } from './machines.ts';
