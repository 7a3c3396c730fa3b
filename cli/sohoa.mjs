#!/usr/bin/env node
// The `sohoa` executable: runs the TypeScript sources through tsx, the way `npm start` runs main.ts,
// so a fresh clone works after `npm ci` with no build step (`npx sohoa --help`).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
