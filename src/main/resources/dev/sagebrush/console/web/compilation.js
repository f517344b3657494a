import { sagemaker } from './api.js';
import { h, time, duration, status, dl, errorBox, listView, poll } from './ui.js';
import { readManifest } from './artifact.js';

export function compilationList(root, cleanup) {
  listView(root, sagemaker, {
    title: 'Compilation jobs',
    op: 'ListCompilationJobs',
    itemsKey: 'CompilationJobSummaries',
    defaultSort: 'CreationTime',
    rowKey: (j) => j.CompilationJobName,
    columns: [
      { label: 'Name', sort: 'Name', cell: (j) => h('a', { href: '#/compilation/' + encodeURIComponent(j.CompilationJobName) }, j.CompilationJobName) },
      { label: 'Status', sort: 'Status', cell: (j) => status(j.CompilationJobStatus) },
      { label: 'Target', cell: (j) => j.CompilationTargetDevice || [j.CompilationTargetPlatformOs, j.CompilationTargetPlatformArch].filter(Boolean).join(' / ') || '—' },
      { label: 'Created', sort: 'CreationTime', cell: (j) => time(j.CreationTime) },
      { label: 'Duration', cell: (j) => j.CompilationStartTime ? duration(j.CompilationStartTime, j.CompilationEndTime) : '—' },
    ],
  }, cleanup);
}

export function compilationDetail(root, cleanup, name) {
  const facts = h('div', { class: 'card' }, 'Loading…');
  const manifest = h('div', { class: 'card' }, h('h2', {}, 'Verification'), h('p', { class: 'muted' }, 'Shown once the job has completed.'));
  const actions = h('div', { class: 'actions' });
  root.replaceChildren(h('p', {}, h('a', { href: '#/compilation' }, '‹ Compilation jobs')),
    h('div', { class: 'heading' }, h('h1', {}, name), actions), facts, manifest);
  let manifestShown = false;
  let shown = null;
  async function load() {
    try {
      const j = await sagemaker('DescribeCompilationJob', { CompilationJobName: name });
      const key = JSON.stringify(j);
      if (key === shown) return; // unchanged: keep focus where it is
      shown = key;
      const target = j.OutputConfig?.TargetDevice
        || [j.OutputConfig?.TargetPlatform?.Os, j.OutputConfig?.TargetPlatform?.Arch, j.OutputConfig?.TargetPlatform?.Accelerator].filter(Boolean).join(' / ');
      facts.replaceChildren(h('h2', {}, 'Job'), dl([
        ['Status', status(j.CompilationJobStatus)],
        ['Failure reason', j.FailureReason],
        ['Target', target],
        ['Framework', [j.InputConfig?.Framework, j.InputConfig?.FrameworkVersion].filter(Boolean).join(' ')],
        ['Input', j.InputConfig?.S3Uri],
        ['Output location', j.OutputConfig?.S3OutputLocation],
        ['Created', time(j.CreationTime)],
        ['Started', time(j.CompilationStartTime)],
        ['Ended', time(j.CompilationEndTime)],
        ['Compile time', j.CompilationStartTime ? duration(j.CompilationStartTime, j.CompilationEndTime) : '—'],
        ['Artifact', j.ModelArtifacts?.S3ModelArtifacts],
        ['Artifact digest', j.ModelDigests?.ArtifactDigest],
        ['ARN', j.CompilationJobArn],
      ]));
      const busy = ['INPROGRESS', 'STARTING'].includes(j.CompilationJobStatus);
      actions.replaceChildren(
        j.ModelArtifacts?.S3ModelArtifacts
          ? h('a', { class: 'button', href: '/console/download?kind=compilation&name=' + encodeURIComponent(name), download: '' }, 'Download artifact')
          : '',
        busy ? h('button', { type: 'button', class: 'secondary', onclick: async () => { await sagemaker('StopCompilationJob', { CompilationJobName: name }); load(); } }, 'Stop') : '');
      if (j.CompilationJobStatus === 'COMPLETED' && !manifestShown) {
        manifestShown = true;
        showManifest(manifest, name);
      }
    } catch (e) {
      shown = null;
      facts.replaceChildren(errorBox(e));
    }
  }
  load();
  cleanup(poll(load, 2000));
}

async function showManifest(box, name) {
  box.replaceChildren(h('h2', {}, 'Verification'), h('p', { class: 'muted' }, 'Reading manifest.json from the artifact…'));
  try {
    const m = await readManifest('/console/download?kind=compilation&name=' + encodeURIComponent(name));
    const v = m.verification || {};
    box.replaceChildren(h('h2', {}, 'Verification'), dl([
      ['Result', h('span', { class: 'status ' + (v.status === 'PASSED' || v.status === 'VERIFIED' ? 'ok' : '') , id: 'verification-status' }, v.status || '—')],
      ['Target', [m.target, m.target_arch, m.triple].filter(Boolean).join(' · ')],
      ['Runner', v.runner],
      ['Rows checked', v.rows !== undefined ? String(v.rows) + (v.edge_rows !== undefined ? ' (' + v.edge_rows + ' on split edges)' : '') : undefined],
      ['Reference', v.reference],
      ['Margin mismatches', v.margin_mismatches !== undefined ? String(v.margin_mismatches) : undefined],
      ['Max |Δ| output', v.max_abs_output_diff !== undefined ? String(v.max_abs_output_diff) : undefined],
      ['Backend', [m.backend, m.backend_version].filter(Boolean).join(' ')],
      ['Compiler command', m.compiler_command ? h('code', {}, m.compiler_command) : undefined],
      ['Note', m.note],
    ]));
  } catch (e) {
    box.replaceChildren(h('h2', {}, 'Verification'), errorBox(e));
  }
}
