import { describe, expect, it } from 'vitest';
import { checkHandlerUrl } from './handler-url.js';

const codeOf = (url: string) => {
  try {
    checkHandlerUrl(url);
    return 'OK';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('checkHandlerUrl', () => {
  it('accepts http and https hosts with a dot', () => {
    expect(codeOf('http://127.0.0.1:3000/b24/events')).toBe('OK');
    expect(codeOf('https://app.example.com/h')).toBe('OK');
  });

  it('refuses localhost, other schemes and garbage', () => {
    expect(codeOf('http://localhost:3000/x')).toBe('ERROR_WRONG_HANDLER_URL');
    expect(codeOf('http://.example/x')).toBe('ERROR_WRONG_HANDLER_URL');
    expect(codeOf('ftp://a.b/x')).toBe('ERROR_UNSUPPORTED_PROTOCOL');
    expect(codeOf('not a url')).toBe('ERROR_WRONG_HANDLER_URL');
  });
});
