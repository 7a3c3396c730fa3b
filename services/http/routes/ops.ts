// Liveness, readiness and Prometheus metrics: unauthenticated, for orchestrators and scrapers.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import type { Backpressure } from '../../backpressure.js';

async function check(fn: () => Promise<unknown>, timeoutMs = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return `down: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(app: FastifyInstance, ctx: AppContext, backpressure?: Backpressure): void {
  app.get('/health', { schema: { tags: ['operations'], summary: 'Alive' } }, async () => ({ status: 'ok' }));

  app.get(
    '/ready',
    { schema: { tags: ['operations'], summary: 'Redis, PostgreSQL and the object store reachable, and intake not refusing for a full queue' } },
    async (_req, reply) => {
      const [postgres, redis, objectStore, queue] = await Promise.all([
        check(() => ctx.db.query('SELECT 1')),
        check(() => ctx.queues.ping()),
        check(() => ctx.store.ping()),
        backpressure
          ? backpressure.load().then(
              (l) => (l.full ? `full: ${l.jobs} jobs waiting, limit ${l.limit}` : 'ok'),
              () => 'unknown',
            )
          : Promise.resolve('ok'),
      ]);
      const checks = { postgres, redis, objectStore, queue };
      const ok = Object.values(checks).every((s) => s === 'ok' || s === 'unknown');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
    },
  );

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
