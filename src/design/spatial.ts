// The whole spatial design of a geometry: virtualizer, crosstalk cancellation / null steering in
// RTF form, centre beam (or plain centre), delay alignment, realized as FIR and biquad filters,
// and the float filter graph that quantization turns into the fixed-point program.
//
// Signal flow (upmixed L, R, C in; one feed per driver out):
//   L -> ipsi all-pass ----------------------------+-> earL -> S_L -+-> delay -> L's reference driver
//   R -> contra low-pass -> ITD delay -------------+                +-> R_L,d  -> every other driver d
//   (and the mirror image for R, into earR, S_R and R_R,d)
//   C -> beam FIR per driver (or plain playback through C's home drivers), delay-aligned
//   each driver's feed = sum of its contributions
// S is the channel's shared CTC filter (the reference driver's response) and R_d the relative
// transfer function w_d / w_ref of every other driver, delayed by rtfDelaySamples so it is causal.
import { type Complex, cdiv, cexpj, cmul } from './complex.ts';
import { type CtcDesign, designCtc } from './ctc.ts';
import { designBeamformer } from './beamformer.ts';
import { type ArrayGeometry, type ChannelName, type ListenerPose, NOMINAL_POSE, ROBUSTNESS_GRID } from './geometry.ts';
import type { FloatBlock, FloatGraph, FloatSignal, Sos } from './graph.ts';
import { simulateFloat } from './graph.ts';
import { firResponse } from './filters.ts';
import { fftGrid, firOnGrid, realizationErrorDb, realizeFir } from './realize.ts';
import { type VirtualizerDesign, designVirtualizer } from './virtualizer.ts';

export type CtcRobustness = 'nominal' | 'near' | 'grid';

export interface SpatialSettings {
  /** Design grid size (bins 0..nfft/2). */
  nfft: number;
  ctc: {
    robustness: CtcRobustness;
    /** 'auto': RTF form where it meets the error bound with no more multiplies than direct FIRs. */
    form: 'auto' | 'rtf' | 'direct';
    modellingDelaySamples: number;
    rtfDelaySamples: number;
    maxTaps: number;
    realizationErrorDb: number;
  };
  beam: { delaySamples: number; maxTaps: number; realizationErrorDb: number };
}

export const DEFAULT_SPATIAL_SETTINGS: SpatialSettings = {
  nfft: 8192,
  ctc: { robustness: 'near', form: 'auto', modellingDelaySamples: 256, rtfDelaySamples: 64, maxTaps: 1024, realizationErrorDb: -30 },
  beam: { delaySamples: 384, maxTaps: 1024, realizationErrorDb: -30 },
};

/** The band where realization errors are judged: the separation bands, 300 Hz-6 kHz, widened by 1/3 octave. */
const CTC_ERROR_BAND_HZ: [number, number] = [300 * 2 ** (-1 / 3), 6000 * 2 ** (1 / 3)];

export function ctcDesignPoses(r: CtcRobustness): ListenerPose[] {
  if (r === 'nominal') return [NOMINAL_POSE];
  if (r === 'grid') return ROBUSTNESS_GRID;
  // Close neighbours of the nominal pose: 5 cm sideways, head turned 5 degrees.
  return [
    NOMINAL_POSE,
    { label: 'sideways -5 cm', offsetM: [0, -0.05, 0], yawDeg: 0 },
    { label: 'sideways +5 cm', offsetM: [0, 0.05, 0], yawDeg: 0 },
    { label: 'head turned -5 deg', offsetM: [0, 0, 0], yawDeg: -5 },
    { label: 'head turned +5 deg', offsetM: [0, 0, 0], yawDeg: 5 },
  ];
}

export interface RtfChannel {
  /**
   * 'rtf': shared filter plus ratio filters; 'direct': one FIR per driver, used (with form
   * 'auto') when the ratio filters cannot meet the error bound within their length limit, or
   * need more multiplies than direct FIRs (a ratio of two responses can ring much longer than
   * either, and its error is multiplied by the shared filter's gain).
   */
  form: 'rtf' | 'direct';
  /** Why this form. */
  note: string;
  referenceDriver: string;
  shared: number[];
  /** Per non-reference driver: the ratio filter (includes rtfDelaySamples); direct form: the driver's FIR. */
  ratios: Map<string, number[]>;
  /** Composite FIR per driver (shared * ratio, or shared delayed for the reference). */
  composite: Map<string, number[]>;
  /** Per driver: realization error of the composite against the design, worst 1/3-octave band, dB. */
  errorDb: Map<string, number>;
}

