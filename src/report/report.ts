// generated/<name>/report.html: one self-contained page (inline CSS and SVG, no script, no
// external resources) for the firmware engineer: what the design achieves against its bars, where
// the drivers and the listener are, what every channel path does, how much the fixed-point program
// costs and how far it is from the float design. Pure: everything comes in through ReportInput,
// and the same input gives the same bytes (no timestamps, fixed number formatting).
import FFT from 'fft.js';
import type { EvalReport } from '../design/evaluate.ts';
import { type ArrayGeometry, type Vec3, ROBUSTNESS_GRID, add3, arrayCenter, direction, earPositions, scale3 } from '../design/geometry.ts';
import { deviceDirection } from '../design/plant.ts';
import type { SpatialDesign } from '../design/spatial.ts';
import type { FixedProgram } from '../fixed/program.ts';
import type { IdleNoise } from '../fixed/idleNoise.ts';
import { type PathSnr, quantizedSnrDb } from '../export/filtersJson.ts';
import { blockKind } from '../fixed/registry.ts';
import {
  PALETTE,
  autoDomain,
  barChart,
  escapeXml,
  fmt,
  fmtHz,
  heatMap,
  logFrequencyPlot,
  polarPlot,
  svgDocument,
  svgLine,
  svgText,
  type Series,
} from './svg.ts';

/** Per input channel, per output (driver): impulse response at the program's sample rate. */
export type ImpulseResponses = Record<string, Record<string, number[]>>;

/** Section sizes of the compiled firmware for one target, bytes (`size` output). */
export interface CodeSizeRow {
  target: string;
  text: number;
  data: number;
  bss: number;
}

/** Measured cost of one block (from `arrayc bench`). */
export interface InstructionBudgetRow {
  block: string;
  kind: string;
  instructionsPerSample: number;
  macsPerSample: number;
}

/** The bars the summary judges against. */
export interface ReportBars {
  /** Median separation at the ears, nominal pose, dB (at least). */
  separationMedianDb: number;
  /** Worst median separation over the robustness grid, dB (at least). */
  worstRobustnessDb: number;
  /** Beam null depth, median over bands, omni point sources, dB (at least). */
  nullDepthDb: number;
  /** Beam null depth, median over bands, with the piston directivity, dB (more than). */
  pistonNullDepthDb: number;
  /** Main-lobe droop (median over bands of the largest drop), dB (at most). */
  mainLobeDroopDb: number;
  /** Quantized against float channel impulse responses, worst path, dB (at least). */
  quantizedSnrDb: number;
}

/** Median separation bars per design (the product bars of test/spatial.test.ts); others get the default. */
export const SEPARATION_MEDIAN_BARS_DB: Record<string, number> = { 'stereo-pair': 15, 'compact-2': 18, 'bar-5': 18 };

export const DEFAULT_BARS: ReportBars = {
  separationMedianDb: 15,
  worstRobustnessDb: 4,
  nullDepthDb: 20,
  pistonNullDepthDb: 15,
  mainLobeDroopDb: 6,
  quantizedSnrDb: 90,
};

export interface ReportInput {
  name: string;
  description?: string;
  /** The design's default target core (e.g. cortex-m4). */
  target?: string;
  /** Null for manual designs (no drivers or listener to place). */
  geometry: ArrayGeometry | null;
  /** The designed filters' evaluation (head model: sphere); null for manual designs. */
  evaluation: EvalReport | null;
  /** Plain playback (each channel through its home drivers), for comparison. */
  plainEvaluation?: EvalReport | null;
  spatial: SpatialDesign | null;
  program: FixedProgram;
  /** Float design and quantized program channel impulse responses (filters.json `channels` and `quantized.channels`). */
  impulseResponses: { float: ImpulseResponses; quantized: ImpulseResponses };
  codeSize?: CodeSizeRow[] | null;
  instructionBudget?: InstructionBudgetRow[] | null;
  /** Noise floor of each output with silent input (src/fixed/idleNoise.ts). */
  idleNoise?: IdleNoise[] | null;
  /** Overrides of the bars (default: DEFAULT_BARS, the design's separation bar, the design's own WNG and effort limits). */
  bars?: Partial<ReportBars>;
}

// ---------------------------------------------------------------------------------------------
// Numbers

const db10 = (p: number) => 10 * Math.log10(p);
const isSilent = (h: number[] | undefined) => !h || h.every((v) => v === 0);

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** |H(k)|^2 on bins 0..nfft/2 (taps longer than nfft are folded). */
function powerSpectrum(h: ArrayLike<number>, nfft: number): Float64Array {
  const fft = new FFT(nfft);
  const x = new Array<number>(nfft).fill(0);
  for (let n = 0; n < h.length; n++) x[n % nfft] += h[n];
  const out = fft.createComplexArray() as number[];
  fft.realTransform(out, x);
  return Float64Array.from({ length: nfft / 2 + 1 }, (_, k) => out[2 * k] ** 2 + out[2 * k + 1] ** 2);
}

const POINTS_PER_OCTAVE = 24;
/** Zero-padded FFT size: bins 0.73 Hz apart at 48 kHz, finer than 1/24 octave down to 20 Hz. */
const SPECTRUM_NFFT = 65536;
/** Floor for dB values of silent bins, so nothing prints as -Infinity. */
const DB_FLOOR = -240;

/** Log-spaced points from loHz to hiHz: the power average of the bins within +/-1/48 octave (the nearest bin if none). */
function logSpectrumDb(power: Float64Array, nfft: number, fs: number, loHz: number, hiHz: number): [number, number][] {
  const pts: [number, number][] = [];
  const n = Math.floor(POINTS_PER_OCTAVE * Math.log2(hiHz / loHz));
  const half = 2 ** (1 / (2 * POINTS_PER_OCTAVE));
  for (let i = 0; i <= n; i++) {
    const f = loHz * 2 ** (i / POINTS_PER_OCTAVE);
    let k0 = Math.ceil(((f / half) * nfft) / fs), k1 = Math.floor(((f * half) * nfft) / fs);
    k1 = Math.min(k1, nfft / 2);
    if (k1 < k0) k0 = k1 = Math.min(nfft / 2, Math.round((f * nfft) / fs));
    let p = 0;
    for (let k = k0; k <= k1; k++) p += power[k];
    p /= k1 - k0 + 1;
    pts.push([f, p > 0 ? Math.max(DB_FLOOR, db10(p)) : DB_FLOOR]);
  }
  return pts;
}

type PathStats = PathSnr;

function pathStats(irs: ReportInput['impulseResponses']): PathStats[] {
  return quantizedSnrDb({ channels: irs.float, quantized: { channels: irs.quantized } }).perPath;
}

