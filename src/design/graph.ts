// The float filter graph: what a design computes before quantization. Same topology as the
// fixed-point program, real-valued coefficients. Pure math: types, simulation, analysis.

export type FloatSignal = { input: number } | { block: string; channel: number };

/** One second-order section [b0, b1, b2, a0, a1, a2] (a0 != 0; normalized on use). */
export type Sos = [number, number, number, number, number, number];

/** Every block may carry where it came from (a design-file field path) for error messages. */
type Origin = { origin?: string };

export type FloatBlock = Origin & (
  | { kind: 'biquad'; id: string; inputs: [FloatSignal]; sos: Sos[]; errorFeedback: boolean | 'auto' }
  | { kind: 'fir'; id: string; inputs: [FloatSignal]; taps: number[]; precision: 'q31' | 'q15' }
  | { kind: 'delay'; id: string; inputs: [FloatSignal]; delaySamples: number }
  | { kind: 'gain'; id: string; inputs: [FloatSignal]; gain: number }
  | { kind: 'mix'; id: string; inputs: FloatSignal[]; matrix: number[][] }
  | { kind: 'add'; id: string; inputs: FloatSignal[] });

export interface FloatGraph {
  name: string;
  sampleRate: number;
  blockSize: number;
  inputs: string[];
  /** Topologically ordered. */
  blocks: FloatBlock[];
  outputs: { name: string; source: FloatSignal }[];
}

export function floatSignalKey(s: FloatSignal): string {
  return 'input' in s ? `in.${s.input}` : `${s.block}.${s.channel}`;
}

/** Normalized section: [b0, b1, b2, a1, a2] with a0 = 1. */
export function normalizeSos(s: Sos): [number, number, number, number, number] {
  const a0 = s[3];
  return [s[0] / a0, s[1] / a0, s[2] / a0, s[4] / a0, s[5] / a0];
}

/** Poles of 1 + a1 z^-1 + a2 z^-2 as [re, im] pairs. */
export function sectionPoles(a1: number, a2: number): [number, number][] {
  const disc = a1 * a1 - 4 * a2;
  if (disc >= 0) {
    const r = Math.sqrt(disc);
    return [[(-a1 + r) / 2, 0], [(-a1 - r) / 2, 0]];
  }
  const im = Math.sqrt(-disc) / 2;
  return [[-a1 / 2, im], [-a1 / 2, -im]];
}

export function maxPoleRadius(a1: number, a2: number): number {
  return Math.max(...sectionPoles(a1, a2).map(([re, im]) => Math.hypot(re, im)));
}

/** Distance of the section's nearest pole to z = 1. */
export function poleDistanceToDc(a1: number, a2: number): number {
  return Math.min(...sectionPoles(a1, a2).map(([re, im]) => Math.hypot(re - 1, im)));
}

/** Filter one signal through one normalized section, direct form I, in float. */
export function filterSection(c: readonly number[], x: Float64Array): Float64Array {
  const [b0, b1, b2, a1, a2] = c;
  const y = new Float64Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let n = 0; n < x.length; n++) {
    const x0 = x[n];
    const v = b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
    y[n] = v;
    x2 = x1; x1 = x0; y2 = y1; y1 = v;
  }
  return y;
}

export function filterFir(taps: readonly number[], x: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let n = 0; n < x.length; n++) {
    let acc = 0;
    const kMax = Math.min(taps.length - 1, n);
    for (let k = 0; k <= kMax; k++) acc += taps[k] * x[n - k];
    y[n] = acc;
  }
  return y;
}

export interface FloatSimulation {
  /** Signal by floatSignalKey. */
  signals: Map<string, Float64Array>;
  /** Per biquad block, the output of every section (the last equals the block output). */
  sectionOutputs: Map<string, Float64Array[]>;
  outputs: Float64Array[];
}