export interface SpatialDesign {
  geometry: ArrayGeometry;
  settings: SpatialSettings;
  virtualizer: VirtualizerDesign;
  ctcDesign: CtcDesign;
  ctc: { L: RtfChannel; R: RtfChannel };
  /** Centre path per driver: FIR taps (beam) or a unit impulse (plain), before alignment. */
  centre: { kind: 'beam' | 'plain'; firs: Map<string, number[]>; delaySamples: number; errorDb: Map<string, number> };
  /** Extra delay given to each path so all channels arrive aligned. */
  alignment: { lr: number; c: number };
  /** Total latency of every channel path, samples. */
  latencySamples: number;
  graph: FloatGraph;
}

function convolve(a: number[], b: number[]): number[] {
  const y = new Array(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) continue;
    for (let j = 0; j < b.length; j++) y[i + j] += a[i] * b[j];
  }
  return y;
}

const impulseAt = (delay: number) => Array.from({ length: delay + 1 }, (_, n) => (n === delay ? 1 : 0));

function realizeRtf(g: ArrayGeometry, ch: 'L' | 'R', w: Map<string, Complex[]>, freqs: number[], s: SpatialSettings): RtfChannel {
  const ref = g.homeDrivers[ch]![0];
  const wRef = w.get(ref)!;
  const o = { nfft: s.nfft, sampleRate: g.sampleRate, errorBoundDb: s.ctc.realizationErrorDb, bandHz: CTC_ERROR_BAND_HZ, maxLength: s.ctc.maxTaps };
  const shared = realizeFir(wRef, o).taps;
  // Ratios against the realized shared filter, so the composite matches the design as well as
  // the ratio filter alone can, whatever the shared filter's truncation did.
  const sharedResp = firOnGrid(shared, s.nfft);
  const ratios = new Map<string, number[]>();
  const composite = new Map<string, number[]>();
  const errorDb = new Map<string, number>();
  const tau = s.ctc.rtfDelaySamples;
  // The composite error is the ratio's error times the shared filter's gain: tighten the ratio's
  // bound by the shared filter's peak gain in the judged band, and let it be twice as long.
  let sharedPeak = 1;
  for (let k = 0; k < freqs.length; k++) {
    if (freqs[k] >= CTC_ERROR_BAND_HZ[0] && freqs[k] <= CTC_ERROR_BAND_HZ[1]) sharedPeak = Math.max(sharedPeak, Math.hypot(sharedResp[k].re, sharedResp[k].im));
  }
  const ratioOptions = { ...o, errorBoundDb: o.errorBoundDb - 20 * Math.log10(sharedPeak), maxLength: 2 * o.maxLength };
  for (const d of g.drivers) {
    if (d.id === ref) {
      composite.set(d.id, convolve(shared, impulseAt(tau)));
    } else {
      const ratio = w.get(d.id)!.map((v, k) => {
        const r = Math.hypot(sharedResp[k].re, sharedResp[k].im) < 1e-9 ? { re: 0, im: 0 } : cdiv(v, sharedResp[k]);
        return cmul(r, cexpj((-2 * Math.PI * freqs[k] * tau) / g.sampleRate));
      });
      const taps = realizeFir(ratio, ratioOptions).taps;
      ratios.set(d.id, taps);
      composite.set(d.id, convolve(shared, taps));
    }
    // The design's response including the RTF delay, to judge the composite against.
    const target = w.get(d.id)!.map((v, k) => cmul(v, cexpj((-2 * Math.PI * freqs[k] * tau) / g.sampleRate)));
    errorDb.set(d.id, realizationErrorDb(composite.get(d.id)!, target, s.nfft, g.sampleRate, CTC_ERROR_BAND_HZ));
  }
  const worst = Math.max(...errorDb.values());
  const rtf: RtfChannel = { form: 'rtf', referenceDriver: ref, shared, ratios, composite, errorDb, note: '' };
  if (s.ctc.form === 'rtf') return { ...rtf, note: 'RTF form as the design asks' };
  // Direct form: every driver's response realized on its own (the reference keeps its RTF delay
  // so both forms have the same latency).
  const direct = new Map<string, number[]>();
  const directError = new Map<string, number>();
  for (const d of g.drivers) {
    const target = w.get(d.id)!.map((v, k) => cmul(v, cexpj((-2 * Math.PI * freqs[k] * tau) / g.sampleRate)));
    const r = realizeFir(target, o);
    direct.set(d.id, r.taps);
    directError.set(d.id, r.errorDb);
  }
  const directForm: RtfChannel = { form: 'direct', referenceDriver: ref, shared: [], ratios: direct, composite: direct, errorDb: directError, note: '' };
  if (s.ctc.form === 'direct') return { ...directForm, note: 'direct form as the design asks' };
  const macs = (c: RtfChannel) => c.shared.length + [...c.ratios.values()].reduce((a, t) => a + t.length, 0);
  const rtfMeets = worst <= s.ctc.realizationErrorDb + RTF_ERROR_ALLOWANCE_DB;
  if (rtfMeets && macs(rtf) <= macs(directForm)) return { ...rtf, note: `RTF form: within the error bound, ${macs(rtf)} multiplies per frame against ${macs(directForm)} direct` };
  return {
    ...directForm,
    note: rtfMeets
      ? `direct form: the RTF form would need ${macs(rtf)} multiplies per frame against ${macs(directForm)}`
      : `direct form: the RTF form misses the error bound (worst ${worst.toFixed(1)} dB against ${s.ctc.realizationErrorDb} dB)`,
  };
}

