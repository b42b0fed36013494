// Small SVG plotting helpers for the HTML report: every figure is a self-contained SVG string (no
// DOM, no script, no external resources) whose root carries `data-figure="<id>"` and a <title>.
// Scales come from d3-scale, path strings from d3-shape; all numbers are written with a fixed
// number of decimals so the output is byte-for-byte deterministic.
import { scaleLinear, scaleLog } from 'd3-scale';
import { line } from 'd3-shape';

/** Tableau 10: distinguishable, and readable in print. */
export const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Fixed-decimal formatting; never "-0.0", never NaN/Infinity text (those become `nonFinite`). */
export function fmt(x: number, digits = 1, nonFinite = 'n/a'): string {
  if (!Number.isFinite(x)) return nonFinite;
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** SVG coordinate: one decimal. */
const c = (x: number) => fmt(x, 1, '0');

/** A frequency tick label: 20, 500, 1k, 2.5k, 20k. */
export function fmtHz(hz: number): string {
  if (hz >= 1000) {
    const k = hz / 1000;
    return `${Number.isInteger(k) ? k.toFixed(0) : fmt(k, 1)}k`;
  }
  return fmt(hz, 0);
}

export interface SvgDocument {
  id: string;
  title: string;
  width: number;
  height: number;
  body: string;
}

/** The root element every figure uses. */
export function svgDocument(d: SvgDocument): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" data-figure="${escapeXml(d.id)}" viewBox="0 0 ${d.width} ${d.height}" width="${d.width}" height="${d.height}" role="img" font-family="sans-serif" font-size="11">` +
    `<title>${escapeXml(d.title)}</title>${d.body}</svg>`
  );
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: 'bold';
  fill?: string;
  rotate?: number;
  baseline?: 'middle' | 'hanging';
}

export function svgText(x: number, y: number, s: string, o: TextOptions = {}): string {
  const attrs = [`x="${c(x)}"`, `y="${c(y)}"`];
  if (o.anchor && o.anchor !== 'start') attrs.push(`text-anchor="${o.anchor}"`);
  if (o.size) attrs.push(`font-size="${o.size}"`);
  if (o.weight) attrs.push(`font-weight="${o.weight}"`);
  if (o.fill) attrs.push(`fill="${o.fill}"`);
  if (o.baseline === 'middle') attrs.push('dominant-baseline="middle"');
  if (o.baseline === 'hanging') attrs.push('dominant-baseline="hanging"');
  if (o.rotate) attrs.push(`transform="rotate(${o.rotate} ${c(x)} ${c(y)})"`);
  return `<text ${attrs.join(' ')}>${escapeXml(s)}</text>`;
}

export function svgLine(x1: number, y1: number, x2: number, y2: number, stroke: string, o: { width?: number; dash?: string } = {}): string {
  return `<line x1="${c(x1)}" y1="${c(y1)}" x2="${c(x2)}" y2="${c(y2)}" stroke="${stroke}"${o.width ? ` stroke-width="${o.width}"` : ''}${o.dash ? ` stroke-dasharray="${o.dash}"` : ''}/>`;
}

export interface Series {
  label: string;
  /** [x, y] in data units; non-finite y leaves a gap. */
  points: [number, number][];
  color?: string;
  /** stroke-dasharray, e.g. "6 3". */
  dash?: string;
  width?: number;
  /** Draw a dot at every point (for band values). */
  markers?: boolean;
}

export interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  width?: number;
  markers?: boolean;
  /** A filled swatch instead of a line (bars, areas). */
  swatch?: boolean;
}

/** Legend as a column of entries starting at (x, y). */
function legend(items: LegendItem[], x: number, y: number, maxWidthChars = 28): string {
  return items
    .map((it, i) => {
      const yy = y + i * 16;
      const label = it.label.length > maxWidthChars ? `${it.label.slice(0, maxWidthChars - 1)}…` : it.label;
      const mark = it.swatch
        ? `<rect x="${c(x)}" y="${c(yy - 5)}" width="20" height="10" fill="${it.color}"/>`
        : svgLine(x, yy, x + 20, yy, it.color, { width: it.width ?? 1.5, dash: it.dash }) + (it.markers ? `<circle cx="${c(x + 10)}" cy="${c(yy)}" r="2.5" fill="${it.color}"/>` : '');
      return `${mark}${svgText(x + 26, yy, label, { baseline: 'middle' })}`;
    })
    .join('');
}

