// What every service needs from the outside world, built once at start (see main.ts) and passed down.
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import type { Pool } from '../storage/db.js';
import type { ObjectStore } from '../storage/objects.js';
import type { Queues } from '../storage/queues.js';
import type { UnitDirectory } from './units.js';
import type { Engines } from './engines.js';
import type { Knowledge } from './knowledge.js';
import type { Signatures } from './signatures.js';
import type { Notices } from '../storage/notices.js';

export interface AppContext {
  config: Config;
  log: Logger;
  db: Pool;
  store: ObjectStore;
  queues: Queues;
  metrics: Metrics;
  units: UnitDirectory;
  engines: Engines;
  knowledge: Knowledge;
  signatures: Signatures;
  notices: Notices;
}