interface ProgramStats {
  macsPerFrame: number;
  perKind: { kind: string; blocks: number; macsPerFrame: number; coefBytes: number; stateBytes: number }[];
  coefBytes: number;
  stateBytes: number;
  bufferBytes: number;
}

const CTYPE_BYTES: Record<string, number> = { int32_t: 4, uint32_t: 4, int16_t: 2, uint16_t: 2, int8_t: 1, uint8_t: 1 };

function programStats(p: FixedProgram): ProgramStats {
  const perKind = new Map<string, ProgramStats['perKind'][number]>();
  let bufferBytes = 0;
  for (const b of p.blocks) {
    const def = blockKind(b);
    const inst = def.cInstance(b, `b_${b.id}`, p.blockSize);
    const row = perKind.get(b.kind) ?? { kind: b.kind, blocks: 0, macsPerFrame: 0, coefBytes: 0, stateBytes: 0 };
    row.blocks++;
    row.macsPerFrame += def.macsPerFrame(b);
    for (const t of inst.tables) row.coefBytes += t.values.length * (CTYPE_BYTES[t.ctype] ?? 4);
    for (const s of inst.state) row.stateBytes += s.length * (CTYPE_BYTES[s.ctype] ?? 4);
    perKind.set(b.kind, row);
    bufferBytes += def.outputCount(b) * p.blockSize * 4;
  }
  const rows = [...perKind.values()].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return {
    macsPerFrame: rows.reduce((s, r) => s + r.macsPerFrame, 0),
    perKind: rows,
    coefBytes: rows.reduce((s, r) => s + r.coefBytes, 0),
    stateBytes: rows.reduce((s, r) => s + r.stateBytes, 0),
    bufferBytes,
  };
}

/** Target separation (dB) at f: piecewise linear in log frequency, flat outside the points. */
function targetAt(points: [number, number][], f: number): number {
  if (f <= points[0][0]) return points[0][1];
  for (let i = 1; i < points.length; i++) {
    const [f0, d0] = points[i - 1], [f1, d1] = points[i];
    if (f <= f1) return d0 + ((d1 - d0) * Math.log(f / f0)) / Math.log(f1 / f0);
  }
  return points[points.length - 1][1];
}

export const int = (n: number) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const dB = (x: number, nonFinite = 'n/a') => (Number.isFinite(x) ? `${fmt(x, 1)} dB` : nonFinite);
const kib = (bytes: number) => `${int(bytes)} B (${fmt(bytes / 1024, 1)} KiB)`;

// ---------------------------------------------------------------------------------------------
// HTML pieces

const h = escapeXml;

