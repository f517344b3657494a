import { sagemaker } from './api.js';
import { h, status, errorBox, poll } from './ui.js';
import { lineChart, legend } from './chart.js';
import { trainingJobSeries } from './metrics.js';
import { selection } from './selection.js';

export function comparePage(root, cleanup) {
  const names = selection.all();
  if (!names.length) {
    root.replaceChildren(h('div', { class: 'heading' }, h('h1', {}, 'Compare training jobs')),
      h('div', { class: 'card' }, h('p', {}, 'Select training jobs with their Compare boxes on the ',
        h('a', { href: '#/training' }, 'training jobs'), ' or ', h('a', { href: '#/search' }, 'search'), ' page.')));
    return;
  }
  const table = h('div', { class: 'card', id: 'compare-table' }, 'Loading…');
  const charts = h('div', { class: 'card' }, h('h2', {}, 'Metrics'), h('div', { class: 'charts', id: 'compare-charts' }));
  root.replaceChildren(h('div', { class: 'heading' }, h('h1', {}, 'Compare training jobs'),
    h('button', { type: 'button', class: 'secondary', onclick: () => { selection.set([]); comparePage(root, cleanup); } }, 'Clear selection')),
  table, charts);
  async function load() {
    const jobs = await Promise.all(names.map((n) => sagemaker('DescribeTrainingJob', { TrainingJobName: n }).catch((e) => ({ TrainingJobName: n, error: e }))));
    const ok = jobs.filter((j) => !j.error);
    const hpKeys = [...new Set(ok.flatMap((j) => Object.keys(j.HyperParameters || {})))].sort();
    const metricKeys = [...new Set(ok.flatMap((j) => (j.FinalMetricDataList || []).map((m) => m.MetricName)))].sort();
    const row = (label, f) => h('tr', {}, h('th', { scope: 'row' }, label), ...jobs.map((j) => h('td', {}, j.error ? '' : f(j))));
    table.replaceChildren(h('h2', {}, 'Side by side'), h('table', { class: 'list compare', 'aria-label': 'Selected training jobs' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, ''), ...jobs.map((j) => h('th', { scope: 'col' },
        h('a', { href: '#/training/' + encodeURIComponent(j.TrainingJobName) }, j.TrainingJobName))))),
      h('tbody', {},
        row('Status', (j) => status(j.TrainingJobStatus)),
        ...metricKeys.map((k) => row(k, (j) => String((j.FinalMetricDataList || []).find((m) => m.MetricName === k)?.Value ?? '—'))),
        ...hpKeys.map((k) => row('hp: ' + k, (j) => (j.HyperParameters || {})[k] ?? '—')))),
    ...jobs.filter((j) => j.error).map((j) => errorBox(j.error)));
    try {
      const perJob = await Promise.all(ok.map((j) => trainingJobSeries(j)));
      const metricNames = [...new Set(perJob.flatMap((s) => Object.keys(s)))].sort();
      const box = charts.querySelector('.charts');
      box.replaceChildren(...(metricNames.length ? metricNames.map((m) => {
        const series = ok.map((j, i) => ({ label: j.TrainingJobName, points: perJob[i][m] || [] }));
        // Each job's series from its own start, so runs line up.
        for (const s of series) { const t0 = s.points.length ? Math.min(...s.points.map((p) => p[0])) : 0; s.points = s.points.map(([t, v]) => [t - t0, v]); }
        return h('figure', { class: 'chart-box', 'data-metric': m }, h('figcaption', {}, m), lineChart(m, series), legend(series));
      }) : [h('p', { class: 'muted' }, 'No metric series yet.')]));
    } catch (e) {
      charts.querySelector('.charts').replaceChildren(e.type === 'UnknownOperationException' || e.type === 'UnrecognizedClientException'
        ? h('p', { class: 'muted' }, 'This server does not serve the CloudWatch metrics API; final metrics are in the table above.') : errorBox(e));
    }
  }
  load();
  cleanup(poll(load, 5000));
}
