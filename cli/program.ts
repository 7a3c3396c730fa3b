// The commands and their options. Each command's code is imported only when it runs, so `--help`
// and quick look-ups do not pay for loading the batch machinery.
import { Command, Option } from 'commander';
import type { ExitCode } from './exit.js';
import type { Ctx } from './context.js';
import type { Translate } from './i18n.js';

export type Run = (fn: (ctx: Ctx) => Promise<ExitCode>) => Promise<void>;

export function buildProgram(t: Translate, version: string, run: Run): Command {
  const program = new Command();
  program
    .name('sohoa')
    .description(t('program.description'))
    .version(version)
    .option('--url <url>', t('opt.url'))
    .option('--key <key>', t('opt.key'))
    .option('--lang <lang>', t('opt.lang'))
    .option('--json', t('opt.json'))
    .option('--timeout <seconds>', `${t('opt.timeout')} (default: 300)`)
    .option('--retry-for <seconds>', `${t('opt.retryFor')} (default: ingest 1800, upload 600, others 30)`)
    .showHelpAfterError()
    .exitOverride();

  program
    .command('upload')
    .description(t('cmd.upload'))
    .argument('<files...>')
    .requiredOption('--unit <code>', t('opt.unit'))
    .requiredOption('--procedure <code>', t('opt.procedure'))
    .requiredOption('--applicant <id>', t('opt.applicant'))
    .option('--channel <channel>', `${t('opt.channel')}: desk | postal | online | backlog (default: postal)`)
    .option('--dossier-code <code>', t('opt.dossierCode'))
    .option('--received-at <date>', t('opt.receivedAt'))
    .option('--role <role>', `${t('opt.role')} (default: component)`)
    .option('--roles <list>', t('opt.roles'))
    .option('--wait', t('opt.wait'))
    .option('--wait-timeout <minutes>', t('opt.waitTimeout'))
    .action((files: string[], flags) => run(async (ctx) => (await import('./commands/upload.js')).uploadCommand(ctx, files, flags)));

  program
    .command('ingest')
    .description(t('cmd.ingest'))
    .argument('<folder>')
    .requiredOption('--unit <code>', t('opt.unit'))
    .option('--manifest <csv>', t('opt.manifest'))
    .option('--channel <channel>', `${t('opt.channel')}: postal | backlog | desk | online (default: backlog)`)
    .option('--procedure <code>', t('opt.procedure'))
    .option('--applicant <id>', t('opt.applicant'))
    .option('--received-at <date>', t('opt.receivedAt'))
    .option('--role <role>', `${t('opt.role')} (default: component)`)
    .option('--concurrency <n>', `${t('opt.concurrency')} (default: 4)`)
    .option('--wait', t('opt.wait'))
    .option('--wait-timeout <minutes>', t('opt.waitTimeout'))
    .option('--report <csv>', t('opt.report'))
    .option('--state <file>', t('opt.state'))
    .option('--verbose', t('opt.verbose'))
    .option('--dry-run', t('opt.dryRun'))
    // Per-request limits, kept under the API's (50 files, 200 MB); only for an API configured lower.
    .addOption(new Option('--max-files <n>').hideHelp())
    .addOption(new Option('--max-mb <n>').hideHelp())
    .action((folder: string, flags) => run(async (ctx) => (await import('./commands/ingest.js')).ingestCommand(ctx, folder, flags)));

  program
    .command('status')
    .description(t('cmd.status'))
    .argument('<idOrDossierCode>')
    .action((target: string) => run(async (ctx) => (await import('./commands/read.js')).statusCommand(ctx, target)));

  program
    .command('search')
    .description(t('cmd.search'))
    .argument('[q]', t('opt.search.q'))
    .option('--person <id>', t('opt.search.person'))
    .option('--doc-type <slug>', t('opt.search.docType'))
    .option('--code <code>', t('opt.search.code'))
    .option('--unit <code>', t('opt.unit'))
    .option('--status <status>', t('opt.search.status'))
    .option('--from <date>', t('opt.search.from'))
    .option('--to <date>', t('opt.search.to'))
    .option('--limit <n>', t('opt.search.limit'))
    .option('--cursor <cursor>', t('opt.search.cursor'))
    .option('--all', t('opt.search.all'))
    .action((q: string | undefined, flags) => run(async (ctx) => (await import('./commands/read.js')).searchCommand(ctx, q, flags)));

  program
    .command('person')
    .description(t('cmd.person'))
    .argument('<personId>')
    .action((personId: string) => run(async (ctx) => (await import('./commands/read.js')).personCommand(ctx, personId)));

  program
    .command('verify')
    .description(t('cmd.verify'))
    .argument('<pdf>')
    .action((file: string) => run(async (ctx) => (await import('./commands/read.js')).verifyCommand(ctx, file)));

  program
    .command('progress')
    .description(t('cmd.progress'))
    .option('--unit <code>', t('opt.unit'))
    .option('--period <period>', t('opt.progress.period'))
    .option('--group-by <by>', t('opt.progress.groupBy'))
    .option('--csv', t('opt.progress.csv'))
    .action((flags) => run(async (ctx) => (await import('./commands/read.js')).progressCommand(ctx, flags)));

  return program;
}
