// `sohoa`: the command-line tool of the digitization service, for postal partners and archive teams.
// It talks only to the public HTTP API (../shared/API.md); see the README's "sohoa (command line)".
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { EXIT, type ExitCode } from './exit.js';
import { describeFailure, makeCtx, type Ctx, type GlobalOptions } from './context.js';
import { langFromArgv, pickLang, translator } from './i18n.js';
import { buildProgram } from './program.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

async function exit(code: number): Promise<never> {
  // Let buffered output reach a pipe or file before the process goes.
  await new Promise<void>((resolve) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => resolve()) : resolve()));
  process.exit(code);
}

export async function main(argv: string[]): Promise<void> {
  const lang = pickLang(langFromArgv(argv.slice(2)));
  const t = translator(lang);
  // The first Ctrl-C (or SIGTERM) cancels what is in flight and lets the command save and explain;
  // a second one leaves at once.
  const controller = new AbortController();
  let signals = 0;
  const onSignal = () => {
    signals += 1;
    if (signals > 1) process.exit(EXIT.INTERRUPTED);
    const err = new Error('interrupted');
    err.name = 'AbortError';
    controller.abort(err);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exitCode: number = EXIT.OK;
  const run = async (fn: (ctx: Ctx) => Promise<ExitCode>): Promise<void> => {
    const globals = program.opts<GlobalOptions>();
    let ctx: Ctx | null = null;
    try {
      ctx = makeCtx(globals, controller.signal);
      exitCode = await fn(ctx);
    } catch (err) {
      const f = describeFailure(err, ctx?.t ?? t, globals.url ?? process.env.SOHOA_URL);
      if (f.exitCode === EXIT.INTERNAL && process.env.SOHOA_DEBUG) console.error(err);
      if (globals.json) process.stdout.write(`${JSON.stringify({ error: { code: f.code, message: f.message } }, null, 2)}\n`);
      process.stderr.write(`${f.message}\n`);
      exitCode = f.exitCode;
    }
  };

  const program = buildProgram(t, pkg.version, run);

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0; anything else is a usage error.
      await exit(err.exitCode === 0 ? EXIT.OK : EXIT.USAGE);
    }
    throw err;
  }
  await exit(exitCode);
}

main(process.argv).catch(async (err: unknown) => {
  const t = translator(pickLang(langFromArgv(process.argv.slice(2))));
  process.stderr.write(`${t('err.internal', { message: err instanceof Error ? err.message : String(err) })}\n`);
  await exit(EXIT.INTERNAL);
});
