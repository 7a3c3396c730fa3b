// Liveness, readiness and Prometheus metrics: unauthenticated, for orchestrators and scrapers.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';

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

export function opsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get('/health', { schema: { tags: ['operations'], summary: 'Alive' } }, async () => ({ status: 'ok' }));

  app.get('/ready', { schema: { tags: ['operations'], summary: 'Redis, PostgreSQL and the object store reachable' } }, async (_req, reply) => {
    const [postgres, redis, objectStore] = await Promise.all([
      check(() => ctx.db.query('SELECT 1')),
      check(() => ctx.queues.ping()),
      check(() => ctx.store.ping()),
    ]);
    const ok = [postgres, redis, objectStore].every((s) => s === 'ok');
    return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks: { postgres, redis, objectStore } });
  });

  app.get('/metrics', { schema: { tags: ['operations'], summary: 'Prometheus metrics' } }, async (_req, reply) => {
    reply.header('Content-Type', ctx.metrics.registry.contentType);
    return ctx.metrics.registry.metrics();
  });
}
