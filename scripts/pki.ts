// Development PKI tool.
//   npm run pki -- init [--dir <dir>] [--units <units.json>]
// Creates (or completes) a development CA and one signing certificate per unit of the registry.
// The passphrase comes from SIGNING_KEY_PASSPHRASE and is never printed.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { initDevPki } from '../services/signing/index.js';

interface Registry {
  units: Array<{ code: string; name: string }>;
}

function isRegistry(v: unknown): v is Registry {
  if (typeof v !== 'object' || v === null || !Array.isArray((v as { units?: unknown }).units)) return false;
  return (v as { units: unknown[] }).units.every(
    (u) => typeof u === 'object' && u !== null && typeof (u as { code?: unknown }).code === 'string' && typeof (u as { name?: unknown }).name === 'string',
  );
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: 'string' }, units: { type: 'string' } },
  });
  const command = positionals[0];
  if (command !== 'init') {
    console.error('usage: npm run pki -- init [--dir <dir>] [--units <units.json>]');
    process.exit(2);
  }
  const dir = values.dir ?? path.join(process.env.DATA_DIR ?? './data', 'pki');
  const unitsFile = values.units ?? 'schemas/units.json';
  const registry: unknown = JSON.parse(await readFile(unitsFile, 'utf8'));
  if (!isRegistry(registry)) throw new Error(`${unitsFile} is not a unit registry`);
  const passphrase = process.env.SIGNING_KEY_PASSPHRASE ?? 'dev-only-passphrase';
  const started = Date.now();
  const result = await initDevPki({ dir, passphrase, units: registry.units.map(({ code, name }) => ({ code, name })) });
  console.log(
    JSON.stringify({
      dir,
      caCreated: result.caCreated,
      created: result.created.length,
      units: registry.units.length,
      ms: Date.now() - started,
      note: 'DEVELOPMENT ONLY certificates: never use them for real documents',
    }),
  );
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : 'pki failed');
  process.exit(1);
});
