import { createLogger } from '@b24app/core';
import { describe, expect, it } from 'vitest';
import type { RestCaller } from './event-bindings.js';
import { reconcileRobots, reconcileRobotsUnlessUnscoped, requestApprovalRobot } from './robot-registration.js';

const logger = createLogger({ level: 'silent' });
const HANDLER = 'https://app.example/b24/robot';

/** A portal's robot list as bizproc.robot.* keep it, with errors a test scripts. */
function fakePortal(installed: string[], fail: Record<string, { b24Code: string }> = {}) {
  const robots = new Set(installed);
  const calls: string[] = [];
  const client: RestCaller = {
    async call<T>(method: string, params: Record<string, unknown> = {}) {
      calls.push(`${method}${params.CODE ? ` ${String(params.CODE)}` : ''}`);
      const failure = fail[method];
      if (failure) throw Object.assign(new Error(failure.b24Code), failure);
      if (method === 'bizproc.robot.list') return [...robots] as T;
      if (method === 'bizproc.robot.add') robots.add(String(params.CODE));
      if (method === 'bizproc.robot.delete') robots.delete(String(params.CODE));
      return true as T;
    },
  };
  return { client, calls, robots };
}

describe('reconcileRobots', () => {
  it('adds the robot where it is missing', async () => {
    const portal = fakePortal([]);
    expect(await reconcileRobots(portal.client, { handlerUrl: HANDLER, authUserId: 7, logger })).toEqual({
      added: ['request_approval'],
      updated: [],
      deleted: [],
    });
    expect(portal.calls).toEqual(['bizproc.robot.list', 'bizproc.robot.add request_approval']);
  });

  it('updates it in place where it is, and deletes our obsolete robots', async () => {
    const portal = fakePortal(['request_approval', 'old_robot']);
    await reconcileRobots(portal.client, { handlerUrl: HANDLER, authUserId: 7, logger });
    expect(portal.calls).toEqual([
      'bizproc.robot.list',
      'bizproc.robot.update request_approval',
      'bizproc.robot.delete old_robot',
    ]);
    expect([...portal.robots]).toEqual(['request_approval']);
  });

  it('an add that lost a race to another process becomes an update', async () => {
    const portal = fakePortal([], { 'bizproc.robot.add': { b24Code: 'ERROR_ACTIVITY_ALREADY_INSTALLED' } });
    expect((await reconcileRobots(portal.client, { handlerUrl: HANDLER, authUserId: 7, logger })).updated).toEqual([
      'request_approval',
    ]);
  });

  it('a portal without the bizproc scope installs without a robot; other failures fail the install', async () => {
    const unscoped = fakePortal([], { 'bizproc.robot.list': { b24Code: 'insufficient_scope' } });
    await expect(
      reconcileRobotsUnlessUnscoped(unscoped.client, { handlerUrl: HANDLER, authUserId: 7, logger }),
    ).resolves.toBeUndefined();
    const broken = fakePortal([], { 'bizproc.robot.add': { b24Code: 'ERROR_WRONG_HANDLER_URL' } });
    await expect(
      reconcileRobotsUnlessUnscoped(broken.client, { handlerUrl: HANDLER, authUserId: 7, logger }),
    ).rejects.toMatchObject({ b24Code: 'ERROR_WRONG_HANDLER_URL' });
  });
});

describe('requestApprovalRobot', () => {
  it('is the contract’s robot: waits for the answer, as the installing admin, named in English and Russian', () => {
    const r = requestApprovalRobot(HANDLER, 7);
    expect(r).toMatchObject({ HANDLER, AUTH_USER_ID: 7, USE_SUBSCRIPTION: 'Y' });
    expect(r.NAME).toEqual({ en: 'Request approval', ru: 'Запросить согласование' });
    expect(Object.keys(r.PROPERTIES as object)).toEqual(['title', 'description', 'approver', 'deadline']);
    expect(r.PROPERTIES).toMatchObject({
      title: { Type: 'string', Required: 'Y' },
      description: { Type: 'text' },
      approver: { Type: 'user', Required: 'Y' },
      deadline: { Type: 'datetime' },
    });
    expect(r.RETURN_PROPERTIES).toMatchObject({
      decision: { Type: 'select', Options: { approved: 'Approved', rejected: 'Rejected' } },
      decidedBy: { Type: 'user' },
      comment: { Type: 'text' },
    });
    expect(requestApprovalRobot(HANDLER, null)).not.toHaveProperty('AUTH_USER_ID');
  });
});
