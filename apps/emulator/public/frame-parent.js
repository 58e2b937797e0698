// The parent side of the Bitrix24 frame protocol (BX.rest.AppLayout), as the official SDK's frame client
// (@bitrix24/b24jssdk initializeB24Frame) speaks it: the app's iframe posts "command:params:callbackKey:APP_SID"
// (params JSON, left out when empty) to the portal's origin; the parent answers "callbackKey:JSON" to the app's
// origin. Also the slider Bitrix24 opens for openRestApp and openApplication. No framework, no build.
(() => {
  const SLIDER_DEFAULT_WIDTH = 1000;

  /** The app frames of this page, keyed by their APP_SID. */
  const frameOf = (source) =>
    Array.from(document.querySelectorAll('iframe[data-app-sid]')).find((f) => f.contentWindow === source);

  function parse(data) {
    const parts = data.split(':');
    if (parts.length < 3) return null;
    const raw = parts.slice(1, -2).join(':');
    let params = {};
    if (raw) {
      try {
        params = JSON.parse(raw);
      } catch {
        params = raw;
      }
    }
    return { command: parts[0], params, key: parts[parts.length - 2], sid: parts[parts.length - 1] };
  }

  async function session(sid, suffix = '', init) {
    const res = await fetch(`/bx24/api/v1/session/${encodeURIComponent(sid)}${suffix}`, init);
    return res.ok ? res.json() : null;
  }

  /** The top window (same origin: the portal) owns the sliders. */
  const top = () => (window.top?.__bx24emulator ? window.top.__bx24emulator : api);

  const handlers = {
    getInitData: ({ sid }) => session(sid),
    refreshAuth: ({ sid }) =>
      session(sid, '/refresh', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }),
    resizeWindow: ({ params }, frame) => {
      const h = Number(params.height);
      if (Number.isFinite(h) && h > 0) frame.style.height = `${Math.ceil(h)}px`;
      const w = params.width;
      if (typeof w === 'number' && w > 0) frame.style.width = `${w}px`;
      else if (typeof w === 'string' && w) frame.style.width = w;
      return {};
    },
    setTitle: ({ params }) => {
      document.title = String(params.title ?? document.title);
      const h = document.querySelector('[data-slider-title]');
      if (h && window.frameElement) h.textContent = document.title;
      return {};
    },
    setScroll: ({ params }) => {
      window.scrollTo(0, Number(params.scroll) || 0);
      return {};
    },
    reloadWindow: () => {
      location.reload();
      return {};
    },
    // Answered when the slider closes, as Bitrix24 does.
    openApplication: ({ params }, frame) =>
      new Promise((resolve) => {
        const options = {};
        let width;
        let title;
        for (const [k, v] of Object.entries(params || {})) {
          if (k === 'bx24_width') width = Number(v);
          else if (k === 'bx24_title') title = String(v);
          else if (k === 'bx24_label' || k === 'bx24_leftBoundary') continue;
          else if (v === null || typeof v !== 'object') options[k] = String(v); // nested values do not survive
        }
        const base = frame.dataset.appPage;
        const url = `${base}${base.includes('?') ? '&' : '?'}placementOptions=${encodeURIComponent(JSON.stringify(options))}`;
        top().openSlider(url, { width, title }, () => resolve({}));
      }),
    closeApplication: () => {
      top().closeSliderOf(window);
      return {};
    },
    setInstallFinish: async ({ sid }) => {
      await session(sid, '/install-finish', { method: 'POST' });
      setTimeout(() => location.reload(), 200);
      return {};
    },
    setInstall: () => ({}),
    getInterface: () => ({ command: [], event: [] }),
  };

  window.addEventListener('message', async (e) => {
    if (typeof e.data !== 'string') return;
    const frame = frameOf(e.source);
    if (!frame) return;
    const msg = parse(e.data);
    if (!msg || msg.sid !== frame.dataset.appSid) return;
    const handler = handlers[msg.command];
    let result = {};
    try {
      result = handler ? await handler(msg, frame) : {};
    } catch {
      result = {};
    }
    e.source.postMessage(`${msg.key}:${JSON.stringify(result ?? {})}`, e.origin);
  });

  // Sliders: a panel from the right with its own title and close button; Escape closes the top one.
  const sliders = [];
  const api = {
    openSlider(url, o, onClose) {
      const el = document.createElement('div');
      el.className = 'slider';
      el.setAttribute('role', 'dialog');
      el.setAttribute('aria-modal', 'true');
      el.dataset.testid = 'slider';
      const width = Math.min(o.width || SLIDER_DEFAULT_WIDTH, window.innerWidth - 40);
      el.innerHTML = `<div class="slider-shade"></div><section class="slider-panel" style="width:${width}px">
<header><button type="button" class="slider-close" aria-label="Close">×</button><h2 data-slider-title></h2></header>
<iframe class="slider-frame" title="application slider"></iframe></section>`;
      el.querySelector('[data-slider-title]').textContent = o.title || '';
      const frame = el.querySelector('iframe');
      frame.src = `${url}${url.includes('?') ? '&' : '?'}embed=1`;
      const entry = { el, frame, onClose };
      const close = () => api.close(entry);
      el.querySelector('.slider-close').addEventListener('click', close);
      el.querySelector('.slider-shade').addEventListener('click', close);
      sliders.push(entry);
      document.body.appendChild(el);
    },
    close(entry) {
      const i = sliders.indexOf(entry);
      if (i < 0) return;
      sliders.splice(i, 1);
      entry.el.remove();
      entry.onClose?.();
    },
    /** closeApplication from an app page inside a slider: the slider whose frame holds that window closes. */
    closeSliderOf(win) {
      const entry = sliders.find((s) => {
        let w = win;
        while (w && w !== window) {
          if (s.frame.contentWindow === w) return true;
          w = w.parent === w ? null : w.parent;
        }
        return false;
      });
      if (entry) api.close(entry);
    },
  };
  if (window.top === window) window.__bx24emulator = api;

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && sliders.length) api.close(sliders[sliders.length - 1]);
  });
  // The card's openRestApp links (Details): Bitrix24 opens the app in a slider with the action's sliderParams.
  document.addEventListener('click', (e) => {
    const a = e.target.closest?.('a[data-open-rest-app]');
    if (!a) return;
    e.preventDefault();
    top().openSlider(a.getAttribute('href'), {
      width: Number(a.dataset.sliderWidth) || undefined,
      title: a.dataset.sliderTitle || '',
    });
  });
})();
