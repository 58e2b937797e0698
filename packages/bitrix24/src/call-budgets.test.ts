import { describe, expect, it } from 'vitest';
import { createCallBudgets } from './call-budgets.js';
import { methodOfUrl, requestIdOfUrl } from './portal-request.js';

describe('call budgets', () => {
  it('each call of the same method keeps its own budget, whatever order its request is sent in', async () => {
    const budgets = createCallBudgets();
    const seen: Record<string, number | undefined> = {};
    let releaseFirst!: () => void;
    const firstMayGo = new Promise<void>((r) => {
      releaseFirst = r;
    });
    const slow = budgets.with(100, async (id) => {
      await firstMayGo; // the later call's request goes out first
      seen.slow = budgets.take(id);
    });
    const fast = budgets.with(9_000, async (id) => {
      seen.fast = budgets.take(id);
      releaseFirst();
    });
    await Promise.all([slow, fast]);
    expect(seen).toEqual({ slow: 100, fast: 9_000 });
  });

  it('a replay of an already sent request, an unknown or a finished call get no budget', async () => {
    const budgets = createCallBudgets();
    let kept = '';
    await budgets.with(50, async (id) => {
      kept = id;
      expect(budgets.take(id)).toBe(50);
      expect(budgets.take(id)).toBeUndefined();
    });
    expect(budgets.take(kept)).toBeUndefined();
    expect(budgets.take(undefined)).toBeUndefined();
  });

  it('reads method and request id from the URL the SDK builds', () => {
    const url = 'https://x.bitrix24.com/rest/crm.activity.configurable.update?bx24_request_id=abc-1&bx24_sdk_ver=2.2.0';
    expect(methodOfUrl(url)).toBe('crm.activity.configurable.update');
    expect(requestIdOfUrl(url)).toBe('abc-1');
    expect(requestIdOfUrl('https://x.bitrix24.com/rest/task.item.list')).toBeUndefined();
  });
});