/** 1, 2, 5 x 10^k ticks inside [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const t = m * 10 ** e;
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(Number(t.toPrecision(6)));
    }
  }
  return ticks;
}

/** Every integer multiple of 10^k inside [lo, hi] (minor grid of a log axis). */
function logMinorTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (let m = 1; m <= 9; m++) {
      const t = m * 10 ** e;
      if (t >= lo && t <= hi) ticks.push(t);
    }
  }
  return ticks;
}

export interface LogFrequencyPlotOptions {
  id: string;
  title: string;
  series: Series[];
  xDomainHz: [number, number];
  /** Default: from the data, rounded out to 10 dB. */
  yDomainDb?: [number, number];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Horizontal reference lines (e.g. a bar). */
  hLines?: { y: number; label: string; color?: string }[];
  /** Vertical reference spans (e.g. a band of interest), shaded. */
  spans?: { x0: number; x1: number; label: string }[];
}

/** Rounded-out y domain of the finite values, at least `minSpan` wide. */
export function autoDomain(values: number[], step = 10, minSpan = 20, floor = -Infinity): [number, number] {
  const finite = values.filter(Number.isFinite).map((v) => Math.max(v, floor));
  if (finite.length === 0) return [-minSpan, 0];
  let lo = Math.floor(Math.min(...finite) / step) * step;
  let hi = Math.ceil(Math.max(...finite) / step) * step;
  if (hi - lo < minSpan) {
    const mid = (hi + lo) / 2;
    lo = Math.floor((mid - minSpan / 2) / step) * step;
    hi = lo + Math.ceil(minSpan / step) * step;
  }
  return [lo, hi];
}

/** Line plot with a log-frequency x axis and a dB y axis: grid, axis labels, legend at the right. */
export function logFrequencyPlot(o: LogFrequencyPlotOptions): string {
  const width = o.width ?? 760, height = o.height ?? 340;
  const legendWidth = 190;
  const m = { left: 56, right: legendWidth + 16, top: 28, bottom: 44 };
  const x = scaleLog().domain(o.xDomainHz).range([m.left, width - m.right]);
  const yDomain = o.yDomainDb ?? autoDomain(o.series.flatMap((s) => s.points.map((p) => p[1])));
  const y = scaleLinear().domain(yDomain).range([height - m.bottom, m.top]);
  const [x0, x1] = x.range();
  const [yb, yt] = y.range();
  const clipId = `clip-${o.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const parts: string[] = [];
  parts.push(`<defs><clipPath id="${escapeXml(clipId)}"><rect x="${c(x0)}" y="${c(yt)}" width="${c(x1 - x0)}" height="${c(yb - yt)}"/></clipPath></defs>`);
  parts.push(`<rect x="${c(x0)}" y="${c(yt)}" width="${c(x1 - x0)}" height="${c(yb - yt)}" fill="#fff" stroke="#888"/>`);
  for (const s of o.spans ?? []) {
    const a = x(Math.max(s.x0, o.xDomainHz[0])), b = x(Math.min(s.x1, o.xDomainHz[1]));
    parts.push(`<rect x="${c(a)}" y="${c(yt)}" width="${c(b - a)}" height="${c(yb - yt)}" fill="#f3f0e6"/>`);
    parts.push(svgText((a + b) / 2, yt + 11, s.label, { anchor: 'middle', size: 10, fill: '#776' }));
  }
  for (const t of logMinorTicks(o.xDomainHz[0], o.xDomainHz[1])) parts.push(svgLine(x(t), yt, x(t), yb, '#eee'));
  for (const t of logTicks(o.xDomainHz[0], o.xDomainHz[1])) {
    parts.push(svgLine(x(t), yt, x(t), yb, '#ccc'));
    parts.push(svgText(x(t), yb + 14, fmtHz(t), { anchor: 'middle' }));
  }
  const yTicks = y.ticks(8);
  const yDigits = yTicks.every(Number.isInteger) ? 0 : 1;
  for (const t of yTicks) {
    parts.push(svgLine(x0, y(t), x1, y(t), '#ddd'));
    parts.push(svgText(x0 - 6, y(t), fmt(t, yDigits), { anchor: 'end', baseline: 'middle' }));
  }
  parts.push(`<rect x="${c(x0)}" y="${c(yt)}" width="${c(x1 - x0)}" height="${c(yb - yt)}" fill="none" stroke="#888"/>`);
  const clampY = (v: number) => Math.max(yDomain[0] - 1e3, Math.min(yDomain[1] + 1e3, v));
  const path = line<[number, number]>()
    .defined((p) => Number.isFinite(p[1]) && p[0] > 0)
    .x((p) => x(p[0]))
    .y((p) => y(clampY(p[1])))
    .digits(1);
  const series = o.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length] }));
  const plotted: string[] = [];
  for (const h of o.hLines ?? []) {
    plotted.push(svgLine(x0, y(h.y), x1, y(h.y), h.color ?? '#444', { dash: '2 3' }));
  }
  for (const s of series) {
    plotted.push(`<path d="${path(s.points) ?? ''}" fill="none" stroke="${s.color}" stroke-width="${s.width ?? 1.5}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    if (s.markers) {
      for (const p of s.points) if (Number.isFinite(p[1])) plotted.push(`<circle cx="${c(x(p[0]))}" cy="${c(y(clampY(p[1])))}" r="2.5" fill="${s.color}"/>`);
    }
  }
  parts.push(`<g clip-path="url(#${escapeXml(clipId)})">${plotted.join('')}</g>`);
  parts.push(svgText((x0 + x1) / 2, height - 8, o.xLabel ?? 'frequency (Hz)', { anchor: 'middle' }));
  parts.push(svgText(14, (yt + yb) / 2, o.yLabel ?? 'magnitude (dB)', { anchor: 'middle', rotate: -90 }));
  parts.push(svgText(x0, 16, o.title, { weight: 'bold', size: 12 }));
  const items: LegendItem[] = [
    ...series.map((s) => ({ label: s.label, color: s.color, dash: s.dash, width: s.width, markers: s.markers })),
    ...(o.hLines ?? []).map((h) => ({ label: h.label, color: h.color ?? '#444', dash: '2 3' })),
  ];
  parts.push(legend(items, width - legendWidth, yt + 8));
  return svgDocument({ id: o.id, title: o.title, width, height, body: parts.join('') });
}

