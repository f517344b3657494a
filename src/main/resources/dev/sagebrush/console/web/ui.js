// Small DOM helpers: every value reaches the page as text (textContent / attributes), never as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function time(epochSeconds) {
  if (epochSeconds === undefined || epochSeconds === null) return '—';
  const d = new Date(epochSeconds * 1000);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

export function duration(from, to) {
  if (!from) return '—';
  const s = Math.max(0, Math.round((to || Date.now() / 1000) - from));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

const STATUS_CLASS = {
  completed: 'ok', inservice: 'ok', failed: 'bad', stopped: 'muted', deleting: 'muted',
  inprogress: 'busy', starting: 'busy', pending: 'busy', stopping: 'busy', updating: 'busy',
};
export function status(s) {
  const key = String(s || '').toLowerCase().replace(/_/g, '');
  return h('span', { class: 'status ' + (STATUS_CLASS[key] || '') }, s || '—');
}

export function errorBox(err) {
  return h('p', { class: 'error', role: 'alert' }, (err.type ? err.type + ': ' : '') + err.message);
}

export function dl(pairs) {
  const el = h('dl', { class: 'facts' });
  for (const [k, v] of pairs) {
    if (v === undefined) continue;
    el.append(h('dt', {}, k), h('dd', {}, v === null || v === '' ? '—' : v));
  }
  return el;
}

/** Repeats fn every `ms` while the view is shown and the tab visible; returns a stop function. */
export function poll(fn, ms) {
  let stopped = false;
  let timer = null;
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) {
      try { await fn(); } catch (e) { /* the view shows its own errors */ }
    }
    if (!stopped) timer = setTimeout(tick, ms);
  };
  timer = setTimeout(tick, ms);
  return () => { stopped = true; clearTimeout(timer); };
}

/**
 * A list page driven by a List* operation: sortable columns (SortBy/SortOrder, as the API sorts), pages by NextToken
 * (a stack of tokens for Previous), and a refresh every few seconds of the page in view.
 * spec: { title, op, itemsKey, sortFields: {label: apiValue}, defaultSort, columns: [{label, sort?, cell(item)}],
 *         pageSize, toolbar?, rowKey(item) }
 */
export function listView(root, api, spec, onCleanup) {
  const state = { sortBy: spec.defaultSort, sortOrder: 'Descending', tokens: [undefined], page: 0, nameContains: '' };
  const body = h('tbody');
  const info = h('p', { class: 'muted', 'aria-live': 'polite' });
  const prev = h('button', { type: 'button', class: 'secondary', onclick: () => { state.page--; load(); } }, '‹ Previous');
  const next = h('button', { type: 'button', class: 'secondary', onclick: () => { state.page++; load(); } }, 'Next ›');
  const filter = h('input', { id: 'name-contains', type: 'search', placeholder: 'Name contains…' });
  filter.addEventListener('input', () => {
    state.nameContains = filter.value.trim();
    state.tokens = [undefined];
    state.page = 0;
    load();
  });
  const headRow = h('tr');
  const renderHead = () => {
    headRow.replaceChildren(...spec.columns.map((c) => {
      if (!c.sort) return h('th', { scope: 'col' }, c.label);
      const active = state.sortBy === c.sort;
      const ariaSort = active ? (state.sortOrder === 'Ascending' ? 'ascending' : 'descending') : 'none';
      return h('th', { scope: 'col', 'aria-sort': ariaSort },
        h('button', {
          type: 'button', class: 'sort',
          onclick: () => {
            if (state.sortBy === c.sort) state.sortOrder = state.sortOrder === 'Ascending' ? 'Descending' : 'Ascending';
            else { state.sortBy = c.sort; state.sortOrder = 'Descending'; }
            state.tokens = [undefined];
            state.page = 0;
            load();
          },
        }, c.label, active ? (state.sortOrder === 'Ascending' ? ' ▲' : ' ▼') : ''));
    }));
  };
  let seq = 0;
  let shown = null;
  async function load() {
    const mine = ++seq;
    const input = { SortBy: state.sortBy, SortOrder: state.sortOrder, MaxResults: spec.pageSize || 20 };
    if (state.tokens[state.page]) input.NextToken = state.tokens[state.page];
    if (state.nameContains) input.NameContains = state.nameContains;
    try {
      const out = await api(spec.op, input);
      if (mine !== seq) return;
      const items = out[spec.itemsKey] || [];
      state.tokens[state.page + 1] = out.NextToken;
      // Leave the table alone when nothing changed: focus and selection stay where the user put them.
      const key = JSON.stringify([items, state.sortBy, state.sortOrder, state.page]);
      if (key === shown) {
        info.textContent = info.textContent.replace(/updated .*$/, 'updated ' + new Date().toLocaleTimeString());
        return;
      }
      shown = key;
      renderHead();
      // For the page-load benchmark (bench/console): when the first page of the list is on screen.
      if (!performance.getEntriesByName('sagebrush:list-rendered').length) performance.mark('sagebrush:list-rendered');
      body.replaceChildren(...(items.length ? items.map((it) => h('tr', { 'data-key': spec.rowKey(it) },
        ...spec.columns.map((c) => h('td', {}, c.cell(it)))))
        : [h('tr', {}, h('td', { colspan: spec.columns.length, class: 'muted' }, 'Nothing here yet.'))]));
      prev.disabled = state.page === 0;
      next.disabled = !out.NextToken;
      info.textContent = 'Page ' + (state.page + 1) + ' · ' + items.length + ' shown · updated ' + new Date().toLocaleTimeString();
    } catch (e) {
      shown = null;
      if (mine === seq) body.replaceChildren(h('tr', {}, h('td', { colspan: spec.columns.length }, errorBox(e))));
    }
  }
  root.replaceChildren(
    h('div', { class: 'heading' }, h('h1', {}, spec.title), spec.toolbar || ''),
    h('div', { class: 'card' },
      h('div', { class: 'controls' }, h('label', { for: 'name-contains', class: 'sr-only' }, 'Filter by name'), filter,
        h('span', { class: 'spacer' }), prev, next),
      h('table', { class: 'list', 'aria-label': spec.title }, h('thead', {}, headRow), body),
      info));
  renderHead();
  load();
  onCleanup(poll(load, spec.refreshMs || 3000));
  return { reload: load };
}
