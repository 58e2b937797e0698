import { sampleApprovalLayout } from '@b24app/layout/seed-examples';
import {
  AjaxError,
  type B24OAuthParams,
  B24OAuth,
  EnumAppStatus,
  LoggerFactory,
  ParamsFactory,
} from '@bitrix24/b24jssdk';
import { describe, expect, it } from 'vitest';
import { useEmulator } from './helpers.js';

// The official SDK, unmodified, against the emulator: plain calls, expired_token -> one refresh with rotation,
// and QUERY_LIMIT_EXCEEDED under a burst.

const env = useEmulator({ portal: true });

async function sdkParams(): Promise<B24OAuthParams> {
  const t = await env.emu.client.issueTokens(env.p.memberId, env.p.clientId);
  // mapped the way the official install recipe maps an ONAPPINSTALL auth block; client_endpoint kept as sent
  return {
    applicationToken: t.application_token,
    userId: t.user_id,
    memberId: t.member_id,
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expires: t.expires,
    expiresIn: t.expires_in,
    scope: t.scope,
    domain: env.p.domain,
    clientEndpoint: t.client_endpoint,
    serverEndpoint: t.server_endpoint,
    status: EnumAppStatus.Local,
  };
}

function client(params: B24OAuthParams, restrictionParams?: object): B24OAuth {
  const b24 = new B24OAuth(
    params,
    { clientId: env.p.clientId, clientSecret: env.p.clientSecret },
    { restrictionParams },
  );
  b24.setLogger(LoggerFactory.createNullLogger());
  return b24;
}

async function refresh(refreshToken: string) {
  const res = await fetch(`${env.emu.url}/oauth/token/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'refresh_token',
      client_id: env.p.clientId,
      client_secret: env.p.clientSecret,
      refresh_token: refreshToken,
    }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('@bitrix24/b24jssdk B24OAuth against the emulator', () => {
  it('calls methods and batches with actions.v2', async () => {
    const b24 = client(await sdkParams());
    const me = await b24.actions.v2.call.make<{ ID: string; ADMIN: boolean }>({ method: 'profile' });
    expect(me.isSuccess).toBe(true);
    expect(me.getData()?.result).toMatchObject({ ID: '1', ADMIN: true });

    const deal = await env.emu.client.createCrmItem(env.p.memberId, { entityTypeId: 2, title: 'SDK deal' });
    const added = await b24.actions.v2.call.make<{ activity: { id: number } }>({
      method: 'crm.activity.configurable.add',
      params: {
        ownerTypeId: 2,
        ownerId: deal.id,
        fields: { completed: false, pingOffsets: [0, 15] },
        layout: sampleApprovalLayout(),
      },
    });
    const activityId = added.getData()?.result.activity.id;
    expect(activityId).toBeGreaterThan(0);

    const batch = await b24.actions.v2.batch.make<unknown>({
      calls: { me: ['user.current', {}], activity: ['crm.activity.configurable.get', { id: activityId }] },
      options: { isHaltOnError: true, returnAjaxResult: true },
    });
    expect(batch.isSuccess).toBe(true);
    const rows = batch.getData() as unknown as Record<string, { getData(): { result: unknown } }>;
    expect(rows.activity?.getData().result).toMatchObject({ activity: { id: activityId, ownerId: deal.id } });
  });

  it('on expired_token refreshes once; the rotated refresh token works, the old one is refused', async () => {
    const params = await sdkParams();
    const oldRefresh = params.refreshToken;
    const b24 = client(params);
    const persisted: B24OAuthParams[] = [];
    b24.setCallbackRefreshAuth(async ({ b24OAuthParams }) => {
      persisted.push({ ...b24OAuthParams });
    });
    expect((await b24.actions.v2.call.make({ method: 'user.current' })).isSuccess).toBe(true);

    await env.emu.client.expireTokens(env.p.memberId, env.p.clientId);
    const res = await b24.actions.v2.call.make<{ ID: string }>({ method: 'user.current' });
    expect(res.isSuccess).toBe(true);
    expect(res.getData()?.result.ID).toBe('1');

    expect(persisted).toHaveLength(1);
    expect(persisted[0]?.refreshToken).not.toBe(oldRefresh);
    expect(await env.emu.client.oauthStats()).toMatchObject({ refreshGrants: 1, invalidGrant: 0 });
    const restCalls = await env.emu.client.calls({ memberId: env.p.memberId, method: 'user.current' });
    expect(restCalls.map((c) => [c.status, c.error])).toEqual([
      [200, null],
      [401, 'expired_token'],
      [200, null],
    ]);

    // the spent refresh token is refused, the rotated one works (once)
    expect(await refresh(oldRefresh)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
    const rotated = await refresh(String(persisted[0]?.refreshToken));
    expect(rotated.status).toBe(200);
  });

  it('surfaces QUERY_LIMIT_EXCEEDED (503) when a burst exceeds the portal bucket', async () => {
    await env.emu.client.setLimits(env.p.memberId, { burst: 5, drainPerSec: 0.1 });
    // the SDK's own limiter would queue the burst; open it up and do not retry, to see the portal's answer
    const b24 = client(await sdkParams(), {
      ...ParamsFactory.getDefault(),
      rateLimit: { burstLimit: 1000, drainRate: 1000, adaptiveEnabled: false },
      maxRetries: 1,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => b24.actions.v2.call.make({ method: 'user.admin' })),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const failed = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(5);
    expect(failed).toHaveLength(5);
    for (const f of failed) {
      expect(f.reason).toBeInstanceOf(AjaxError);
      expect(f.reason).toMatchObject({ code: 'QUERY_LIMIT_EXCEEDED', status: 503 });
    }
  });
});
