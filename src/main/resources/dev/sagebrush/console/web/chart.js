// A small line chart in plain SVG: one or more series of (time, value) points, shared axes, a legend. No library:
// what the console draws is simple, and SVG keeps it crisp, accessible (a title and a data table) and CSP-clean.
const NS = 'http://www.w3.org/2000/svg';
const COLORS = ['#2f6f4f', '#c05a2b', '#3a62a8', '#8a4fb0', '#b08a1f', '#1f8a8a'];

function el(tag, attrs, text) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

function fmt(v) {
  if (!Number.isFinite(v)) return '';
  const a = Math.abs(v);
  return a !== 0 && (a < 0.001 || a >= 100000) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

/** series: [{label, points: [[tSeconds, value], ...]}]; returns an <svg>. */
export function lineChart(title, series, { width = 560, height = 240 } = {}) {
  const pad = { l: 56, r: 12, t: 12, b: 28 };
  const all = series.flatMap((s) => s.points);
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart', 'data-points': all.length });
  svg.append(el('title', {}, title + ': ' + series.map((s) => s.label + ' (' + s.points.length + ' points)').join(', ')));
  if (!all.length) {
    svg.append(el('text', { x: width / 2, y: height / 2, 'text-anchor': 'middle', class: 'empty' }, 'No data points yet'));
    return svg;
  }
  let [t0, t1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  let [v0, v1] = [Math.min(...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  if (t1 === t0) { t0 -= 1; t1 += 1; }
  if (v1 === v0) { v0 -= Math.abs(v0) * 0.1 || 1; v1 += Math.abs(v1) * 0.1 || 1; }
  const x = (t) => pad.l + ((t - t0) / (t1 - t0)) * (width - pad.l - pad.r);
  const y = (v) => height - pad.b - ((v - v0) / (v1 - v0)) * (height - pad.t - pad.b);
  for (let i = 0; i <= 4; i++) {
    const v = v0 + ((v1 - v0) * i) / 4;
    svg.append(el('line', { x1: pad.l, x2: width - pad.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(el('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' }, fmt(v)));
  }
  const span = t1 - t0;
  for (const [t, anchor] of [[t0, 'start'], [t1, 'end']]) {
    const label = span < 600 ? '+' + Math.round(t - t0) + ' s' : new Date(t * 1000).toISOString().slice(11, 19);
    svg.append(el('text', { x: x(t), y: height - 8, 'text-anchor': anchor, class: 'axis' }, label));
  }
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = [...s.points].sort((a, b) => a[0] - b[0]);
    svg.append(el('polyline', { points: pts.map((p) => x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1)).join(' '), fill: 'none', stroke: color, 'stroke-width': 2 }));
    if (pts.length <= 60) for (const p of pts) svg.append(el('circle', { cx: x(p[0]), cy: y(p[1]), r: 2.5, fill: color }));
  });
  return svg;
}

export function legend(series) {
  const ul = document.createElement('ul');
  ul.className = 'legend';
  series.forEach((s, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch c' + (i % COLORS.length);
    li.append(sw, document.createTextNode(s.label));
    ul.append(li);
  });
  return ul;
}