export interface PolarSeries {
  label: string;
  anglesDeg: number[];
  db: number[];
  color?: string;
  dash?: string;
}

export interface PolarPlotOptions {
  id: string;
  title: string;
  series: PolarSeries[];
  /** Radius range: values below the minimum sit at the centre. */
  dbRange: [number, number];
  ringStepDb?: number;
  /** Marked directions (e.g. the null directions), degrees. */
  markersDeg?: { deg: number; label: string }[];
  size?: number;
  /** Label of the 0 degree direction. */
  zeroLabel?: string;
}

/**
 * Polar plot seen from above: 0 degrees at the top, angles counter-clockwise (so +90 is on the
 * left), radius in dB.
 */
export function polarPlot(o: PolarPlotOptions): string {
  const size = o.size ?? 420;
  const legendWidth = 170;
  const width = size + legendWidth, height = size + 20;
  const cx = size / 2, cy = size / 2 + 16, R = size / 2 - 40;
  const r = scaleLinear().domain(o.dbRange).range([0, R]).clamp(true);
  const toXY = (deg: number, db: number): [number, number] => {
    const a = (deg * Math.PI) / 180;
    const rr = r(Number.isFinite(db) ? db : o.dbRange[0]);
    return [cx - rr * Math.sin(a), cy - rr * Math.cos(a)];
  };
  const parts: string[] = [];
  const step = o.ringStepDb ?? 10;
  for (let db = o.dbRange[1]; db >= o.dbRange[0] - 1e-9; db -= step) {
    parts.push(`<circle cx="${c(cx)}" cy="${c(cy)}" r="${c(r(db))}" fill="none" stroke="${db === o.dbRange[1] ? '#888' : '#ddd'}"/>`);
    parts.push(svgText(cx + 3, cy - r(db) - 2, `${fmt(db, 0)} dB`, { size: 9, fill: '#666' }));
  }
  for (let deg = -150; deg <= 180; deg += 30) {
    const [px, py] = toXY(deg, o.dbRange[1]);
    parts.push(svgLine(cx, cy, px, py, '#e4e4e4'));
    const [lx, ly] = [cx - (R + 14) * Math.sin((deg * Math.PI) / 180), cy - (R + 14) * Math.cos((deg * Math.PI) / 180)];
    parts.push(svgText(lx, ly, `${deg}°`, { anchor: 'middle', baseline: 'middle', size: 10 }));
  }
  for (const mk of o.markersDeg ?? []) {
    const [px, py] = toXY(mk.deg, o.dbRange[1]);
    parts.push(svgLine(cx, cy, px, py, '#c33', { dash: '4 3' }));
  }
  const path = line<[number, number]>().x((p) => p[0]).y((p) => p[1]).digits(1);
  const series = o.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length] }));
  for (const s of series) {
    const pts = s.anglesDeg.map((a, k) => toXY(a, s.db[k]));
    parts.push(`<path d="${path(pts) ?? ''}Z" fill="none" stroke="${s.color}" stroke-width="1.5"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
  }
  parts.push(svgText(8, 14, o.title, { weight: 'bold', size: 12 }));
  if (o.zeroLabel) parts.push(svgText(cx, cy - R - 26, o.zeroLabel, { anchor: 'middle', size: 10, fill: '#444' }));
  const items: LegendItem[] = [
    ...series.map((s) => ({ label: s.label, color: s.color, dash: s.dash })),
    ...(o.markersDeg ?? []).map((mk) => ({ label: mk.label, color: '#c33', dash: '4 3' })),
  ];
  parts.push(legend(items, size + 10, 40, 22));
  return svgDocument({ id: o.id, title: o.title, width, height, body: parts.join('') });
}

export interface BarChartOptions {
  id: string;
  title: string;
  categories: string[];
  /** One bar per category per group (grouped horizontal bars). */
  groups: { label: string; values: number[]; color?: string }[];
  xLabel: string;
  /** Value axis domain; default from the data (including 0). */
  domain?: [number, number];
  /** Vertical reference lines (bars to meet). */
  thresholds?: { value: number; label: string; color?: string }[];
  valueDigits?: number;
  width?: number;
}

/** Horizontal grouped bar chart: one row per category, values printed at the bar ends. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 760;
  const groups = o.groups.map((g, i) => ({ ...g, color: g.color ?? PALETTE[i % PALETTE.length] }));
  const barH = 12, gap = 2, rowGap = 8;
  const rowH = groups.length * (barH + gap) + rowGap;
  const m = { left: 150, right: 200, top: 30, bottom: 40 };
  const height = m.top + m.bottom + rowH * o.categories.length;
  const all = [0, ...groups.flatMap((g) => g.values.filter(Number.isFinite)), ...(o.thresholds ?? []).map((t) => t.value)];
  const domain = o.domain ?? (autoDomain(all, 5, 10) as [number, number]);
  const x = scaleLinear().domain(domain).range([m.left, width - m.right]).clamp(true);
  const [x0, x1] = x.range();
  const yb = height - m.bottom;
  const parts: string[] = [];
  for (const t of x.ticks(8)) {
    parts.push(svgLine(x(t), m.top, x(t), yb, '#e4e4e4'));
    parts.push(svgText(x(t), yb + 14, fmt(t, Number.isInteger(t) ? 0 : 1), { anchor: 'middle' }));
  }
  const digits = o.valueDigits ?? 1;
  o.categories.forEach((cat, ci) => {
    const top = m.top + ci * rowH + rowGap / 2;
    parts.push(svgText(x0 - 8, top + (groups.length * (barH + gap)) / 2, cat, { anchor: 'end', baseline: 'middle' }));
    groups.forEach((g, gi) => {
      const v = g.values[ci];
      const yy = top + gi * (barH + gap);
      if (!Number.isFinite(v)) {
        parts.push(svgText(x(0) + 4, yy + barH / 2, 'n/a', { baseline: 'middle', size: 10 }));
        return;
      }
      const a = x(Math.min(0, v)), b = x(Math.max(0, v));
      parts.push(`<rect x="${c(a)}" y="${c(yy)}" width="${c(Math.max(b - a, 0.5))}" height="${barH}" fill="${g.color}"/>`);
      const label = `${fmt(v, digits)}`;
      parts.push(v >= 0 ? svgText(b + 4, yy + barH / 2, label, { baseline: 'middle', size: 10 }) : svgText(a - 4, yy + barH / 2, label, { anchor: 'end', baseline: 'middle', size: 10 }));
    });
  });
  parts.push(svgLine(x(0), m.top, x(0), yb, '#444'));
  for (const t of o.thresholds ?? []) parts.push(svgLine(x(t.value), m.top, x(t.value), yb, t.color ?? '#c33', { dash: '4 3', width: 1.5 }));
  parts.push(svgText((x0 + x1) / 2, height - 8, o.xLabel, { anchor: 'middle' }));
  parts.push(svgText(8, 16, o.title, { weight: 'bold', size: 12 }));
  const items: LegendItem[] = [
    ...groups.map((g) => ({ label: g.label, color: g.color, swatch: true })),
    ...(o.thresholds ?? []).map((t) => ({ label: t.label, color: t.color ?? '#c33', dash: '4 3', width: 1.5 })),
  ];
  parts.push(legend(items, width - m.right + 40, m.top + 8, 24));
  return svgDocument({ id: o.id, title: o.title, width, height, body: parts.join('') });
}

export interface HeatMapOptions {
  id: string;
  title: string;
  rows: string[];
  cols: string[];
  /** values[row][col]; null = no value (drawn grey). */
  values: (number | null)[][];
  /** Colour scale domain [low, high]. */
  colorDomain: [number, number];
  /** Colours spread evenly from low to high; default diverging red (low) to blue (high, better). */
  colors?: string[];
  unit: string;
  /** Cell text; default fixed one decimal. */
  format?: (v: number) => string;
  xLabel?: string;
  yLabel?: string;
  cellWidth?: number;
  cellHeight?: number;
  /** Print the value in every cell (default true). */
  cellText?: boolean;
  /** Label every n-th column (default 1). */
  colLabelEvery?: number;
}

const HEAT_COLORS = ['#b2182b', '#f4a582', '#f7f7f7', '#92c5de', '#2166ac'];

/** Heat map: rows x columns of coloured cells with a colour bar. */
export function heatMap(o: HeatMapOptions): string {
  const cw = o.cellWidth ?? 70, ch = o.cellHeight ?? 24;
  const m = { left: 110, right: 90, top: 34, bottom: 46 };
  const width = m.left + m.right + cw * o.cols.length;
  const height = m.top + m.bottom + ch * o.rows.length;
  const [lo, hi] = o.colorDomain;
  const colors = o.colors ?? HEAT_COLORS;
  const scale = scaleLinear<string>()
    .domain(colors.map((_, i) => lo + ((hi - lo) * i) / (colors.length - 1)))
    .range(colors)
    .clamp(true);
  const color = (v: number) => scale(Math.max(lo, Math.min(hi, v)));
  const format = o.format ?? ((v: number) => fmt(v, 1));
  const every = o.colLabelEvery ?? 1;
  const parts: string[] = [];
  o.rows.forEach((row, ri) => {
    const yy = m.top + ri * ch;
    parts.push(svgText(m.left - 6, yy + ch / 2, row, { anchor: 'end', baseline: 'middle' }));
    o.cols.forEach((_, ci) => {
      const v = o.values[ri]?.[ci] ?? null;
      const xx = m.left + ci * cw;
      const fill = v === null || Number.isNaN(v) ? '#ccc' : color(v);
      parts.push(`<rect x="${c(xx)}" y="${c(yy)}" width="${c(cw)}" height="${c(ch)}" fill="${fill}"${o.cellText !== false ? ' stroke="#fff" stroke-width="0.5"' : ''}/>`);
      if (o.cellText !== false) parts.push(svgText(xx + cw / 2, yy + ch / 2, v === null ? '–' : format(v), { anchor: 'middle', baseline: 'middle', size: 10 }));
    });
  });
  o.cols.forEach((col, ci) => {
    if (ci % every !== 0) return;
    parts.push(svgText(m.left + ci * cw + cw / 2, m.top + ch * o.rows.length + 14, col, { anchor: 'middle', size: 10 }));
  });
  // Colour bar.
  const barX = width - m.right + 20, barH = Math.max(ch * o.rows.length, 60), steps = 20;
  for (let i = 0; i < steps; i++) {
    const v = hi - ((hi - lo) * (i + 0.5)) / steps;
    parts.push(`<rect x="${c(barX)}" y="${c(m.top + (barH * i) / steps)}" width="14" height="${c(barH / steps + 0.5)}" fill="${color(v)}"/>`);
  }
  parts.push(svgText(barX + 18, m.top + 4, `${format(hi)} ${o.unit}`, { size: 9, baseline: 'middle' }));
  parts.push(svgText(barX + 18, m.top + barH - 4, `${format(lo)} ${o.unit}`, { size: 9, baseline: 'middle' }));
  if (o.xLabel) parts.push(svgText(m.left + (cw * o.cols.length) / 2, height - 10, o.xLabel, { anchor: 'middle' }));
  if (o.yLabel) parts.push(svgText(12, m.top + (ch * o.rows.length) / 2, o.yLabel, { anchor: 'middle', rotate: -90 }));
  parts.push(svgText(8, 16, o.title, { weight: 'bold', size: 12 }));
  return svgDocument({ id: o.id, title: o.title, width: Math.max(width, 300), height: Math.max(height, m.top + 60 + m.bottom), body: parts.join('') });
}
