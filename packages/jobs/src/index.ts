export * from './catalog.js';
export * from './job-definition.js';
export { createRedis } from './redis-connection.js';
export * from './click-producer.js';
