export * from './constant-time.js';
export * from './env.js';
export * from './errors.js';
export * from './logger.js';
export * from './token-cipher.js';
export * from './readiness.js';
export * from './shutdown.js';
export * from './metrics.js';