export function table(head: string[], rows: string[][], o: { id?: string; numeric?: number[]; rowClass?: (string | undefined)[] } = {}): string {
  const num = new Set(o.numeric ?? []);
  const th = head.map((x, i) => `<th${num.has(i) ? ' class="num"' : ''}>${x}</th>`).join('');
  const body = rows
    .map((r, ri) => `<tr${o.rowClass?.[ri] ? ` class="${o.rowClass[ri]}"` : ''}>${r.map((x, i) => `<td${num.has(i) ? ' class="num"' : ''}>${x}</td>`).join('')}</tr>`)
    .join('');
  return `<table${o.id ? ` data-table="${h(o.id)}"` : ''}><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

export function figure(content: string, caption: string): string {
  return `<figure>${content}<figcaption>${caption}</figcaption></figure>`;
}

export function notApplicable(text: string): string {
  return `<p class="na">${h(text)}</p>`;
}

export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; background: #fafafa; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 28px 64px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 8px; padding-top: 8px; border-top: 1px solid #ddd; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p.desc { color: #555; margin: 0 0 12px; }
nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
nav a { color: #2a5d9f; text-decoration: none; }
figure { margin: 14px 0 22px; }
figcaption { font-size: 12.5px; color: #555; margin-top: 6px; max-width: 860px; }
svg { display: block; max-width: 100%; height: auto; background: #fff; }
table { border-collapse: collapse; font-size: 13px; margin: 4px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.pass td.status { color: #1a7f37; font-weight: 600; }
tr.fail td.status { color: #c62828; font-weight: 700; }
tr.fail { background: #fff3f3; }
p.na { color: #777; font-style: italic; border-left: 3px solid #ccc; padding: 4px 10px; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
.grid { display: flex; flex-wrap: wrap; gap: 8px 24px; }
`;

// ---------------------------------------------------------------------------------------------
// Sections

interface Ctx {
  input: ReportInput;
  fs: number;
  bars: ReportBars & { whiteNoiseGainDb: number | null; maxFilterGainDb: number | null };
  stats: ProgramStats;
  paths: PathStats[];
  channels: string[];
}

function statusRow(ok: boolean | null): string | undefined {
  return ok === null ? undefined : ok ? 'pass' : 'fail';
}

function summarySection(x: Ctx): string {
  const { input, fs, stats, bars } = x;
  const p = input.program;
  const e = input.evaluation;
  const pe = input.plainEvaluation ?? null;
  const g = input.geometry;
  const outputs = p.outputs.map((o) => o.name);
  const info: string[][] = [];
  info.push(['Design', `<code>${h(input.name)}</code> (${g ? 'geometry' : 'manual'} design)${input.target ? `, target <code>${h(input.target)}</code>` : ''}`]);
  info.push(['Sample rate, block size', `${int(fs)} Hz, ${p.blockSize} frames (${fmt((1000 * p.blockSize) / fs, 2)} ms)`]);
  info.push(['Inputs', p.inputs.map((s) => `<code>${h(s)}</code>`).join(', ')]);
  info.push([g ? 'Drivers (outputs)' : 'Outputs', `${outputs.length}: ${outputs.map((s) => `<code>${h(s)}</code>`).join(', ')}`]);
  if (input.spatial) {
    const l = input.spatial.latencySamples;
    info.push(['Latency', `${l} samples (${fmt((1000 * l) / fs, 2)} ms) through every filter path, plus ${p.blockSize} frames (${fmt((1000 * p.blockSize) / fs, 2)} ms) of block buffering`]);
  } else {
    info.push(['Latency', `set by the design's own filters (not computed for manual designs), plus ${p.blockSize} frames (${fmt((1000 * p.blockSize) / fs, 2)} ms) of block buffering`]);
  }
  info.push(['Compute', `${int(stats.macsPerFrame)} MACs/frame = ${fmt((stats.macsPerFrame * fs) / 1e6, 2)} MMAC/s; ${p.blocks.length} blocks`]);
  info.push(['Memory (from the program)', `coefficients ${kib(stats.coefBytes)} (flash); state ${kib(stats.stateBytes)} + signal buffers ${kib(stats.bufferBytes)} (RAM)`]);
  if (input.spatial) {
    const s = input.spatial;
    const form = (['L', 'R'] as const).map((ch) => `${ch}: ${s.ctc[ch].form === 'rtf' ? `RTF (reference <code>${h(s.ctc[ch].referenceDriver)}</code>)` : 'direct FIRs'}`).join('; ');
    info.push(['Filter structure', `crosstalk cancellation ${form}; centre ${s.centre.kind === 'beam' ? 'beamformed' : 'plain'}`]);
  }
  const infoTable = table(['Item', 'Value'], info, { id: 'summary-design' });

  // Metrics against the bars.
  const rows: string[][] = [];
  const cls: (string | undefined)[] = [];
  const metric = (label: string, value: string, plain: string, bar: string, ok: boolean | null) => {
    rows.push([label, value, plain, bar, ok === null ? '–' : ok ? 'pass' : 'FAIL']);
    cls.push(statusRow(ok));
  };
  const pv = (f: (r: EvalReport) => number | undefined) => {
    if (!pe) return 'not evaluated';
    const v = f(pe);
    return v === undefined ? '–' : dB(v);
  };
  if (e) {
    const bandsHz = e.ctc.bandsDb.length ? `${fmtHz(e.ctc.bandsDb[0].hz)}–${fmtHz(e.ctc.bandsDb[e.ctc.bandsDb.length - 1].hz)} Hz` : '';
    metric(`Separation at the ears, median of the 1/3-octave bands ${bandsHz} (nominal pose, head model ${h(e.headModel)})`, dB(e.ctc.separationMedianDb), pv((r) => r.ctc.separationMedianDb), `≥ ${fmt(bars.separationMedianDb, 1)} dB`, e.ctc.separationMedianDb >= bars.separationMedianDb);
    metric(`Worst robustness case (${h(e.ctc.worstOffsetPose)})`, dB(e.ctc.worstOffsetDb), pv((r) => r.ctc.worstOffsetDb), `≥ ${fmt(bars.worstRobustnessDb, 1)} dB`, e.ctc.worstOffsetDb >= bars.worstRobustnessDb);
    if (e.beam) {
      const b = e.beam;
      metric(`Beam null depth at ${b.bandHz.map(fmtHz).join('–')} Hz, median over bands (omni point sources)`, dB(b.nullDepthMedianDb), pv((r) => r.beam?.nullDepthMedianDb), `≥ ${fmt(bars.nullDepthDb, 1)} dB`, b.nullDepthMedianDb >= bars.nullDepthDb);
      metric('Beam null depth with the piston directivity, median over bands', dB(b.withDriverDirectivity.nullDepthMedianDb), pv((r) => r.beam?.withDriverDirectivity.nullDepthMedianDb), `> ${fmt(bars.pistonNullDepthDb, 1)} dB`, b.withDriverDirectivity.nullDepthMedianDb > bars.pistonNullDepthDb);
      const worstDroop = Math.max(...b.bands.map((x) => x.mainLobeDroopDb));
      metric(`Main-lobe droop within ±${g?.beam?.mainLobeDeg ?? 45}°, median over bands (worst band ${fmt(worstDroop, 1)} dB)`, dB(b.mainLobeDroopMaxDb), pv((r) => r.beam?.mainLobeDroopMaxDb), `≤ ${fmt(bars.mainLobeDroopDb, 1)} dB`, b.mainLobeDroopMaxDb <= bars.mainLobeDroopDb);
      const wngBar = bars.whiteNoiseGainDb;
      metric(`White-noise gain, median over bands (minimum ${fmt(b.whiteNoiseGainMinDb, 1)} dB)`, dB(b.whiteNoiseGainMedianDb), pv((r) => r.beam?.whiteNoiseGainMedianDb), wngBar === null ? '–' : `≥ ${fmt(wngBar, 1)} dB`, wngBar === null ? null : b.whiteNoiseGainMedianDb >= wngBar);
      metric('Directivity index, median over bands', dB(b.directivityIndexMedianDb), pv((r) => r.beam?.directivityIndexMedianDb), '–', null);
    }
    const effortBar = bars.maxFilterGainDb;
    metric('Maximum filter gain (driver effort)', dB(e.effort.maxFilterGainDb), pv((r) => r.effort.maxFilterGainDb), effortBar === null ? '–' : `≤ ${fmt(effortBar, 1)} dB`, effortBar === null ? null : e.effort.maxFilterGainDb <= effortBar);
  }
  const live = x.paths.filter((q) => !q.silent);
  const worst = live.reduce<PathStats | null>((a, b) => (a === null || b.snrDb < a.snrDb ? b : a), null);
  if (worst) {
    const v = Number.isFinite(worst.snrDb) ? dB(worst.snrDb) : 'exact';
    metric(`Quantized vs float channel impulse responses, worst path (<code>${h(worst.channel)}</code> → <code>${h(worst.driver)}</code>)`, v, '–', `≥ ${fmt(bars.quantizedSnrDb, 1)} dB`, worst.snrDb >= bars.quantizedSnrDb);
  }
  const metricsTable = table(['Metric', 'Designed', 'Plain playback', 'Bar', 'Status'], rows, { id: 'summary-metrics', numeric: [1, 2, 3], rowClass: cls });
  const failing = cls.filter((c) => c === 'fail').length;
  const verdict = failing === 0 ? 'Every metric with a bar meets it.' : `${failing} metric${failing > 1 ? 's' : ''} miss${failing > 1 ? '' : 'es'} the bar (marked FAIL).`;
  const evalNote = e
    ? `Acoustic metrics: ${h(e.filters)}, head model ${h(e.headModel)}${pe ? '; plain playback sends each channel unfiltered to its home drivers' : ''}.`
    : 'Manual design: no geometry, so no acoustic metrics; only the fixed-point program is judged.';
  return (
    `<section id="summary"><h2>1. Summary</h2>` +
    figure(infoTable, 'The design and the cost of its fixed-point program. MACs count coefficient multiplications per frame over all blocks; memory is the size of the coefficient tables, the filter state and the inter-block signal buffers as generated (measured section sizes are in section 8).') +
    figure(metricsTable, `Key metrics against their bars. ${verdict} ${evalNote}`) +
    `</section>`
  );
}

/** Top view (listener frame seen from above, +x up, +y to the left) in two panels: the scene to scale, and the device. */
function geometrySvg(g: ArrayGeometry): string {
  const W = 780, H = 440, panelW = 370, top = 34, bottom = 30;
  const parts: string[] = [];
  // Screen mapping for a panel: u = -y (right), v = -x (down).
  const panel = (ox: number, pts: [number, number][], margin: number) => {
    const us = pts.map((p) => -p[1]), vs = pts.map((p) => -p[0]);
    const u0 = Math.min(...us) - margin, u1 = Math.max(...us) + margin;
    const v0 = Math.min(...vs) - margin, v1 = Math.max(...vs) + margin;
    const s = Math.min(panelW / (u1 - u0), (H - top - bottom) / (v1 - v0));
    const cu = (u0 + u1) / 2, cv = (v0 + v1) / 2;
    const X = (p: readonly number[]) => ox + panelW / 2 + (-p[1] - cu) * s;
    const Y = (p: readonly number[]) => top + (H - top - bottom) / 2 + (-p[0] - cv) * s;
    return { X, Y, s };
  };
  const c = (v: number) => fmt(v, 1, '0');
  const arrow = (x0: number, y0: number, x1: number, y1: number, color: string, width = 1.5) => {
    const a = Math.atan2(y1 - y0, x1 - x0), l = 7;
    const p1 = [x1 - l * Math.cos(a - 0.4), y1 - l * Math.sin(a - 0.4)], p2 = [x1 - l * Math.cos(a + 0.4), y1 - l * Math.sin(a + 0.4)];
    return svgLine(x0, y0, x1, y1, color, { width }) + `<polygon points="${c(x1)},${c(y1)} ${c(p1[0])},${c(p1[1])} ${c(p2[0])},${c(p2[1])}" fill="${color}"/>`;
  };
  const boxPts = (b: ArrayGeometry['enclosures'][number]): [number, number][] => [
    [b.centerM[0] - b.sizeM[0] / 2, b.centerM[1] - b.sizeM[1] / 2],
    [b.centerM[0] + b.sizeM[0] / 2, b.centerM[1] + b.sizeM[1] / 2],
  ];
  const boxSvg = (X: (p: readonly number[]) => number, Y: (p: readonly number[]) => number, b: ArrayGeometry['enclosures'][number]) => {
    const [a, d] = boxPts(b);
    const xs = [X(a), X(d)], ys = [Y(a), Y(d)];
    return `<rect x="${c(Math.min(...xs))}" y="${c(Math.min(...ys))}" width="${c(Math.abs(xs[1] - xs[0]))}" height="${c(Math.abs(ys[1] - ys[0]))}" fill="#eceff3" stroke="#8a94a3"/>`;
  };
  const centre = arrayCenter(g.drivers);
  const distToArray = Math.hypot(centre[0] - g.listener.positionM[0], centre[1] - g.listener.positionM[1]);
  const L = g.listener;
  const virt = [
    { label: 'virtual L', p: add3(L.positionM, scale3(direction(L.yawDeg + g.virtualSpeakerDeg), distToArray)) },
    { label: 'virtual R', p: add3(L.positionM, scale3(direction(L.yawDeg - g.virtualSpeakerDeg), distToArray)) },
  ];

  // Panel A: the scene to scale.
  {
    const pts: [number, number][] = [
      ...g.drivers.map((d) => [d.positionM[0], d.positionM[1]] as [number, number]),
      ...g.enclosures.flatMap(boxPts),
      [L.positionM[0] - 0.3, L.positionM[1]],
      [L.positionM[0] + L.headRadiusM, L.positionM[1] + 0.15],
      [L.positionM[0] + L.headRadiusM, L.positionM[1] - 0.15],
      ...virt.map((v) => [v.p[0], v.p[1]] as [number, number]),
    ];
    const { X, Y, s } = panel(0, pts, 0.12);
    parts.push(svgText(8, 16, 'Scene (to scale)', { weight: 'bold', size: 12 }));
    for (const v of virt) {
      parts.push(svgLine(X(L.positionM), Y(L.positionM), X(v.p), Y(v.p), '#b07aa1', { dash: '3 3' }));
      parts.push(`<rect x="${c(X(v.p) - 5)}" y="${c(Y(v.p) - 5)}" width="10" height="10" fill="none" stroke="#b07aa1"/>`);
      parts.push(svgText(X(v.p), Y(v.p) - 9, v.label, { anchor: 'middle', size: 10, fill: '#7a4f72' }));
    }
    const ears = earPositions(L, { label: 'nominal', offsetM: [0, 0, 0], yawDeg: 0 });
    for (const d of g.drivers) {
      for (const ear of [ears.left, ears.right]) parts.push(svgLine(X(d.positionM), Y(d.positionM), X(ear), Y(ear), '#d9d9d9', { width: 0.6 }));
    }
    for (const b of g.enclosures) parts.push(boxSvg(X, Y, b));
    g.drivers.forEach((d, i) => parts.push(`<circle cx="${c(X(d.positionM))}" cy="${c(Y(d.positionM))}" r="3" fill="${PALETTE[i % PALETTE.length]}"/>`));
    parts.push(headSvg(X, Y, s, g));
    for (const pose of ROBUSTNESS_GRID) {
      if (pose.offsetM[0] === 0 && pose.offsetM[1] === 0) continue;
      const p = add3(L.positionM, pose.offsetM);
      parts.push(`<circle cx="${c(X(p))}" cy="${c(Y(p))}" r="1.8" fill="#f28e2b"/>`);
    }
    // Scale bar: 0.5 m.
    const sb = 0.5 * s;
    parts.push(svgLine(12, H - 14, 12 + sb, H - 14, '#333', { width: 2 }));
    parts.push(svgText(16 + sb, H - 14, '0.5 m', { baseline: 'middle', size: 10 }));
    parts.push(svgText(panelW - 4, H - 14, `listener–array ${fmt(distToArray, 2)} m`, { anchor: 'end', size: 10 }));
  }

  // Panel B: the device.
  {
    const ox = W - panelW;
    const core: [number, number][] = [...g.drivers.map((d) => [d.positionM[0], d.positionM[1]] as [number, number]), ...g.enclosures.flatMap(boxPts)];
    const span = Math.max(...core.map((p) => Math.hypot(p[0] - centre[0], p[1] - centre[1])), 0.05);
    const axisLen = 0.45 * span;
    const toL = deviceDirection(g, 0);
    const t0 = add3(centre, scale3(toL, 0.8 * span)), t1 = add3(centre, scale3(toL, 1.15 * span));
    const nulls = (g.beam?.nullsDeg ?? []).map((a) => ({ a, end: add3(centre, scale3(deviceDirection(g, a), 1.3 * span)) }));
    const tips = g.drivers.map((d) => add3(d.positionM, scale3(d.axis, axisLen)));
    const pts: [number, number][] = [...core, ...[t1, ...tips, ...nulls.map((n) => n.end)].map((p) => [p[0], p[1]] as [number, number])];
    const { X, Y } = panel(ox, pts, 0.12 * span);
    parts.push(svgLine(ox - 10, top, ox - 10, H - bottom, '#ddd'));
    parts.push(svgText(ox + 8, 16, 'Device (top view)', { weight: 'bold', size: 12 }));
    for (const b of g.enclosures) parts.push(boxSvg(X, Y, b));
    for (const n of nulls) {
      parts.push(svgLine(X(centre), Y(centre), X(n.end), Y(n.end), '#c33', { dash: '4 3' }));
      const right = X(n.end) >= X(centre);
      parts.push(svgText(X(n.end) + (right ? -2 : 2), Y(n.end) - 5, `null ${n.a}°`, { anchor: right ? 'end' : 'start', size: 10, fill: '#c33' }));
    }
    g.drivers.forEach((d, i) => {
      const col = PALETTE[i % PALETTE.length];
      // The piston face: a segment of the driver's diameter across its axis.
      const across: Vec3 = [-d.axis[1], d.axis[0], 0];
      const n = Math.hypot(across[0], across[1]) || 1;
      const a = add3(d.positionM, scale3(across, d.radiusM / n)), b = add3(d.positionM, scale3(across, -d.radiusM / n));
      parts.push(svgLine(X(a), Y(a), X(b), Y(b), col, { width: 4 }));
      parts.push(arrow(X(d.positionM), Y(d.positionM), X(tips[i]), Y(tips[i]), col));
      const lab = add3(d.positionM, scale3(d.axis, -0.2 * span));
      parts.push(svgText(X(lab), Y(lab), d.id, { anchor: 'middle', baseline: 'middle', size: 10, weight: 'bold', fill: col }));
    });
    parts.push(arrow(X(t0), Y(t0), X(t1), Y(t1), '#333', 1));
    parts.push(svgText(X(t1) + 6, Y(t1) - 4, 'to listener', { size: 10 }));
    const sbm = span >= 0.2 ? 0.1 : 0.05;
    const sb = Math.abs(X([0, -sbm, 0]) - X([0, 0, 0]));
    parts.push(svgLine(ox + 8, H - 14, ox + 8 + sb, H - 14, '#333', { width: 2 }));
    parts.push(svgText(ox + 12 + sb, H - 14, `${fmt(sbm * 100, 0)} cm`, { baseline: 'middle', size: 10 }));
  }
  return svgDocument({ id: 'geometry', title: `Geometry of ${g.name}: top view`, width: W, height: H, body: parts.join('') });
}

function headSvg(X: (p: readonly number[]) => number, Y: (p: readonly number[]) => number, s: number, g: ArrayGeometry): string {
  const L = g.listener;
  const c = (v: number) => fmt(v, 1, '0');
  const r = Math.max(L.headRadiusM * s, 4);
  const ears = earPositions(L, { label: 'nominal', offsetM: [0, 0, 0], yawDeg: 0 });
  const nose = add3(L.positionM, scale3(direction(L.yawDeg), L.headRadiusM * 1.35));
  const n1 = add3(L.positionM, scale3(direction(L.yawDeg + 25), L.headRadiusM));
  const n2 = add3(L.positionM, scale3(direction(L.yawDeg - 25), L.headRadiusM));
  return (
    `<polygon points="${c(X(n1))},${c(Y(n1))} ${c(X(nose))},${c(Y(nose))} ${c(X(n2))},${c(Y(n2))}" fill="#f3d9c4" stroke="#8a6a55"/>` +
    `<circle cx="${c(X(L.positionM))}" cy="${c(Y(L.positionM))}" r="${c(r)}" fill="#f3d9c4" stroke="#8a6a55"/>` +
    `<circle cx="${c(X(ears.left))}" cy="${c(Y(ears.left))}" r="2.5" fill="#4e79a7"/>` +
    `<circle cx="${c(X(ears.right))}" cy="${c(Y(ears.right))}" r="2.5" fill="#e15759"/>` +
    svgText(X(ears.left) - 5, Y(ears.left), 'L ear', { anchor: 'end', baseline: 'middle', size: 10 }) +
    svgText(X(ears.right) + 5, Y(ears.right), 'R ear', { baseline: 'middle', size: 10 }) +
    svgText(X(L.positionM), Y(L.positionM) + r + 12, 'listener', { anchor: 'middle', size: 10 })
  );
}

function geometrySection(x: Ctx): string {
  const g = x.input.geometry;
  let body: string;
  if (!g) {
    body = notApplicable('Manual design: the design file gives filters only, no driver or listener positions.');
  } else {
    const rows = g.drivers.map((d) => [
      `<code>${h(d.id)}</code>`,
      d.positionM.map((v) => fmt(v, 3)).join(', '),
      d.axis.map((v) => fmt(v, 3)).join(', '),
      fmt(d.radiusM * 1000, 1),
      `${fmtHz(d.bandHz[0])}–${fmtHz(d.bandHz[1])}`,
      (['L', 'R', 'C'] as const).filter((ch) => g.homeDrivers[ch]?.includes(d.id)).join(', ') || '–',
    ]);
    body =
      figure(
        geometrySvg(g),
        `Top view in the listener frame (+x toward the device, up; +y to the listener's left, left). Left: the scene to scale with the acoustic paths from every driver to both ears (grey), the virtual speakers at ±${fmt(g.virtualSpeakerDeg, 0)}° and the listener positions of the robustness grid (orange dots). Right: the device with its enclosure${g.enclosures.length === 1 ? '' : 's'}, each driver's face (its diameter) and on-axis direction${g.beam ? ', and the centre beam\'s null directions' : ''}.`,
      ) +
      figure(
        table(['Driver', 'Position x, y, z (m)', 'Axis', 'Radius (mm)', 'Band (Hz)', 'Home of'], rows, { id: 'drivers', numeric: [3] }),
        `Drivers. Listener at ${L3(g.listener.positionM)} m, head radius ${fmt(g.listener.headRadiusM * 100, 2)} cm, yaw ${fmt(g.listener.yawDeg, 0)}°; speed of sound ${fmt(g.speedOfSoundMps, 0)} m/s.`,
      );
  }
  return `<section id="geometry"><h2>2. Geometry</h2>${body}</section>`;
}

const L3 = (p: Vec3) => `(${p.map((v) => fmt(v, 3)).join(', ')})`;
const figId = (prefix: string, ch: string) => `${prefix}-${ch.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function responsesSection(x: Ctx): string {
  const { input, fs } = x;
  const figs: string[] = [];
  for (const ch of x.channels) {
    const drivers = Object.entries(input.impulseResponses.float[ch]).filter(([, ir]) => !isSilent(ir));
    if (drivers.length === 0) continue;
    const nfft = nextPow2(Math.max(SPECTRUM_NFFT, ...drivers.map(([, ir]) => ir.length)));
    const series: Series[] = drivers.map(([id, ir]) => ({ label: id, points: logSpectrumDb(powerSpectrum(ir, nfft), nfft, fs, 20, fs / 2) }));
    const hi = Math.ceil((Math.max(...series.flatMap((s) => s.points.map((p) => p[1]))) + 1) / 10) * 10;
    const silent = Object.entries(input.impulseResponses.float[ch]).filter(([, ir]) => isSilent(ir)).map(([id]) => id);
    figs.push(
      figure(
        logFrequencyPlot({ id: figId('responses', ch), title: `Channel ${ch}: magnitude response to each output`, series, xDomainHz: [20, fs / 2], yDomainDb: [hi - 70, hi], yLabel: 'magnitude (dB re unity gain)' }),
        `Input <code>${h(ch)}</code> to every ${input.geometry ? 'driver' : 'output'}: magnitude of the float design's whole-path impulse response (${nfft}-point zero-padded FFT, power-averaged over 1/${POINTS_PER_OCTAVE} octave).${silent.length ? ` Silent paths (not drawn): ${silent.map((s) => `<code>${h(s)}</code>`).join(', ')}.` : ''}`,
      ),
    );
  }
  return `<section id="responses"><h2>3. Channel paths: frequency responses</h2>${figs.join('') || notApplicable('No channel path carries signal.')}</section>`;
}