/** How far past the error bound the RTF form may be before the direct form is used instead. */
const RTF_ERROR_ALLOWANCE_DB = 3;

export function designSpatial(g: ArrayGeometry, s: SpatialSettings = DEFAULT_SPATIAL_SETTINGS, blockSize = 48): SpatialDesign {
  const fs = g.sampleRate;
  const freqs = fftGrid(s.nfft, fs);
  const ctcDesign = designCtc(g, { nfft: s.nfft, modellingDelaySamples: s.ctc.modellingDelaySamples, head: { kind: 'sphere' }, designPoses: ctcDesignPoses(s.ctc.robustness) }, freqs);
  const ctc = { L: realizeRtf(g, 'L', ctcDesign.L.weights, freqs, s), R: realizeRtf(g, 'R', ctcDesign.R.weights, freqs, s) };
  const virtualizer = designVirtualizer({ angleDeg: g.virtualSpeakerDeg, headRadiusM: g.listener.headRadiusM, sampleRate: fs, speedOfSoundMps: g.speedOfSoundMps });

  let centre: SpatialDesign['centre'];
  if (g.beam) {
    const beam = designBeamformer(g, freqs, { delaySamples: s.beam.delaySamples, metrics: false });
    const firs = new Map<string, number[]>();
    const errorDb = new Map<string, number>();
    for (const [id, resp] of beam.weights) {
      const r = realizeFir(resp, { nfft: s.nfft, sampleRate: fs, errorBoundDb: s.beam.realizationErrorDb, bandHz: [100, 16000], maxLength: s.beam.maxTaps });
      if (r.taps.some((t) => t !== 0)) {
        firs.set(id, r.taps);
        errorDb.set(id, r.errorDb);
      }
    }
    centre = { kind: 'beam', firs, delaySamples: s.beam.delaySamples, errorDb };
  } else {
    const home = g.homeDrivers.C ?? [...(g.homeDrivers.L ?? []), ...(g.homeDrivers.R ?? [])];
    // Without a beam the centre plays through its home drivers, shared equally in power.
    const gain = 1 / Math.sqrt(home.length);
    centre = { kind: 'plain', firs: new Map(home.map((id) => [id, [gain]])), delaySamples: 0, errorDb: new Map() };
  }
  const lrLatency = s.ctc.modellingDelaySamples + s.ctc.rtfDelaySamples;
  const latencySamples = Math.max(lrLatency, centre.delaySamples);
  const alignment = { lr: latencySamples - lrLatency, c: latencySamples - centre.delaySamples };
  const design = { geometry: g, settings: s, virtualizer, ctcDesign, ctc, centre, alignment, latencySamples };
  return { ...design, graph: spatialGraph(design, blockSize) };
}

