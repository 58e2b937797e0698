import { TEST_ENCRYPTION_KEY } from '@b24app/testing';
import { describe, expect, it } from 'vitest';
import { loadWorkerConfig } from './config.js';

const base = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/db',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  APP_URL: 'https://app.example.com',
  B24_CLIENT_ID: 'local.1',
  B24_CLIENT_SECRET: 'secret',
  TOKEN_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
};

describe('worker config: the token keep-alive', () => {
  it('defaults: the shortest documented refresh-token lifetime (28 days), a week of window, an hourly scan', () => {
    expect(loadWorkerConfig(base)).toMatchObject({
      B24_REFRESH_TOKEN_TTL_SEC: 28 * 24 * 3600,
      TOKEN_KEEPALIVE_WINDOW_SEC: 7 * 24 * 3600,
      TOKEN_KEEPALIVE_INTERVAL_MS: 3_600_000,
      TOKEN_KEEPALIVE_PER_SEC: 1,
    });
  });

  it('refuses a window that is not shorter than the lifetime, and nonsense values, naming the variable', () => {
    expect(() =>
      loadWorkerConfig({ ...base, B24_REFRESH_TOKEN_TTL_SEC: '3600', TOKEN_KEEPALIVE_WINDOW_SEC: '3600' }),
    ).toThrow(/TOKEN_KEEPALIVE_WINDOW_SEC must be shorter than B24_REFRESH_TOKEN_TTL_SEC/);
    expect(() => loadWorkerConfig({ ...base, TOKEN_KEEPALIVE_PER_SEC: '0' })).toThrow(/TOKEN_KEEPALIVE_PER_SEC/);
    expect(loadWorkerConfig({ ...base, TOKEN_KEEPALIVE_INTERVAL_MS: '0' }).TOKEN_KEEPALIVE_INTERVAL_MS).toBe(0);
  });
});
