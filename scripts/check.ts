// `npm run check [-- --repair] [--json]`: the archive's integrity check (services/integrity.ts) against
// the configured catalog and store. Exit 0: nothing found; 1: findings (listed); 2: could not run.
import { parseArgs } from 'node:util';
import { loadConfig } from '../services/config.js';
import { createLogger } from '../services/logger.js';
import { startApp } from '../services/app.js';
import { checkArchive } from '../services/integrity.js';

const { values } = parseArgs({
  options: {
    repair: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    'orphan-grace-minutes': { type: 'string', default: '60' },
  },
});

const config = loadConfig();
const app = await startApp(config, 'tool', createLogger(values.json ? 'warn' : config.LOG_LEVEL)).catch((err: Error) => {
  console.error(`cannot run the check: ${err.message}`);
  process.exit(2);
});
try {
  const report = await checkArchive(app.ctx, {
    repair: values.repair,
    orphanGraceMs: Number(values['orphan-grace-minutes']) * 60_000,
    actor: `cli:${process.env.USER ?? 'unknown'}`,
  });
  if (values.json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`checked ${report.checkedDocuments} documents and ${report.checkedObjects} stored objects in ${report.ms} ms`);
    if (report.findings.length === 0) console.log('nothing found: every original and signed PDF is there, intact and verifying');
    for (const f of report.findings) {
      const where = [f.documentId && `document ${f.documentId}`, f.key && `${f.bucket}/${f.key}`].filter(Boolean).join(', ');
      console.log(`- ${f.kind}: ${f.detail}${where ? ` (${where})` : ''}${f.repaired ? ` → ${f.repaired}` : ''}`);
    }
    if (values.repair) console.log(`${report.repaired} repaired (re-queued or raised); the rest need a person`);
  }
  process.exitCode = report.findings.length === 0 ? 0 : 1;
} finally {
  await app.stop();
}
