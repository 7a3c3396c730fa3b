// Change notices between processes over Redis pub/sub: when the API changes the unit registry or
// installs signing identities, every API and worker process reloads its copy at once. A missed notice
// (Redis down at that moment) is covered by each cache's own refresh-on-miss and time-to-live.
import type { Redis } from 'ioredis';
import { redisConnection } from './queues.js';

export type Notice = 'units' | 'pki';

export interface Notices {
  publish(notice: Notice): Promise<void>;
  subscribe(handler: (notice: Notice) => void): Promise<void>;
  close(): Promise<void>;
}

export function createNotices(redisUrl: string, prefix: string, publisher: Redis): Notices {
  const channel = `${prefix}:notices`;
  let subscriber: Redis | null = null;
  return {
    async publish(notice) {
      await publisher.publish(channel, notice);
    },
    async subscribe(handler) {
      subscriber = redisConnection(redisUrl, true);
      subscriber.on('error', () => undefined); // reconnects by itself; caches have their own TTL
      subscriber.on('message', (ch: string, msg: string) => {
        if (ch === channel && (msg === 'units' || msg === 'pki')) handler(msg);
      });
      await subscriber.subscribe(channel);
    },
    async close() {
      subscriber?.disconnect();
    },
  };
}
