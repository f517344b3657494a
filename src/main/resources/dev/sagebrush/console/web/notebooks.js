import { sagemaker } from './api.js';
import { h, time, status, dl, errorBox, listView, poll } from './ui.js';
import { logPanel } from './logs.js';

async function openNotebook(name, button) {
  button.disabled = true;
  try {
    const out = await sagemaker('CreatePresignedNotebookInstanceUrl', { NotebookInstanceName: name, SessionExpirationDurationInSeconds: 43200 });
    // A new browsing context without a reference back to the console.
    window.open(out.AuthorizedUrl, '_blank', 'noopener');
  } catch (e) {
    button.after(errorBox(e));
  } finally {
    button.disabled = false;
  }
}

export function notebookList(root, cleanup) {
  listView(root, sagemaker, {
    title: 'Notebook instances',
    op: 'ListNotebookInstances',
    itemsKey: 'NotebookInstances',
    defaultSort: 'CreationTime',
    rowKey: (n) => n.NotebookInstanceName,
    columns: [
      { label: 'Name', sort: 'Name', cell: (n) => h('a', { href: '#/notebooks/' + encodeURIComponent(n.NotebookInstanceName) }, n.NotebookInstanceName) },
      { label: 'Status', sort: 'Status', cell: (n) => status(n.NotebookInstanceStatus) },
      { label: 'Instance type', cell: (n) => n.InstanceType },
      { label: 'Created', sort: 'CreationTime', cell: (n) => time(n.CreationTime) },
      { label: 'Actions', cell: (n) => n.NotebookInstanceStatus === 'InService'
        ? h('button', { type: 'button', class: 'small', onclick: (ev) => openNotebook(n.NotebookInstanceName, ev.currentTarget) }, 'Open Jupyter')
        : '' },
    ],
  }, cleanup);
}

export function notebookDetail(root, cleanup, name) {
  const facts = h('div', { class: 'card' }, 'Loading…');
  const actions = h('div', { class: 'actions' });
  const G = '/aws/sagemaker/NotebookInstances';
  root.replaceChildren(h('p', {}, h('a', { href: '#/notebooks' }, '‹ Notebook instances')),
    h('div', { class: 'heading' }, h('h1', {}, name), actions), facts,
    h('div', { class: 'grid2' },
      logPanel('Lifecycle: on create', G, name + '/LifecycleConfigOnCreate', cleanup),
      logPanel('Lifecycle: on start', G, name + '/LifecycleConfigOnStart', cleanup)));
  let shown = null;
  async function load() {
    try {
      const n = await sagemaker('DescribeNotebookInstance', { NotebookInstanceName: name });
      facts.replaceChildren(h('h2', {}, 'Instance'), dl([
        ['Status', status(n.NotebookInstanceStatus)],
        ['Failure reason', n.FailureReason],
        ['Instance type', n.InstanceType],
        ['Volume', n.VolumeSizeInGB ? n.VolumeSizeInGB + ' GB' : undefined],
        ['Root access', n.RootAccess],
        ['Direct internet access', n.DirectInternetAccess],
        ['Lifecycle config', n.NotebookInstanceLifecycleConfigName],
        ['Default code repository', n.DefaultCodeRepository],
        ['Created', time(n.CreationTime)],
        ['Last modified', time(n.LastModifiedTime)],
        ['ARN', n.NotebookInstanceArn],
      ]));
      if (shown === n.NotebookInstanceStatus) return;
      shown = n.NotebookInstanceStatus;
      const act = (label, op, cls) => h('button', { type: 'button', class: cls || 'secondary', onclick: async (ev) => {
        ev.currentTarget.disabled = true;
        try { await sagemaker(op, { NotebookInstanceName: name }); } catch (e) { actions.append(errorBox(e)); }
        shown = null;
        load();
      } }, label);
      actions.replaceChildren(
        n.NotebookInstanceStatus === 'InService' ? h('button', { type: 'button', id: 'open-jupyter', onclick: (ev) => openNotebook(name, ev.currentTarget) }, 'Open Jupyter') : '',
        n.NotebookInstanceStatus === 'InService' ? act('Stop', 'StopNotebookInstance') : '',
        n.NotebookInstanceStatus === 'Stopped' || n.NotebookInstanceStatus === 'Failed' ? act('Start', 'StartNotebookInstance', 'primary') : '');
    } catch (e) {
      facts.replaceChildren(errorBox(e));
    }
  }
  load();
  cleanup(poll(load, 2000));
}