function beamSection(x: Ctx): string {
  const b = x.input.evaluation?.beam;
  if (!b) {
    const why = x.input.geometry ? 'This design has no centre beam.' : 'Manual design: no geometry, so no beam pattern.';
    return `<section id="beam"><h2>4. Centre beam: polar patterns</h2>${notApplicable(why)}</section>`;
  }
  const max = Math.max(0, ...b.pattern.flatMap((p) => p.db.filter(Number.isFinite)));
  const top = Math.ceil(max / 5) * 5;
  const range: [number, number] = [top - 40, top];
  const g = x.input.geometry!;
  const polar = polarPlot({
    id: 'beam-polar',
    title: `Centre beam, ${fmtHz(b.bandHz[0])}–${fmtHz(b.bandHz[1])} Hz (omni point sources)`,
    series: b.pattern.map((p) => ({ label: `${fmtHz(p.hz)} Hz`, anglesDeg: p.anglesDeg, db: p.db })),
    dbRange: range,
    markersDeg: (g.beam?.nullsDeg ?? []).map((d) => ({ deg: d, label: `null ${d}°` })),
    zeroLabel: '0° = toward the listener',
  });
  // Angle x band map (highest band on top).
  const pattern = [...b.pattern].reverse();
  const angles = pattern[0]?.anglesDeg ?? [];
  const map = heatMap({
    id: 'beam-map',
    title: 'Beam pattern over angle and frequency',
    rows: pattern.map((p) => `${fmtHz(p.hz)} Hz`),
    cols: angles.map((a) => `${a}°`),
    values: pattern.map((p) => p.db.map((v) => (Number.isFinite(v) ? v : range[0]))),
    colorDomain: [-40, 0],
    colors: ['#ffffff', '#fdd49e', '#fc8d59', '#d7301f', '#7f0000'],
    unit: 'dB',
    cellWidth: 8,
    cellHeight: 20,
    cellText: false,
    colLabelEvery: 6,
    xLabel: 'angle around the device (degrees, 0 = toward the listener, counter-clockwise)',
    format: (v) => fmt(v, 0),
  });
  const bandRows = b.bands.map((band, i) => {
    const pist = b.withDriverDirectivity.bands[i];
    return [`${fmtHz(band.hz)}`, fmt(band.nullDepthDb, 1), fmt(pist?.nullDepthDb ?? NaN, 1, '–'), fmt(band.mainLobeDroopDb, 1), fmt(band.whiteNoiseGainDb, 1), fmt(band.directivityIndexDb, 1)];
  });
  return (
    `<section id="beam"><h2>4. Centre beam: polar patterns</h2>` +
    figure(polar, `Far-field pattern of the centre channel per 1/3-octave band, band power relative to the front (0°), seen from above, angles counter-clockwise (+90° is the listener's right-hand side); radius ${fmt(range[0], 0)} to ${fmt(range[1], 0)} dB, lower values sit at the centre. Red dashed: the null directions. Spatial aliasing above ${fmtHz(b.spatialAliasingHz)} Hz.`) +
    figure(map, 'The same patterns as a map: one row per band, one column per 5° (colour: dB relative to the front, clipped at -40 dB).') +
    figure(
      table(['Band (Hz)', 'Null depth (dB)', 'Null depth, piston (dB)', 'Main-lobe droop (dB)', 'White-noise gain (dB)', 'Directivity index (dB)'], bandRows, { id: 'beam-bands', numeric: [0, 1, 2, 3, 4, 5] }),
      `Beam metrics per band (omni point sources; null depth also with the piston directivity). Null depth: front against the louder null direction; droop: largest drop within ±${g.beam?.mainLobeDeg ?? 45}°.`,
    ) +
    `</section>`
  );
}

