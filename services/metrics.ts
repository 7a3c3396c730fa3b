// Prometheus metrics: uploads, bytes, rejections by code, queue depth, job durations and failures.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  uploads: Counter<'channel'>;
  uploadBytes: Counter<'channel'>;
  rejections: Counter<'code'>;
  documentsAccepted: Counter<'duplicate'>;
  jobDuration: Histogram<'stage' | 'outcome'>;
  jobFailures: Counter<'stage' | 'code' | 'final'>;
  queueDepth: Gauge<'queue' | 'state'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  recoveries: Counter<string>;
  documents: Gauge<'status'>;
  oldestInFlight: Gauge<string>;
}

export interface DocumentStats {
  /** Documents per status. */
  byStatus: Record<string, number>;
  /** Seconds since the longest-waiting document in a non-resting status last moved; 0 when none. */
  oldestInFlightSeconds: number;
}

export interface MetricSources {
  queueCounts?: () => Promise<Record<string, Record<string, number>>>;
  documentStats?: () => Promise<DocumentStats>;
}

export function createMetrics(sources: MetricSources = {}): Metrics {
  const { queueCounts, documentStats } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'motcua_' });
  // Read once per scrape, by whichever of the two gauges asks first.
  let stats: Promise<DocumentStats | null> | null = null;
  const readStats = () => {
    stats ??= (documentStats ? documentStats() : Promise.resolve(null)).catch(() => null).finally(() => setTimeout(() => (stats = null), 1000).unref());
    return stats;
  };
  const queueDepth = new Gauge({
    name: 'motcua_queue_jobs',
    help: 'Jobs per queue and state',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      if (!queueCounts) return;
      try {
        const counts = await queueCounts();
        for (const [queue, states] of Object.entries(counts)) {
          for (const [state, n] of Object.entries(states)) this.set({ queue, state }, n);
        }
      } catch {
        // Redis down: keep the last values; /ready reports the outage.
      }
    },
  });
  return {
    registry,
    queueDepth,
    recoveries: new Counter({
      name: 'motcua_recoveries_total',
      help: 'Documents re-queued by the recovery sweep after a lost hand-off',
      registers: [registry],
    }),
    documents: new Gauge({
      name: 'motcua_documents',
      help: 'Documents in the catalog per status',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        const s = await readStats();
        if (s) for (const [status, n] of Object.entries(s.byStatus)) this.set({ status }, n);
      },
    }),
    oldestInFlight: new Gauge({
      name: 'motcua_oldest_in_flight_seconds',
      help: 'Age of the oldest document waiting for a stage (not in review, done or failed); alert when it grows',
      registers: [registry],
      async collect() {
        const s = await readStats();
        if (s) this.set(s.oldestInFlightSeconds);
      },
    }),
    uploads: new Counter({
      name: 'motcua_uploads_total',
      help: 'Accepted upload requests',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    uploadBytes: new Counter({
      name: 'motcua_upload_bytes_total',
      help: 'Bytes of accepted files',
      labelNames: ['channel'] as const,
      registers: [registry],
    }),
    rejections: new Counter({
      name: 'motcua_rejections_total',
      help: 'Refused requests by error code',
      labelNames: ['code'] as const,
      registers: [registry],
    }),
    documentsAccepted: new Counter({
      name: 'motcua_documents_accepted_total',
      help: 'Documents accepted, by whether their bytes duplicate an earlier document',
      labelNames: ['duplicate'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'motcua_job_duration_seconds',
      help: 'Pipeline job durations by stage',
      labelNames: ['stage', 'outcome'] as const,
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
    jobFailures: new Counter({
      name: 'motcua_job_failures_total',
      help: 'Failed job attempts by stage and error code; final=true when retries are exhausted',
      labelNames: ['stage', 'code', 'final'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'motcua_http_request_duration_seconds',
      help: 'HTTP request durations',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