/** The float filter graph of the design, inputs L, R, C (upmixed), one output per driver. */
export function spatialGraph(d: Omit<SpatialDesign, 'graph'>, blockSize: number): FloatGraph {
  const g = d.geometry;
  const blocks: FloatBlock[] = [];
  const sig = (id: string): FloatSignal => ({ block: id, channel: 0 });
  const input = (ch: ChannelName): FloatSignal => ({ input: ['L', 'R', 'C'].indexOf(ch) });
  const contributions = new Map<string, FloatSignal[]>(g.drivers.map((dr) => [dr.id, []]));
  const v = d.virtualizer;
  const sos = (s: Sos[]) => s.map((x) => [...x] as Sos);
  // Virtualizer: each input reaches its own ear through the all-pass, the other ear through the
  // delayed low-pass.
  for (const ch of ['L', 'R'] as const) {
    if (v.ipsiSos.length) blocks.push({ kind: 'biquad', id: `virt${ch}_ipsi`, inputs: [input(ch)], sos: sos(v.ipsiSos), errorFeedback: 'auto' });
    else blocks.push({ kind: 'gain', id: `virt${ch}_ipsi`, inputs: [input(ch)], gain: 1 });
    if (v.contraSos.length) blocks.push({ kind: 'biquad', id: `virt${ch}_contraLp`, inputs: [input(ch)], sos: sos(v.contraSos), errorFeedback: 'auto' });
    else blocks.push({ kind: 'gain', id: `virt${ch}_contraLp`, inputs: [input(ch)], gain: 1 });
    blocks.push({ kind: 'delay', id: `virt${ch}_contra`, inputs: [sig(`virt${ch}_contraLp`)], delaySamples: v.contraDelaySamples });
  }
  blocks.push({ kind: 'add', id: 'earL', inputs: [sig('virtL_ipsi'), sig('virtR_contra')] });
  blocks.push({ kind: 'add', id: 'earR', inputs: [sig('virtR_ipsi'), sig('virtL_contra')] });
  for (const ch of ['L', 'R'] as const) {
    const rtf = d.ctc[ch];
    if (rtf.form === 'direct') {
      for (const [id, taps] of rtf.composite) {
        blocks.push({ kind: 'fir', id: `ctc${ch}_direct_${id}`, inputs: [sig(`ear${ch}`)], taps, precision: 'q31' });
        let out = `ctc${ch}_direct_${id}`;
        if (d.alignment.lr > 0) {
          blocks.push({ kind: 'delay', id: `ctc${ch}_${id}`, inputs: [sig(out)], delaySamples: d.alignment.lr });
          out = `ctc${ch}_${id}`;
        }
        contributions.get(id)!.push(sig(out));
      }
      continue;
    }
    blocks.push({ kind: 'fir', id: `ctc${ch}_shared`, inputs: [sig(`ear${ch}`)], taps: rtf.shared, precision: 'q31' });
    const refDelay = d.settings.ctc.rtfDelaySamples + d.alignment.lr;
    blocks.push({ kind: 'delay', id: `ctc${ch}_${rtf.referenceDriver}`, inputs: [sig(`ctc${ch}_shared`)], delaySamples: refDelay });
    contributions.get(rtf.referenceDriver)!.push(sig(`ctc${ch}_${rtf.referenceDriver}`));
    for (const [id, taps] of rtf.ratios) {
      blocks.push({ kind: 'fir', id: `ctc${ch}_rtf_${id}`, inputs: [sig(`ctc${ch}_shared`)], taps, precision: 'q31' });
      let out = `ctc${ch}_rtf_${id}`;
      if (d.alignment.lr > 0) {
        blocks.push({ kind: 'delay', id: `ctc${ch}_${id}`, inputs: [sig(out)], delaySamples: d.alignment.lr });
        out = `ctc${ch}_${id}`;
      }
      contributions.get(id)!.push(sig(out));
    }
  }
  for (const [id, taps] of d.centre.firs) {
    const name = `centre_${id}`;
    if (taps.length === 1) blocks.push({ kind: 'gain', id: `${name}_gain`, inputs: [input('C')], gain: taps[0] });
    else blocks.push({ kind: 'fir', id: `${name}_gain`, inputs: [input('C')], taps, precision: 'q31' });
    blocks.push({ kind: 'delay', id: name, inputs: [sig(`${name}_gain`)], delaySamples: d.alignment.c });
    contributions.get(id)!.push(sig(name));
  }
  const outputs: FloatGraph['outputs'] = [];
  for (const dr of g.drivers) {
    const c = contributions.get(dr.id)!;
    if (c.length === 0) continue;
    blocks.push({ kind: 'add', id: `feed_${dr.id}`, inputs: c });
    outputs.push({ name: dr.id, source: sig(`feed_${dr.id}`) });
  }
  return { name: g.name, sampleRate: g.sampleRate, blockSize, inputs: ['L', 'R', 'C'], blocks, outputs };
}

export interface RealizationSummary {
  modellingDelaySamples: number;
  rtfDelaySamples: number;
  latencySamples: number;
  latencyMs: number;
  ctcForm: { L: string; R: string };
  /** Every FIR of the design: where it sits, its length, its worst-band realization error. */
  filters: { path: string; taps: number; errorDb: number | null }[];
  virtualizer: { ipsiSections: number; contraSections: number; contraDelaySamples: number; maxMagnitudeErrorDb: number };
}