function separationSection(x: Ctx): string {
  const e = x.input.evaluation;
  const g = x.input.geometry;
  if (!e || !g) return `<section id="separation"><h2>5. Channel separation against the target</h2>${notApplicable('Manual design: no geometry, so no separation at the ears.')}</section>`;
  const domain: [number, number] = [200, 8000];
  const targetPts: [number, number][] = [];
  for (let i = 0; i <= 96; i++) {
    const f = domain[0] * (domain[1] / domain[0]) ** (i / 96);
    targetPts.push([f, targetAt(g.cancellationTargetDb, f)]);
  }
  const series: Series[] = [
    { label: 'target', points: targetPts, color: '#333', dash: '6 4' },
    { label: 'designed (mean of L, R)', points: e.ctc.bandsDb.map((b) => [b.hz, b.db]), color: PALETTE[0], markers: true, width: 2 },
    { label: 'designed, L only', points: e.ctc.bandsDb.map((b, i) => [b.hz, e.ctc.channelsDb.L[i]]), color: PALETTE[3], width: 1 },
    { label: 'designed, R only', points: e.ctc.bandsDb.map((b, i) => [b.hz, e.ctc.channelsDb.R[i]]), color: PALETTE[6], width: 1, dash: '2 2' },
  ];
  const pe = x.input.plainEvaluation;
  if (pe) series.push({ label: 'plain playback', points: pe.ctc.bandsDb.map((b) => [b.hz, b.db]), color: PALETTE[1], markers: true });
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const yDomain = autoDomain(values, 5, 20);
  const rows = e.ctc.bandsDb.map((b, i) => [
    fmtHz(b.hz),
    fmt(targetAt(g.cancellationTargetDb, b.hz), 1),
    fmt(b.db, 1),
    fmt(e.ctc.channelsDb.L[i], 1),
    fmt(e.ctc.channelsDb.R[i], 1),
    pe ? fmt(pe.ctc.bandsDb[i]?.db ?? NaN, 1, '–') : '–',
  ]);
  return (
    `<section id="separation"><h2>5. Channel separation against the target</h2>` +
    figure(
      logFrequencyPlot({ id: 'separation', title: 'Separation at the ears, nominal pose', series, xDomainHz: domain, yDomainDb: [Math.min(yDomain[0], 0), yDomain[1]], yLabel: 'separation, ipsi/contra (dB)' }),
      `Channel separation at the ears (ipsilateral over contralateral band power) per 1/3-octave band, nominal listener pose, head model ${h(e.headModel)}, against the design's cancellation target (piecewise linear in log frequency).${pe ? ' Plain playback: each channel unfiltered through its home drivers.' : ''}`,
    ) +
    figure(table(['Band (Hz)', 'Target (dB)', 'Designed (dB)', 'L (dB)', 'R (dB)', 'Plain (dB)'], rows, { id: 'separation-bands', numeric: [0, 1, 2, 3, 4, 5] }), 'Separation per band.') +
    `</section>`
  );
}

