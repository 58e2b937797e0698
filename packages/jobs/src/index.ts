export * from './catalog.js';
export * from './job-definition.js';
export {
  assertQueuePrefixFits,
  createRedis,
  duplicateRedis,
  type RedisConnection,
} from './redis-connection.js';
export * from './click-producer.js';
