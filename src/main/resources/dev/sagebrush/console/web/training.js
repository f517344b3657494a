import { sagemaker } from './api.js';
import { h, time, duration, status, dl, errorBox, listView, poll } from './ui.js';
import { lineChart, legend } from './chart.js';
import { trainingJobSeries } from './metrics.js';
import { logPanel } from './logs.js';
import { selection } from './selection.js';

export function compareBox(name, visible) {
  const id = 'cmp-' + name;
  const box = h('input', { type: 'checkbox', id, checked: selection.has(name) });
  box.addEventListener('change', () => (box.checked ? selection.add(name) : selection.delete(name)));
  return h('span', { class: 'check' }, box, visible
    ? h('label', { for: id, class: 'inline' }, 'Add to comparison')
    : h('label', { for: id, class: 'sr-only' }, 'Compare ' + name));
}

export function trainingList(root, cleanup) {
  listView(root, sagemaker, {
    title: 'Training jobs',
    op: 'ListTrainingJobs',
    itemsKey: 'TrainingJobSummaries',
    defaultSort: 'CreationTime',
    rowKey: (j) => j.TrainingJobName,
    toolbar: h('a', { class: 'button secondary', href: '#/compare', id: 'compare-selected' }, 'Compare selected'),
    columns: [
      { label: 'Compare', cell: (j) => compareBox(j.TrainingJobName) },
      { label: 'Name', sort: 'Name', cell: (j) => h('a', { href: '#/training/' + encodeURIComponent(j.TrainingJobName) }, j.TrainingJobName) },
      { label: 'Status', sort: 'Status', cell: (j) => status(j.TrainingJobStatus) },
      { label: 'Created', sort: 'CreationTime', cell: (j) => time(j.CreationTime) },
      { label: 'Duration', cell: (j) => duration(j.CreationTime, j.TrainingEndTime) },
    ],
  }, cleanup);
}

function timeline(transitions) {
  if (!transitions || !transitions.length) return h('p', { class: 'muted' }, 'No transitions yet.');
  return h('ol', { class: 'timeline' }, ...transitions.map((t) => h('li', {},
    h('span', { class: 'when' }, time(t.StartTime)), status(t.Status),
    h('span', { class: 'dur' }, t.EndTime ? duration(t.StartTime, t.EndTime) : 'now'),
    t.StatusMessage ? h('div', { class: 'muted' }, t.StatusMessage) : '')));
}

export function metricCharts(box, series) {
  const names = Object.keys(series).sort();
  if (!names.length) {
    box.replaceChildren(h('p', { class: 'muted' }, 'No metric series yet.'));
    return;
  }
  box.replaceChildren(...names.map((n) => h('figure', { class: 'chart-box', 'data-metric': n },
    h('figcaption', {}, n + ' · ' + series[n].length + ' points'),
    lineChart(n, [{ label: n, points: series[n] }]))));
}

export function trainingDetail(root, cleanup, name) {
  const facts = h('div', { class: 'card' }, 'Loading…');
  const actions = h('div', { class: 'actions' });
  const timelineBox = h('div', { class: 'card' }, h('h2', {}, 'Secondary status'));
  const hpBox = h('div', { class: 'card' }, h('h2', {}, 'Hyperparameters'));
  const chartsInner = h('div', { class: 'charts', id: 'metric-charts' }, h('p', { class: 'muted' }, 'Loading metrics…'));
  const chartsBox = h('div', { class: 'card' }, h('h2', {}, 'Metrics'), chartsInner);
  const logs = logPanel('Logs', '/aws/sagemaker/TrainingJobs', name + '/algo-1', cleanup);
  root.replaceChildren(h('p', {}, h('a', { href: '#/training' }, '‹ Training jobs')),
    h('div', { class: 'heading' }, h('h1', {}, name), compareBox(name, true), actions),
    h('div', { class: 'grid2' }, facts, timelineBox), chartsBox, h('div', { class: 'grid2' }, hpBox, logs));
  let last = null;
  let shown = null;
  async function load() {
    let j;
    try {
      j = await sagemaker('DescribeTrainingJob', { TrainingJobName: name });
    } catch (e) {
      shown = null;
      facts.replaceChildren(errorBox(e));
      return;
    }
    const key = JSON.stringify(j);
    const running = ['InProgress', 'Stopping'].includes(j.TrainingJobStatus);
    if (key === shown && !running) return; // unchanged and finished: nothing to redraw
    shown = key;
    facts.replaceChildren(h('h2', {}, 'Job'), dl([
      ['Status', status(j.TrainingJobStatus)],
      ['Secondary status', j.SecondaryStatus],
      ['Failure reason', j.FailureReason],
      ['Image', j.AlgorithmSpecification?.TrainingImage],
      ['Instance', j.ResourceConfig ? j.ResourceConfig.InstanceType + ' × ' + j.ResourceConfig.InstanceCount : undefined],
      ['Created', time(j.CreationTime)],
      ['Training time', j.TrainingStartTime ? duration(j.TrainingStartTime, j.TrainingEndTime) : '—'],
      ['Final metrics', (j.FinalMetricDataList || []).map((m) => m.MetricName + ' = ' + m.Value).join(', ')],
      ['Model artifact', j.ModelArtifacts?.S3ModelArtifacts
        ? h('a', { href: '/console/download?kind=training&name=' + encodeURIComponent(name), download: '' }, j.ModelArtifacts.S3ModelArtifacts) : undefined],
      ['ARN', j.TrainingJobArn],
    ]));
    timelineBox.replaceChildren(h('h2', {}, 'Secondary status'), timeline(j.SecondaryStatusTransitions));
    const hp = Object.entries(j.HyperParameters || {}).sort();
    hpBox.replaceChildren(h('h2', {}, 'Hyperparameters'), hp.length
      ? h('table', { class: 'list compact', 'aria-label': 'Hyperparameters' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
        h('tbody', {}, ...hp.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v)))))
      : h('p', { class: 'muted' }, 'None.'));
    actions.replaceChildren(running ? h('button', { type: 'button', class: 'secondary', onclick: async () => {
      await sagemaker('StopTrainingJob', { TrainingJobName: name }); load(); } }, 'Stop') : '');
    // Charts: refreshed while the job runs, once more after it ends.
    if (running || last !== j.TrainingJobStatus) {
      try {
        metricCharts(chartsInner, await trainingJobSeries(j));
      } catch (e) {
        chartsInner.replaceChildren(e.type === 'UnknownOperationException' || e.type === 'UnrecognizedClientException'
          ? h('p', { class: 'muted' }, 'This server does not serve the CloudWatch metrics API.') : errorBox(e));
      }
    }
    last = j.TrainingJobStatus;
  }
  load();
  cleanup(poll(load, 2000));
}