function robustnessSection(x: Ctx): string {
  const e = x.input.evaluation;
  if (!e) return `<section id="robustness"><h2>6. Robustness over listener poses</h2>${notApplicable('Manual design: no listener, so no robustness grid.')}</section>`;
  const pe = x.input.plainEvaluation;
  const groups = [{ label: 'designed', values: e.ctc.robustness.map((p) => p.medianDb), color: PALETTE[0] }];
  if (pe) groups.push({ label: 'plain playback', values: e.ctc.robustness.map((p) => pe.ctc.robustness.find((q) => q.label === p.label)?.medianDb ?? NaN), color: PALETTE[1] });
  const chart = barChart({
    id: 'robustness',
    title: 'Median separation per listener pose',
    categories: e.ctc.robustness.map((p) => p.label),
    groups,
    xLabel: 'median separation over the 1/3-octave bands (dB)',
    thresholds: [
      { value: x.bars.worstRobustnessDb, label: `worst-case bar ${fmt(x.bars.worstRobustnessDb, 0)} dB`, color: '#c33' },
      { value: x.bars.separationMedianDb, label: `nominal bar ${fmt(x.bars.separationMedianDb, 0)} dB`, color: '#59a14f' },
    ],
  });
  return (
    `<section id="robustness"><h2>6. Robustness over listener poses</h2>` +
    figure(chart, `Median channel separation (head model ${h(e.headModel)}) with the listener moved one way at a time: sideways ±5 and ±10 cm, toward/away 20 cm, head turned ±10°. Worst case: ${h(e.ctc.worstOffsetPose)}, ${dB(e.ctc.worstOffsetDb)}.`) +
    `</section>`
  );
}

