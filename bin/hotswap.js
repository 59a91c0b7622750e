#!/usr/bin/env node
// The `hotswap` command. hotswap ships TypeScript sources, and users point `hotswap check` at their own
// .ts lineage modules, so register tsx's ESM loader first, then run the CLI from src/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
