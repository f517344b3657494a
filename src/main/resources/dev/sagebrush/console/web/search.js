import { sagemaker } from './api.js';
import { h, time, status, errorBox } from './ui.js';
import { compareBox } from './training.js';

const OPERATORS = ['Equals', 'NotEquals', 'GreaterThan', 'GreaterThanOrEqualTo', 'LessThan', 'LessThanOrEqualTo',
  'Contains', 'Exists', 'NotExists', 'In'];
const PROPERTIES = ['TrainingJobName', 'TrainingJobStatus', 'SecondaryStatus', 'CreationTime', 'TrainingEndTime',
  'AlgorithmSpecification.TrainingImage', 'ResourceConfig.InstanceType', 'HyperParameters.', 'Metrics.', 'Tags.',
  'InputDataConfig.ChannelName', 'InputDataConfig.DataSource.S3DataSource.S3Uri', 'OutputDataConfig.S3OutputPath',
  'FailureReason'];
const NESTED = ['InputDataConfig', 'FinalMetricDataList', 'SecondaryStatusTransitions'];
let uid = 0;

function labelled(label, control) {
  control.id = control.id || 'f' + (++uid);
  return h('span', { class: 'field' }, h('label', { for: control.id }, label), control);
}

function filterRow(onChange, initial = {}) {
  const name = h('input', { list: 'search-properties', value: initial.Name || '', spellcheck: 'false', class: 'f-name' });
  const op = h('select', { class: 'f-op' }, ...OPERATORS.map((o) => h('option', { value: o, selected: o === (initial.Operator || 'Equals') }, o)));
  const value = h('input', { value: initial.Value || '', class: 'f-value' });
  const row = h('div', { class: 'filter-row' }, labelled('Property', name), labelled('Operator', op), labelled('Value', value));
  const remove = h('button', { type: 'button', class: 'icon', 'aria-label': 'Remove filter', onclick: () => { row.remove(); onChange(); } }, '×');
  row.append(remove);
  for (const c of [name, op, value]) c.addEventListener('input', onChange);
  op.addEventListener('change', () => { value.disabled = op.value === 'Exists' || op.value === 'NotExists'; onChange(); });
  row.read = () => {
    const f = { Name: name.value.trim(), Operator: op.value };
    if (!value.disabled) f.Value = value.value;
    return f;
  };
  return row;
}

function filterList(onChange, addLabel) {
  const rows = h('div', { class: 'filters' });
  const add = h('button', { type: 'button', class: 'secondary small', onclick: () => { const r = filterRow(onChange); rows.append(r); r.querySelector('input').focus(); onChange(); } }, addLabel);
  const box = h('div', {}, rows, add);
  box.read = () => [...rows.children].map((r) => r.read()).filter((f) => f.Name);
  box.addRow = (f) => rows.append(filterRow(onChange, f));
  return box;
}

function group(kind, onChange, remove) {
  const filters = filterList(onChange, 'Add filter to group');
  let head;
  let read;
  if (kind === 'nested') {
    const prop = h('select', {}, ...NESTED.map((n) => h('option', { value: n }, n)));
    prop.addEventListener('change', onChange);
    head = labelled('Nested property (all filters match one element)', prop);
    read = () => ({ NestedPropertyName: prop.value, Filters: filters.read() });
  } else {
    const op = h('select', {}, h('option', { value: 'Or' }, 'Any of (Or)'), h('option', { value: 'And' }, 'All of (And)'));
    op.addEventListener('change', onChange);
    head = labelled('Group matches', op);
    read = () => ({ Operator: op.value, Filters: filters.read() });
  }
  const box = h('fieldset', { class: 'group ' + kind }, h('legend', {}, kind === 'nested' ? 'Nested filter' : 'Group'),
    h('div', { class: 'group-head' }, head, h('button', { type: 'button', class: 'icon', 'aria-label': 'Remove group', onclick: () => { box.remove(); remove(); } }, '×')),
    filters);
  box.read = read;
  box.filters = filters;
  return box;
}