function fixedPointSection(x: Ctx): string {
  const { input, fs } = x;
  const figs: string[] = [];
  for (const ch of x.channels) {
    const drivers = Object.entries(input.impulseResponses.float[ch]).filter(([id, ir]) => !isSilent(ir) || !isSilent(input.impulseResponses.quantized[ch]?.[id]));
    if (drivers.length === 0) continue;
    const series: Series[] = [];
    let nfftUsed = 0;
    drivers.forEach(([id, ir], i) => {
      const q = input.impulseResponses.quantized[ch]?.[id] ?? [];
      const n = Math.max(ir.length, q.length);
      const nfft = nextPow2(Math.max(SPECTRUM_NFFT, n));
      nfftUsed = Math.max(nfftUsed, nfft);
      const err = Array.from({ length: n }, (_, k) => (q[k] ?? 0) - (ir[k] ?? 0));
      const color = PALETTE[i % PALETTE.length];
      series.push({ label: `${id}: float`, points: logSpectrumDb(powerSpectrum(ir, nfft), nfft, fs, 20, fs / 2), color, width: 1.5 });
      series.push({ label: `${id}: error`, points: logSpectrumDb(powerSpectrum(err, nfft), nfft, fs, 20, fs / 2), color, width: 1, dash: '4 2' });
    });
    const all = series.flatMap((s) => s.points.map((p) => p[1]));
    const hi = Math.ceil((Math.max(...all) + 1) / 20) * 20;
    const lo = Math.max(Math.floor(Math.min(...all) / 20) * 20, hi - 240);
    figs.push(
      figure(
        logFrequencyPlot({ id: figId('quant-error', ch), title: `Channel ${ch}: fixed-point error spectrum`, series, xDomainHz: [20, fs / 2], yDomainDb: [lo, hi], yLabel: 'magnitude (dB re unity gain)' }),
        `Input <code>${h(ch)}</code>: spectrum of the float impulse response (solid) and of the fixed-point error, quantized minus float (dashed, same colour), per ${input.geometry ? 'driver' : 'output'}. The quantized response is a full-scale impulse through the bit-exact reference executor, divided by its amplitude and by the output's headroom scale; the gap between a solid and its dashed curve is the signal-to-error ratio at that frequency (${nfftUsed}-point zero-padded FFT, 1/${POINTS_PER_OCTAVE}-octave power average).`,
      ),
    );
  }
  // SNR per path.
  const drivers = [...new Set(x.paths.map((p) => p.driver))];
  const values = x.channels.map((ch) => drivers.map((d) => {
    const p = x.paths.find((q) => q.channel === ch && q.driver === d);
    return !p || p.silent ? null : p.snrDb;
  }));
  const snrMap = heatMap({
    id: 'quant-snr',
    title: 'Quantized vs float impulse response, per path',
    rows: x.channels.map((ch) => `input ${ch}`),
    cols: drivers,
    values,
    colorDomain: [x.bars.quantizedSnrDb - 30, x.bars.quantizedSnrDb + 60],
    unit: 'dB',
    format: (v) => (Number.isFinite(v) ? fmt(v, 1) : 'exact'),
    xLabel: input.geometry ? 'driver' : 'output',
    cellWidth: Math.max(70, 7 * Math.max(...drivers.map((d) => d.length)) + 10),
  });
  const outRows = input.program.outputs.map((o) => {
    const snrs = x.paths.filter((p) => p.driver === o.name && !p.silent).map((p) => p.snrDb);
    const worst = snrs.length ? Math.min(...snrs) : NaN;
    return [`<code>${h(o.name)}</code>`, fmt(o.scale, 6), fmt(20 * Math.log10(o.scale), 2), snrs.length === 0 ? 'silent' : Number.isFinite(worst) ? fmt(worst, 1) : 'exact'];
  });
  const kinds = x.stats.perKind.map((k) => [`<code>${h(k.kind)}</code>`, String(k.blocks), int(k.macsPerFrame), int(k.coefBytes), int(k.stateBytes)]);
  kinds.push(['<b>total</b>', String(input.program.blocks.length), int(x.stats.macsPerFrame), int(x.stats.coefBytes), int(x.stats.stateBytes)]);
  return (
    `<section id="fixed-point"><h2>7. Fixed-point error</h2>` +
    figs.join('') +
    figure(snrMap, `Signal-to-error ratio of every channel path, Σh² / Σ(q − h)² over the whole impulse response (bar: ≥ ${fmt(x.bars.quantizedSnrDb, 0)} dB; grey: silent path).`) +
    `<div class="grid">` +
    figure(table(['Output', 'Headroom scale', 'Scale (dB)', 'Worst path SNR (dB)'], outRows, { id: 'outputs', numeric: [1, 2, 3] }), 'Program outputs: the gain of each output relative to the float design (headroom scaling, so no full-scale input can overflow any node), and the worst path into it.') +
    figure(table(['Block kind', 'Blocks', 'MACs/frame', 'Coefficients (B)', 'State (B)'], kinds, { id: 'blocks', numeric: [1, 2, 3, 4] }), 'The program by block kind.') +
    `</div>` +
    (input.idleNoise?.length
      ? figure(
          table(
            ['Output', 'Silent input from reset (dBFS)', 'Silence after full-scale noise (dBFS)', 'Peak there (LSB)'],
            input.idleNoise.map((n) => [`<code>${h(n.output)}</code>`, Number.isFinite(n.fromResetDbfs) ? fmt(n.fromResetDbfs, 1) : 'digital silence', Number.isFinite(n.afterSignalDbfs) ? fmt(n.afterSignalDbfs, 1) : 'digital silence', int(n.afterSignalPeakLsb)]),
            { id: 'idle-noise', numeric: [1, 2, 3] },
          ),
          'Noise floor of each driver feed with silent input, through the bit-exact reference: from reset, and over the last 0.25 s of 0.5 s of silence that follows 0.5 s of full-scale noise (what rounding leaves ringing). dBFS relative to a full-scale square wave.',
        )
      : '') +
    `</section>`
  );
}