/** Run whole signals through the float graph. */
export function simulateFloat(g: FloatGraph, inputs: Float64Array[]): FloatSimulation {
  const signals = new Map<string, Float64Array>();
  const sectionOutputs = new Map<string, Float64Array[]>();
  inputs.forEach((x, i) => signals.set(floatSignalKey({ input: i }), x));
  const get = (s: FloatSignal) => signals.get(floatSignalKey(s))!;
  const len = inputs[0].length;
  for (const b of g.blocks) {
    const set = (ch: number, y: Float64Array) => signals.set(`${b.id}.${ch}`, y);
    switch (b.kind) {
      case 'biquad': {
        let y = get(b.inputs[0]);
        const outs: Float64Array[] = [];
        for (const s of b.sos) {
          y = filterSection(normalizeSos(s), y);
          outs.push(y);
        }
        sectionOutputs.set(b.id, outs);
        set(0, y);
        break;
      }
      case 'fir':
        set(0, filterFir(b.taps, get(b.inputs[0])));
        break;
      case 'delay': {
        const x = get(b.inputs[0]);
        const y = new Float64Array(len);
        y.set(x.subarray(0, Math.max(0, len - b.delaySamples)), Math.min(len, b.delaySamples));
        set(0, y);
        break;
      }
      case 'gain':
        set(0, get(b.inputs[0]).map((v) => v * b.gain));
        break;
      case 'mix': {
        const xs = b.inputs.map(get);
        b.matrix.forEach((row, m) => {
          const y = new Float64Array(len);
          row.forEach((gk, k) => { for (let n = 0; n < len; n++) y[n] += gk * xs[k][n]; });
          set(m, y);
        });
        break;
      }
      case 'add': {
        const y = new Float64Array(len);
        for (const x of b.inputs.map(get)) for (let n = 0; n < len; n++) y[n] += x[n];
        set(0, y);
        break;
      }
    }
  }
  return { signals, sectionOutputs, outputs: g.outputs.map((o) => get(o.source)) };
}

/**
 * Impulse-response length that captures every path: FIR lengths and delays add up, each IIR
 * section adds the time its slowest pole takes to decay by 240 dB.
 */
export function impulseResponseLength(g: FloatGraph, maxLength = 1 << 17): number {
  let len = 1;
  for (const b of g.blocks) {
    if (b.kind === 'fir') len += b.taps.length;
    else if (b.kind === 'delay') len += b.delaySamples;
    else if (b.kind === 'biquad') {
      for (const s of b.sos) {
        const [, , , a1, a2] = normalizeSos(s);
        const r = maxPoleRadius(a1, a2);
        len += r <= 1e-9 ? 3 : Math.ceil(Math.log(1e-12) / Math.log(r)) + 3;
      }
    }
  }
  return Math.min(maxLength, len);
}

/**
 * Worst-case peak of every signal for inputs bounded by 1 in magnitude: the sum over program
 * inputs of the L1 norm of the impulse response from that input. Keys: floatSignalKey, plus
 * `${blockId}#${section}` for the sections inside a biquad cascade.
 */
export function worstCasePeaks(g: FloatGraph): Map<string, number> {
  const len = impulseResponseLength(g);
  const peaks = new Map<string, number>();
  const addPeak = (key: string, h: Float64Array) => {
    let l1 = 0;
    for (let n = 0; n < h.length; n++) l1 += Math.abs(h[n]);
    peaks.set(key, (peaks.get(key) ?? 0) + l1);
  };
  for (let i = 0; i < g.inputs.length; i++) {
    const inputs = g.inputs.map((_, k) => {
      const x = new Float64Array(len);
      if (k === i) x[0] = 1;
      return x;
    });
    const sim = simulateFloat(g, inputs);
    for (const [key, h] of sim.signals) addPeak(key, h);
    for (const [id, outs] of sim.sectionOutputs) outs.forEach((h, k) => addPeak(`${id}#${k}`, h));
  }
  return peaks;
}