/** What was realized and how well, for the build output, eval --json and the report. */
export function realizationSummary(d: SpatialDesign): RealizationSummary {
  const filters: RealizationSummary['filters'] = [];
  for (const ch of ['L', 'R'] as const) {
    const c = d.ctc[ch];
    if (c.form === 'rtf') filters.push({ path: `ctc ${ch} shared`, taps: c.shared.length, errorDb: null });
    for (const [id, taps] of c.ratios) filters.push({ path: `ctc ${ch} ${c.form === 'rtf' ? 'ratio' : 'direct'} -> ${id}`, taps: taps.length, errorDb: c.errorDb.get(id) ?? null });
    if (c.form === 'rtf') filters.push({ path: `ctc ${ch} reference -> ${c.referenceDriver} (composite)`, taps: c.composite.get(c.referenceDriver)!.length, errorDb: c.errorDb.get(c.referenceDriver) ?? null });
  }
  for (const [id, taps] of d.centre.firs) filters.push({ path: `centre ${d.centre.kind} -> ${id}`, taps: taps.length, errorDb: d.centre.errorDb.get(id) ?? null });
  const v = d.virtualizer;
  return {
    modellingDelaySamples: d.settings.ctc.modellingDelaySamples,
    rtfDelaySamples: d.settings.ctc.rtfDelaySamples,
    latencySamples: d.latencySamples,
    latencyMs: (1000 * d.latencySamples) / d.geometry.sampleRate,
    ctcForm: { L: d.ctc.L.note, R: d.ctc.R.note },
    filters,
    virtualizer: { ipsiSections: v.ipsiSos.length, contraSections: v.contraSos.length, contraDelaySamples: v.contraDelaySamples, maxMagnitudeErrorDb: v.report.maxMagnitudeErrorDb },
  };
}

/** Longest impulse response exported: the brief's limit. */
export const MAX_EXPORT_TAPS = 16384;

/** Trim trailing samples below 1e-12 of the peak (IIR tails), within MAX_EXPORT_TAPS. */
export function trimTail(h: ArrayLike<number>): number[] {
  let peak = 0;
  for (let n = 0; n < h.length; n++) peak = Math.max(peak, Math.abs(h[n]));
  let end = Math.min(h.length, MAX_EXPORT_TAPS);
  while (end > 1 && Math.abs(h[end - 1]) <= 1e-12 * peak) end--;
  return Array.from({ length: end }, (_, n) => h[n]);
}

/** Whole-path impulse responses: per upmixed channel, per driver (float graph, impulse in). */
export function channelImpulseResponses(graph: FloatGraph, length = MAX_EXPORT_TAPS): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  graph.inputs.forEach((ch, i) => {
    const inputs = graph.inputs.map((_, k) => {
      const x = new Float64Array(length);
      if (k === i) x[0] = 1;
      return x;
    });
    const sim = simulateFloat(graph, inputs);
    out[ch] = Object.fromEntries(graph.outputs.map((o, k) => [o.name, trimTail(sim.outputs[k])]));
  });
  return out;
}

/** The CTC stage alone, per channel and driver (composite RTF filters). */
export function ctcImpulseResponses(d: SpatialDesign): Record<'L' | 'R', Record<string, number[]>> {
  return {
    L: Object.fromEntries(d.ctc.L.composite),
    R: Object.fromEntries(d.ctc.R.composite),
  };
}

/** The designed filters as eval sees them: the CTC stage for L and R, the centre path for C. */
export function designedFilters(d: SpatialDesign): (freqsHz: number[]) => Partial<Record<ChannelName, Map<string, Complex[]>>> {
  const fs = d.geometry.sampleRate;
  return (freqs) => ({
    L: new Map([...d.ctc.L.composite].map(([id, taps]) => [id, firAt(taps, freqs, fs)])),
    R: new Map([...d.ctc.R.composite].map(([id, taps]) => [id, firAt(taps, freqs, fs)])),
    C: new Map([...d.centre.firs].map(([id, taps]) => [id, firAt(taps, freqs, fs)])),
  });
}

/** Response of FIR taps at arbitrary frequencies (for the evaluation grid). */
export function firAt(taps: number[], freqsHz: number[], sampleRate: number): Complex[] {
  return freqsHz.map((f) => firResponse(taps, f, sampleRate));
}
