import { RestError } from '../rest/rest-error.js';

// HandlerHelper::checkCallback: http(s) only, and a host with a dot that is not its first character
// (so `http://localhost:3000/x` is refused and `http://127.0.0.1:3000/x` accepted).

export function checkHandlerUrl(handler: string): void {
  let url: URL;
  try {
    url = new URL(handler);
  } catch {
    throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RestError('ERROR_UNSUPPORTED_PROTOCOL', 'Unsupported handler protocol', 400);
  }
  const dot = url.hostname.indexOf('.');
  if (!url.hostname || dot <= 0) throw new RestError('ERROR_WRONG_HANDLER_URL', 'Wrong handler URL', 400);
}
