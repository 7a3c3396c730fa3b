// Entry point: `all` (API and workers in one process), `api`, or `worker`.
import { ConfigError, loadConfig, type Config } from './services/config.js';
import { createLogger } from './services/logger.js';
import { StartupError, startApp, type Mode } from './services/app.js';
import { DevServiceError, startDevServices, type DevServices } from './services/devservices/index.js';

const mode = (process.argv[2] ?? 'all') as Mode;
if (!['all', 'api', 'worker'].includes(mode)) {
  console.error(`usage: main.ts [all|api|worker] (got "${mode}")`);
  process.exit(2);
}

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  console.error((err as Error).message);
  process.exit(err instanceof ConfigError ? 78 : 1);
}
const log = createLogger(config.LOG_LEVEL);

// A development PostgreSQL / Redis when none is configured or running (services/devservices); their
// watchdog stops them should this process die before it stops them itself.
let dev: DevServices;
try {
  dev = await startDevServices(config, mode, log);
} catch (err) {
  if (err instanceof DevServiceError) {
    console.error(`\nCannot start: ${err.message}\n`);
    process.exit(69);
  }
  log.fatal({ err }, 'starting the development services failed');
  process.exit(1);
}

try {
  const app = await startApp(dev.config, mode, log);
  let signals = 0;
  const shutdown = (signal: string) => {
    signals += 1;
    if (signals > 1) process.exit(130); // a second signal means: now (the watchdog still stops the dev servers)
    log.info({ signal }, 'shutting down: finishing in-flight uploads and jobs');
    const timer = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    app
      .stop()
      .then(() => dev.stop())
      .then(
        () => {
          log.info('stopped');
          process.exit(0);
        },
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
} catch (err) {
  await dev.stop().catch(() => undefined);
  if (err instanceof StartupError) {
    console.error(`\nCannot start: ${err.message}\n${dev.hints.map((h) => `${h}\n`).join('')}`);
    process.exit(69);
  }
  log.fatal({ err }, 'startup failed');
  process.exit(1);
}