function codeSizeSection(x: Ctx): string {
  const rows = x.input.codeSize;
  let body: string;
  if (!rows || rows.length === 0) {
    body = notApplicable('Code size: not measured yet.');
  } else {
    body = figure(
      table(
        ['Target', 'text (B)', 'data (B)', 'bss (B)', 'Flash = text + data (B)', 'RAM = data + bss (B)'],
        rows.map((r) => [`<code>${h(r.target)}</code>`, int(r.text), int(r.data), int(r.bss), int(r.text + r.data), int(r.data + r.bss)]),
        { id: 'code-size', numeric: [1, 2, 3, 4, 5] },
      ),
      'Section sizes per target of the program\'s own object file (arrayc_<name>.c compiled with -O2; no harness or C library), measured with arm-none-eabi-size: text is code and constant tables (flash), data is initialized RAM (its initial values also take flash), bss is zero-initialized RAM (filter state and signal buffers).',
    );
  }
  const est = `From the program: coefficient tables ${kib(x.stats.coefBytes)}, filter state ${kib(x.stats.stateBytes)}, signal buffers ${kib(x.stats.bufferBytes)}.`;
  return `<section id="code-size"><h2>8. Code size per target</h2>${body}<p>${est}</p></section>`;
}

function budgetSection(x: Ctx): string {
  const rows = x.input.instructionBudget;
  const fs = x.fs;
  let body: string;
  if (!rows || rows.length === 0) {
    body = notApplicable('Instruction budget: not measured yet (arrayc bench).');
  } else {
    const totalI = rows.reduce((s, r) => s + r.instructionsPerSample, 0);
    const totalM = rows.reduce((s, r) => s + r.macsPerSample, 0);
    const body1 = rows.map((r) => [
      `<code>${h(r.block)}</code>`,
      `<code>${h(r.kind)}</code>`,
      fmt(r.instructionsPerSample, 1),
      fmt(r.macsPerSample, 1),
      r.macsPerSample > 0 ? fmt(r.instructionsPerSample / r.macsPerSample, 2) : '–',
      fmt((r.instructionsPerSample * fs) / 1e6, 2),
    ]);
    body1.push(['<b>total</b>', '', fmt(totalI, 1), fmt(totalM, 1), totalM > 0 ? fmt(totalI / totalM, 2) : '–', fmt((totalI * fs) / 1e6, 2)]);
    body = figure(
      table(['Block', 'Kind', 'Instructions/sample', 'MACs/sample', 'Instructions/MAC', `M instructions/s at ${fmtHz(fs)} Hz`], body1, { id: 'instruction-budget', numeric: [2, 3, 4, 5] }),
      `Instruction budget per block on ${h(x.input.target ?? 'cortex-m4')}, measured by arrayc bench: QEMU executed-instruction counts (no cycle model), steady-state block, per sample of each channel.`,
    );
  }
  return `<section id="instruction-budget"><h2>9. Instruction budget</h2>${body}</section>`;
}

// ---------------------------------------------------------------------------------------------

export function buildReport(input: ReportInput): string {
  const g = input.geometry;
  const fs = input.program.sampleRate;
  const bars = {
    ...DEFAULT_BARS,
    separationMedianDb: SEPARATION_MEDIAN_BARS_DB[input.name] ?? DEFAULT_BARS.separationMedianDb,
    ...Object.fromEntries(Object.entries(input.bars ?? {}).filter(([, v]) => v !== undefined)),
    whiteNoiseGainDb: g?.beam?.minWhiteNoiseGainDb ?? null,
    maxFilterGainDb: input.evaluation?.effort.limitDb ?? g?.effortLimitDb ?? null,
  };
  const ctx: Ctx = {
    input,
    fs,
    bars,
    stats: programStats(input.program),
    paths: pathStats(input.impulseResponses),
    channels: Object.keys(input.impulseResponses.float),
  };
  const sections = [
    summarySection(ctx),
    geometrySection(ctx),
    responsesSection(ctx),
    beamSection(ctx),
    separationSection(ctx),
    robustnessSection(ctx),
    fixedPointSection(ctx),
    codeSizeSection(ctx),
    budgetSection(ctx),
  ];
  const toc = [
    ['summary', 'Summary'],
    ['geometry', 'Geometry'],
    ['responses', 'Channel paths: frequency responses'],
    ['beam', 'Centre beam: polar patterns'],
    ['separation', 'Channel separation against the target'],
    ['robustness', 'Robustness over listener poses'],
    ['fixed-point', 'Fixed-point error'],
    ['code-size', 'Code size per target'],
    ['instruction-budget', 'Instruction budget'],
  ]
    .map(([id, t]) => `<li><a href="#${id}">${h(t)}</a></li>`)
    .join('');
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>arrayc report: ${h(input.name)}</title>\n<style>${REPORT_CSS}</style>\n</head>\n<body>\n<main>\n` +
    `<h1>arrayc report: ${h(input.name)}</h1>\n` +
    (input.description ? `<p class="desc">${h(input.description)}</p>\n` : '') +
    `<nav><ol>${toc}</ol></nav>\n` +
    sections.join('\n') +
    `\n</main>\n</body>\n</html>\n`
  );
}
