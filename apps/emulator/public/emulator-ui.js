// Bitrix24 emulator UI: viewer switch, control-API forms, timeline clicks and polling. No framework, no build.
(() => {
  const $$ = (sel, root = document) => Array.from(root.querySelectorAll(sel));

  // Acting user and language live in the query string, so every link and poll carries them.
  for (const select of $$('select[data-viewer]')) {
    select.addEventListener('change', () => {
      const url = new URL(location.href);
      url.searchParams.set(select.dataset.viewer, select.value);
      location.href = url.toString();
    });
  }

  async function control(spec, body) {
    const [method, path] = spec.split(' ');
    const res = await fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      alert(`${err.error || res.status}: ${err.message || ''}`);
      return false;
    }
    return true;
  }

  for (const form of $$('form[data-control]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const body = {};
      for (const el of $$('input, select', form)) {
        if (!el.name) continue;
        if (el.type === 'checkbox') body[el.name] = el.checked;
        else if (el.value !== '')
          body[el.name] =
            el.hasAttribute('data-number') || form.querySelector(`[name="${el.name}"][data-number]`)
              ? Number(el.value)
              : el.value;
      }
      if (await control(form.dataset.control, body)) location.reload();
    });
  }

  for (const button of $$('button[data-control]')) {
    button.addEventListener('click', async () => {
      button.disabled = true;
      const ok = await control(button.dataset.control, JSON.parse(button.dataset.body || '{}'));
      if (ok && button.dataset.then) location.href = button.dataset.then;
      else location.reload();
    });
  }

  // Automation panel: run a robot on this item with property values, then follow its runs.
  /** datetime-local / date input → the portal's date format Bitrix24 passes to handlers (DD.MM.YYYY[ HH:MM:SS]) */
  function bizprocDate(el) {
    const [date, time] = el.value.split('T');
    const [y, m, d] = date.split('-');
    return time ? `${d}.${m}.${y} ${time.length === 5 ? `${time}:00` : time}` : `${d}.${m}.${y}`;
  }
  for (const form of $$('form[data-robot-run]')) {
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const properties = {};
      for (const el of $$('[data-prop]', form)) {
        if (el.value === '') continue;
        properties[el.dataset.prop] =
          el.dataset.type === 'datetime' || el.dataset.type === 'date' ? bizprocDate(el) : el.value;
      }
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        await control(form.dataset.robotRun, { ...JSON.parse(form.dataset.run), properties });
      } finally {
        button.disabled = false;
      }
      pollRuns();
    });
  }
  const runs = document.querySelector('[data-robot-runs]');
  async function pollRuns() {
    if (!runs) return;
    const res = await fetch(runs.dataset.robotRuns, { cache: 'no-store' });
    if (!res.ok) return;
    const { version, html } = await res.json();
    if (version === runs.dataset.version) return;
    runs.dataset.version = version;
    runs.innerHTML = html;
  }
  if (runs) {
    runs.addEventListener('click', async (e) => {
      const el = e.target.closest('[data-end-run]');
      if (!el) return;
      el.disabled = true;
      await control(`POST ${el.dataset.endRun}`, { as: el.dataset.as });
      pollRuns();
    });
    setInterval(pollRuns, 400);
  }

  const timeline = document.querySelector('[data-timeline]');
  if (!timeline) return;

  // Clicking a restEvent: show the loader / disable the button at once (as Bitrix24 does), then tell the portal.
  timeline.addEventListener('click', async (e) => {
    const el = e.target.closest('[data-click]');
    if (!el || el.disabled) return;
    e.preventDefault();
    const article = el.closest('.activity');
    if (article?.classList.contains('locked')) return;
    const animation = el.dataset.animation;
    if (animation === 'loader' && article) {
      article.classList.add('locked');
      article.insertAdjacentHTML(
        'beforeend',
        '<div class="loader-overlay" data-testid="loader"><div class="spinner"></div></div>',
      );
    } else if (animation === 'disable' && el.matches('[data-button]')) {
      el.disabled = true;
    }
    const click = JSON.parse(el.dataset.click);
    const res = await fetch(timeline.dataset.clickUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...click, userId: Number(timeline.dataset.user) }),
    });
    if (!res.ok && res.status !== 409) console.warn('click failed', res.status, await res.text());
    poll();
  });

  // The portal pushes layout updates to the page; here: poll the rendered activities and swap changed ones.
  let polling = false;
  async function poll() {
    if (polling) return;
    polling = true;
    try {
      const res = await fetch(timeline.dataset.timeline, { cache: 'no-store' });
      if (!res.ok) return;
      const { activities } = await res.json();
      const seen = new Set();
      let previous = null;
      for (const a of activities) {
        seen.add(String(a.id));
        let node = timeline.querySelector(`.activity[data-activity-id="${a.id}"]`);
        if (!node || node.dataset.version !== a.version) {
          const tpl = document.createElement('template');
          tpl.innerHTML = a.html.trim();
          const fresh = tpl.content.firstElementChild;
          if (node) node.replaceWith(fresh);
          else if (previous) previous.after(fresh);
          else timeline.prepend(fresh);
          node = fresh;
        }
        previous = node;
      }
      for (const node of $$('.activity', timeline)) if (!seen.has(node.dataset.activityId)) node.remove();
      const empty = timeline.querySelector('.empty');
      if (empty && activities.length) empty.remove();
    } finally {
      polling = false;
    }
  }
  setInterval(poll, 400);
})();
