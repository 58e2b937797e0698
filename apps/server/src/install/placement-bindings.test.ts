import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import type { RestCaller } from './event-bindings.js';
import { ownerTypeOfPlacement, REQUEST_APPROVAL_TEXT, reconcilePlacementBindings } from './placement-bindings.js';

const logger = createLogger({ level: 'silent' });
const APP = 'https://app.example';
const HANDLER = `${APP}/b24/placement/request-approval`;

interface Bound {
  placement: string;
  handler: string;
  title: string;
  langAll?: Record<string, { TITLE: string }>;
}

/** A portal's placement table as placement.get/bind/unbind see it, with Bitrix24's refusal of a duplicate. */
function portal(init: { bound?: Bound[]; types?: number[] | Error; raceOn?: string }) {
  let bound = [...(init.bound ?? [])];
  const calls: string[] = [];
  const client: RestCaller = {
    async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      calls.push(method);
      if (method === 'crm.type.list') {
        if (init.types instanceof Error) throw init.types;
        return { types: (init.types ?? []).map((entityTypeId) => ({ entityTypeId })) } as T;
      }
      if (method === 'placement.get') return bound.map((b) => ({ ...b })) as T;
      if (method === 'placement.unbind') {
        bound = bound.filter((b) => !(b.placement === params.PLACEMENT && b.handler === params.HANDLER));
        return { count: 1 } as T;
      }
      if (method === 'placement.bind') {
        const placement = String(params.PLACEMENT);
        // Another process bound it between our placement.get and this bind.
        if (init.raceOn === placement)
          bound.push({ placement, handler: String(params.HANDLER), title: 'Request approval' });
        if (bound.some((b) => b.placement === placement && b.handler === params.HANDLER)) {
          throw new Error('placement.bind: ERROR_CORE (Unable to set placement handler: Handler already binded)');
        }
        bound.push({
          placement,
          handler: String(params.HANDLER),
          title: String(params.TITLE),
          langAll: params.LANG_ALL as Bound['langAll'],
        });
        return true as T;
      }
      throw new Error(`unexpected ${method}`);
    },
  };
  return { client, calls, bound: () => bound };
}

const ours = (placement: string, over: Partial<Bound> = {}): Bound => ({
  placement,
  handler: HANDLER,
  title: REQUEST_APPROVAL_TEXT.en.TITLE,
  langAll: { en: { TITLE: REQUEST_APPROVAL_TEXT.en.TITLE }, ru: { TITLE: REQUEST_APPROVAL_TEXT.ru.TITLE } },
  ...over,
});
const codes = (b: Bound[]) => b.map((x) => x.placement).sort();
const STATIC = [
  'CRM_COMPANY_DETAIL_ACTIVITY',
  'CRM_CONTACT_DETAIL_ACTIVITY',
  'CRM_DEAL_DETAIL_ACTIVITY',
  'CRM_LEAD_DETAIL_ACTIVITY',
];

describe('reconcilePlacementBindings', () => {
  it('binds every CRM item type and every smart process once, with both titles', async () => {
    const p = portal({ types: [128, 130] });
    await reconcilePlacementBindings(p.client, APP, logger);
    expect(codes(p.bound())).toEqual(
      [...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY', 'CRM_DYNAMIC_130_DETAIL_ACTIVITY'].sort(),
    );
    expect(p.bound().every((b) => b.handler === HANDLER && b.langAll?.ru?.TITLE === 'Запросить согласование')).toBe(
      true,
    );
    // A second run changes nothing.
    const again = await reconcilePlacementBindings(p.client, APP, logger);
    expect(again).toEqual({ bound: [], unbound: [] });
  });

  it('removes what is ours and obsolete, re-binds what changed, leaves other placements alone', async () => {
    const p = portal({
      types: [128],
      bound: [
        ours('CRM_DEAL_DETAIL_ACTIVITY', { handler: 'https://old.example/b24/placement/request-approval' }),
        ours('CRM_LEAD_DETAIL_ACTIVITY', { title: 'Ask for approval' }),
        ours('CRM_DYNAMIC_132_DETAIL_ACTIVITY'), // a smart process that was deleted
        ours('CRM_CONTACT_DETAIL_ACTIVITY'),
        { placement: 'CRM_DEAL_DETAIL_TAB', handler: `${APP}/tab`, title: 'Another feature' },
      ],
    });
    const r = await reconcilePlacementBindings(p.client, APP, logger);
    expect(r.unbound.sort()).toEqual([
      'CRM_DEAL_DETAIL_ACTIVITY',
      'CRM_DYNAMIC_132_DETAIL_ACTIVITY',
      'CRM_LEAD_DETAIL_ACTIVITY',
    ]);
    expect(r.bound.sort()).toEqual([
      'CRM_COMPANY_DETAIL_ACTIVITY',
      'CRM_DEAL_DETAIL_ACTIVITY',
      'CRM_DYNAMIC_128_DETAIL_ACTIVITY',
      'CRM_LEAD_DETAIL_ACTIVITY',
    ]);
    expect(codes(p.bound())).toEqual(['CRM_DEAL_DETAIL_TAB', ...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY'].sort());
    expect(p.bound().find((b) => b.placement === 'CRM_LEAD_DETAIL_ACTIVITY')?.title).toBe('Request approval');
  });

  it('without the smart-process list, their placements are kept (nothing removed on a guess)', async () => {
    const p = portal({
      types: new Error('crm.type.list: ACCESS_DENIED'),
      bound: [ours('CRM_DYNAMIC_128_DETAIL_ACTIVITY')],
    });
    await reconcilePlacementBindings(p.client, APP, logger);
    expect(codes(p.bound())).toEqual([...STATIC, 'CRM_DYNAMIC_128_DETAIL_ACTIVITY'].sort());
  });

  it('a bind another process made meanwhile counts as bound: no duplicate, no failure', async () => {
    const p = portal({ raceOn: 'CRM_DEAL_DETAIL_ACTIVITY' });
    await reconcilePlacementBindings(p.client, APP, logger);
    expect(p.bound().filter((b) => b.placement === 'CRM_DEAL_DETAIL_ACTIVITY')).toHaveLength(1);
  });
});

describe('ownerTypeOfPlacement', () => {
  it('maps our placement codes to the CRM entity type, smart processes by their id', () => {
    expect(ownerTypeOfPlacement('CRM_LEAD_DETAIL_ACTIVITY')).toBe(1);
    expect(ownerTypeOfPlacement('CRM_DEAL_DETAIL_ACTIVITY')).toBe(2);
    expect(ownerTypeOfPlacement('CRM_CONTACT_DETAIL_ACTIVITY')).toBe(3);
    expect(ownerTypeOfPlacement('CRM_COMPANY_DETAIL_ACTIVITY')).toBe(4);
    expect(ownerTypeOfPlacement('CRM_DYNAMIC_183_DETAIL_ACTIVITY')).toBe(183);
    expect(ownerTypeOfPlacement('CRM_DYNAMIC_2_DETAIL_ACTIVITY')).toBeNull();
    expect(ownerTypeOfPlacement('CRM_DEAL_DETAIL_TAB')).toBeNull();
    expect(ownerTypeOfPlacement('DEFAULT')).toBeNull();
  });
});
