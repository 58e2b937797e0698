import { type Layout, resolveText } from '@b24app/layout';
import { atomDate } from '../rest/envelope.js';
import type { ConfigurableActivity } from '../state/model.js';

// A configurable activity as the legacy crm.activity.* methods show it: UPPER_CASE, strings, PROVIDER_* mapping
// from the source (SUBJECT = header title, PROVIDER_DATA = layout JSON, PROVIDER_PARAMS = clientId + badgeCode).

export const CONFIGURABLE_PROVIDER_ID = 'CONFIGURABLE_REST_APP';
/** CCrmActivityType::Provider: configurable activities are provider-based */
export const PROVIDER_TYPE_ID = '6';

export function activitySubject(layout: Layout, lang: string): string {
  return resolveText(layout.header.title, lang);
}

export function activityRow(a: ConfigurableActivity, lang: string): Record<string, unknown> {
  return {
    ID: String(a.id),
    OWNER_ID: String(a.ownerId),
    OWNER_TYPE_ID: String(a.ownerTypeId),
    TYPE_ID: PROVIDER_TYPE_ID,
    PROVIDER_ID: CONFIGURABLE_PROVIDER_ID,
    PROVIDER_TYPE_ID: a.fields.typeId,
    PROVIDER_GROUP_ID: null,
    ASSOCIATED_ENTITY_ID: '0',
    SUBJECT: activitySubject(a.layout, lang),
    CREATED: atomDate(a.createdAt),
    LAST_UPDATED: atomDate(a.updatedAt),
    START_TIME: atomDate(a.createdAt),
    END_TIME: a.fields.deadline ?? '',
    DEADLINE: a.fields.deadline ?? '',
    COMPLETED: a.fields.completed ? 'Y' : 'N',
    STATUS: a.fields.completed ? '2' : '1',
    RESPONSIBLE_ID: String(a.fields.responsibleId),
    PRIORITY: '2',
    NOTIFY_TYPE: '0',
    NOTIFY_VALUE: '0',
    DESCRIPTION: '',
    DESCRIPTION_TYPE: '1',
    DIRECTION: '0',
    LOCATION: '',
    SETTINGS: [],
    ORIGINATOR_ID: a.fields.originatorId,
    ORIGIN_ID: a.fields.originId,
    AUTHOR_ID: String(a.authorId),
    EDITOR_ID: String(a.editorId),
    PROVIDER_PARAMS: { clientId: a.clientId, badgeCode: a.fields.badgeCode },
    PROVIDER_DATA: JSON.stringify(a.layout),
    IS_INCOMING_CHANNEL: a.fields.isIncomingChannel ? 'Y' : 'N',
  };
}
