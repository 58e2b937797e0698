/**
 * The Redis pub/sub channel on which the worker announces that an approval's creation settled (its activity is
 * stored, or the job gave up): the server's create requests and `?wait=` reads waiting for it wake at once instead
 * of polling the row. The message is the approval id. Best effort: a waiter also re-reads the row on its own, slowly.
 */
export const approvalCreatedChannel = (queuePrefix: string): string => `${queuePrefix}:approval-created`;
