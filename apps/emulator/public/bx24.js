// A minimal stand-in for Bitrix24's BX24 JS library (//api.bitrix24.com/api/v1/), served by the emulator.
// It reads the frame context like the real one (iframe name `DOMAIN|PROTOCOL|APP_SID`, else the query string)
// and asks the emulator for the frame's data instead of the parent window.
(() => {
  if (window.BX24) return;
  const script = document.currentScript;
  const base = script ? new URL(script.src).origin : '';
  const query = new URLSearchParams(location.search);
  const fromName = (window.name || '').split('|');
  const frame = {
    DOMAIN: fromName.length === 3 ? fromName[0] : query.get('DOMAIN'),
    PROTOCOL: fromName.length === 3 ? fromName[1] : query.get('PROTOCOL') || '0',
    APP_SID: fromName.length === 3 ? fromName[2] : query.get('APP_SID'),
  };
  let data = null;
  let initPromise = null;
  const session = (path) => `${base}/bx24/api/v1/session/${encodeURIComponent(frame.APP_SID || '')}${path}`;

  function init() {
    if (!initPromise) {
      initPromise = fetch(session(''))
        .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`BX24: unknown frame ${frame.APP_SID}`))))
        .then((d) => {
          data = d;
          return d;
        });
    }
    return initPromise;
  }

  function restUrl(method) {
    const domain = data ? data.DOMAIN : frame.DOMAIN;
    return `${frame.PROTOCOL === '1' ? 'https' : 'http'}://${domain}/rest/${method}.json`;
  }

  function ajaxResult(answer, status, query) {
    return {
      answer,
      status,
      query,
      data: () => answer.result,
      error: () =>
        answer.error ? `${answer.error}${answer.error_description ? `: ${answer.error_description}` : ''}` : '',
      error_description: () => answer.error_description || '',
      more: () => typeof answer.next === 'number',
      total: () => answer.total || 0,
      next(cb) {
        if (typeof answer.next !== 'number') return false;
        BX24.callMethod(query.method, { ...query.data, start: answer.next }, cb);
        return true;
      },
    };
  }

  const BX24 = {
    init(cb) {
      init().then(
        () => cb?.(),
        (e) => console.error(e),
      );
    },
    ready(cb) {
      BX24.init(cb);
    },
    isReady: () => data !== null,
    getAuth() {
      if (!data) return false;
      return {
        access_token: data.AUTH_ID,
        refresh_token: data.REFRESH_ID,
        expires_in: data.AUTH_EXPIRES,
        domain: data.DOMAIN,
        member_id: data.MEMBER_ID,
      };
    },
    refreshAuth(cb) {
      fetch(session('/refresh'), { method: 'POST' })
        .then((r) => r.json())
        .then((d) => {
          Object.assign(data, d);
          cb?.(BX24.getAuth());
        });
    },
    getLang: () => (data ? data.LANG : query.get('LANG') || 'en'),
    getDomain: () => (data ? data.DOMAIN : frame.DOMAIN),
    isAdmin: () => Boolean(data?.IS_ADMIN),
    placement: {
      info: () => ({ placement: data?.PLACEMENT || 'DEFAULT', options: data?.PLACEMENT_OPTIONS || {} }),
    },
    callMethod(method, params, cb) {
      const send = () =>
        fetch(restUrl(method), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...(params || {}), auth: data.AUTH_ID }),
        }).then(async (r) => ajaxResult(await r.json(), r.status, { method, data: params || {} }));
      const p = init().then(send);
      if (cb) p.then(cb);
      return p;
    },
    callBatch(calls, cb, haltOnError) {
      const cmd = {};
      for (const [key, call] of Object.entries(calls)) {
        const [method, params] = Array.isArray(call) ? call : [call.method, call.params];
        cmd[key] = `${method}?${new URLSearchParams(flatten(params || {})).toString()}`;
      }
      return BX24.callMethod('batch', { halt: haltOnError ? 1 : 0, cmd }, (res) => {
        const out = {};
        const r = res.data() || {};
        for (const key of Object.keys(calls)) {
          out[key] = ajaxResult(
            {
              result: r.result?.[key],
              error: r.result_error?.[key]?.error,
              error_description: r.result_error?.[key]?.error_description,
              total: r.result_total?.[key],
              next: r.result_next?.[key],
            },
            res.status,
            {},
          );
        }
        cb?.(out);
      });
    },
    installFinish() {
      init()
        .then(() => fetch(session('/install-finish'), { method: 'POST' }))
        .then(() => {
          // the real parent reloads the frame with the app page; the emulator's parent page does the same
          if (window.parent !== window) window.parent.postMessage({ bx24emulator: 'installFinish' }, '*');
        });
    },
    fitWindow() {},
    resizeWindow() {},
    setTitle(title) {
      document.title = title;
    },
    closeApplication() {},
    reloadWindow: () => location.reload(),
  };

  function flatten(obj, prefix = '', out = []) {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}[${k}]` : k;
      if (v !== null && typeof v === 'object') flatten(v, key, out);
      else out.push([key, v === true ? '1' : v === false ? '' : String(v ?? '')]);
    }
    return out;
  }

  window.BX24 = BX24;
})();
