import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './store.js';

/** The store the configuration asks for: Redis when REDIS_URL is set, the embedded store otherwise. */
export function createStore(config: Config, log: Logger): Store {
  if (config.redisUrl === undefined)
    return new MemoryStore({ region: config.region, eventTtlMs: config.eventTtlMs });
  let connected: boolean | undefined;
  return new RedisStore({
    url: config.redisUrl,
    region: config.region,
    eventTtlMs: config.eventTtlMs,
    readCacheEntries: config.readCacheEntries,
    onReadCacheOff: (reason) => log.warn({ reason }, 'read cache off'),
    onConnectionChange: (now, error) => {
      if (now === connected) return;
      connected = now;
      if (now) log.info('store connected');
      else
        log.warn(
          { error: error?.message },
          'store disconnected; requests that need it answer 503 until it returns',
        );
    },
  });
}
