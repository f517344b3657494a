import { call } from './api.js';
import { h, errorBox, poll } from './ui.js';

// Follows a CloudWatch Logs stream the way `aws logs tail --follow` does: GetLogEvents from the head, then again with
// nextForwardToken every second, appending what is new.
export function logPanel(title, group, streamPrefix, cleanup) {
  const pre = h('pre', { class: 'log', tabindex: '0', 'aria-label': title + ' log', 'aria-live': 'off' });
  const note = h('p', { class: 'muted' });
  const box = h('div', { class: 'card' }, h('h2', {}, title), note, pre);
  let stream = null;
  let token = null;
  let lines = 0;
  async function tick() {
    try {
      if (!stream) {
        const s = await call('Logs_20140328.DescribeLogStreams', { logGroupName: group, logStreamNamePrefix: streamPrefix, limit: 1 });
        if (!s.logStreams || !s.logStreams.length) { note.textContent = 'No log stream yet.'; return; }
        stream = s.logStreams[0].logStreamName;
        note.textContent = group + ' › ' + stream;
      }
      const input = { logGroupName: group, logStreamName: stream, startFromHead: true, limit: 1000 };
      if (token) input.nextToken = token;
      const out = await call('Logs_20140328.GetLogEvents', input);
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      for (const e of out.events || []) {
        pre.append(document.createTextNode(e.message.replace(/\n$/, '') + '\n'));
        lines++;
      }
      pre.dataset.lines = String(lines);
      if (atBottom) pre.scrollTop = pre.scrollHeight;
      if (out.nextForwardToken) token = out.nextForwardToken;
    } catch (e) {
      note.replaceChildren(e.type === 'UnknownOperationException' || e.type === 'UnrecognizedClientException'
        ? 'This server does not serve the CloudWatch Logs API.' : errorBox(e));
    }
  }
  tick();
  cleanup(poll(tick, 1000));
  return box;
}