export function searchPage(root) {
  const preview = h('pre', { id: 'expression', class: 'code', 'aria-label': 'Search request sent', tabindex: '0' });
  const results = h('div', { class: 'card', id: 'search-results' }, h('p', { class: 'muted' }, 'Build an expression and run it.'));
  const topOp = h('select', { id: 'top-operator' }, h('option', { value: 'And' }, 'All of the following (And)'), h('option', { value: 'Or' }, 'Any of the following (Or)'));
  const sortBy = h('input', { id: 'sort-by', list: 'search-properties', value: 'CreationTime', spellcheck: 'false' });
  const sortOrder = h('select', { id: 'sort-order' }, h('option', { value: 'Descending' }, 'Descending'), h('option', { value: 'Ascending' }, 'Ascending'));
  const maxResults = h('input', { id: 'max-results', type: 'number', min: '1', max: '100', value: '20' });
  const refresh = () => { preview.textContent = JSON.stringify(request(), null, 2); };
  const filters = filterList(refresh, 'Add filter');
  const nested = h('div', { class: 'groups' });
  const subs = h('div', { class: 'groups' });
  const tokens = [undefined];
  let page = 0;
  function request() {
    const expr = {};
    const f = filters.read();
    if (f.length) expr.Filters = f;
    const n = [...nested.children].map((g) => g.read()).filter((g) => g.Filters.length);
    if (n.length) expr.NestedFilters = n;
    const s = [...subs.children].map((g) => g.read()).filter((g) => g.Filters.length);
    if (s.length) expr.SubExpressions = s;
    if (Object.keys(expr).length) expr.Operator = topOp.value;
    const req = { Resource: 'TrainingJob' };
    if (Object.keys(expr).length) req.SearchExpression = expr;
    if (sortBy.value.trim()) req.SortBy = sortBy.value.trim();
    req.SortOrder = sortOrder.value;
    req.MaxResults = Number(maxResults.value) || 20;
    return req;
  }
  for (const c of [topOp, sortBy, sortOrder, maxResults]) c.addEventListener('input', refresh);
  async function run(p) {
    page = p;
    const req = request();
    if (tokens[page]) req.NextToken = tokens[page];
    preview.textContent = JSON.stringify(req, null, 2);
    results.replaceChildren(h('p', { class: 'muted' }, 'Searching…'));
    try {
      const out = await sagemaker('Search', req);
      tokens[page + 1] = out.NextToken;
      const jobs = (out.Results || []).map((r) => r.TrainingJob).filter(Boolean);
      results.replaceChildren(
        h('p', { class: 'muted', 'aria-live': 'polite', id: 'result-count' }, jobs.length + ' training job' + (jobs.length === 1 ? '' : 's') + ' on this page'),
        h('table', { class: 'list', 'aria-label': 'Search results' },
          h('thead', {}, h('tr', {}, ...['Compare', 'Name', 'Status', 'Created', 'Final metrics'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, ...jobs.map((j) => h('tr', { 'data-key': j.TrainingJobName },
            h('td', {}, compareBox(j.TrainingJobName)),
            h('td', {}, h('a', { href: '#/training/' + encodeURIComponent(j.TrainingJobName) }, j.TrainingJobName)),
            h('td', {}, status(j.TrainingJobStatus)), h('td', {}, time(j.CreationTime)),
            h('td', {}, (j.FinalMetricDataList || []).map((m) => m.MetricName + '=' + m.Value).join(', ')))))),
        h('div', { class: 'controls' },
          h('button', { type: 'button', class: 'secondary', disabled: page === 0, onclick: () => run(page - 1) }, '‹ Previous'),
          h('button', { type: 'button', class: 'secondary', disabled: !out.NextToken, onclick: () => run(page + 1) }, 'Next ›'),
          h('span', { class: 'spacer' }),
          h('a', { class: 'button secondary', href: '#/compare' }, 'Compare selected')));
    } catch (e) {
      results.replaceChildren(errorBox(e));
    }
  }
  const form = h('form', { class: 'card', id: 'search-form', 'aria-label': 'Search expression' },
    h('datalist', { id: 'search-properties' }, ...PROPERTIES.map((p) => h('option', { value: p }))),
    labelled('Match', topOp),
    h('h2', {}, 'Filters'), filters,
    h('h2', {}, 'Nested filters'), nested,
    h('button', { type: 'button', class: 'secondary small', id: 'add-nested', onclick: () => { nested.append(group('nested', refresh, refresh)); nested.lastChild.filters.addRow({}); refresh(); } }, 'Add nested filter'),
    h('h2', {}, 'Groups'), subs,
    h('button', { type: 'button', class: 'secondary small', id: 'add-group', onclick: () => { subs.append(group('sub', refresh, refresh)); subs.lastChild.filters.addRow({}); refresh(); } }, 'Add Or group'),
    h('h2', {}, 'Sort'),
    h('div', { class: 'filter-row sort' }, labelled('Sort by', sortBy), labelled('Order', sortOrder), labelled('Page size', maxResults)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'run-search' }, 'Search')));
  form.addEventListener('submit', (ev) => { ev.preventDefault(); tokens.length = 1; run(0); });
  root.replaceChildren(h('div', { class: 'heading' }, h('h1', {}, 'Search training jobs')),
    h('div', { class: 'grid2 search' }, form, h('div', { class: 'card' }, h('h2', {}, 'Request sent (SageMaker.Search)'), preview)),
    results);
  refresh();
}
