export {
  type CallbackAddressPolicy,
  callbackPolicyOf,
  checkHost,
  type ResolveHost,
  refusedAddress,
  systemResolve,
} from './callback-address-policy.js';
export { callbackRetryDelayMs, RETRY_WINDOW_MS, withinRetryWindow } from './callback-backoff.js';
export {
  type CallbackAttempt,
  type CallbackDelivery,
  type CallbackSender,
  type CallbackSenderOptions,
  createCallbackSender,
} from './callback-sender.js';
export { SIGNATURE_HEADER, signCallback, verifyCallbackSignature } from './callback-signature.js';
export { checkCallbackUrl } from './callback-url.js';
