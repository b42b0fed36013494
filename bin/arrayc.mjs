#!/usr/bin/env node
// Runs the TypeScript CLI directly (tsx registers the loader; no separate compile step).
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
