export * from './catalog.js';
export * from './job-definition.js';
export {
  assertQueuePrefixFits,
  createRedis,
  duplicateRedis,
  type RedisConnection,
} from './redis-connection.js';
export * from './click-producer.js';
export {
  type ApprovalCreateProducer,
  approvalCreateJobId,
  createApprovalCreateProducer,
  type JobQueue,
} from './approval-create-producer.js';
export { createDeliveryProducer, type DeliveryProducer } from './delivery-producer.js';
export { approvalCreatedChannel } from './approval-created-channel.js';
