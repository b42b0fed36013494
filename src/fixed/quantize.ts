// Float graph -> fixed-point program. Headroom is computed, not guessed: every signal gets a
// scale (integer = real * 2^31 * scale) no larger than 1 / (its worst-case peak for full-scale
// inputs), so full-scale input cannot exceed full scale anywhere. Blocks with coefficients absorb
// the ratio of their output and input scales; delays and adders cannot, so they share one scale
// with their inputs (found by union-find).
import {
  type FloatBlock,
  type FloatGraph,
  type FloatSignal,
  floatSignalKey,
  maxPoleRadius,
  normalizeSos,
  poleDistanceToDc,
  worstCasePeaks,
} from '../design/graph.ts';
import { INT16_MAX, INT32_MAX } from './arith.ts';
import { INT64_SAFE_SUM_ABS_Q31 } from './blockKind.ts';
import type { Block, FixedProgram, SignalRef } from './program.ts';
import { validateProgram } from './validate.ts';

export class QuantizeError extends Error {
  constructor(readonly path: string, message: string) {
    super(`${path}: ${message}`);
  }
}

/** Safety margin under full scale, so coefficient rounding cannot push a peak past it. */
const HEADROOM_MARGIN = 1 - 2 ** -10;
/** Error feedback is switched on for sections with a pole this close to z = 1. */
const ERROR_FEEDBACK_POLE_DISTANCE = 0.1;

export interface QuantizeReport {
  /** Scale of every signal (floatSignalKey -> scale). */
  scales: Map<string, number>;
  /** Worst-case peak per signal for full-scale inputs, in the float design. */
  peaks: Map<string, number>;
}

function capFor(peak: number): number {
  return peak <= 1 ? 1 : HEADROOM_MARGIN / peak;
}

/**
 * Largest fraction bits f in [minF, maxF] such that every value rounds to |q| <= limit and every
 * group (one accumulator's coefficients) has sum |q| <= sumLimit; null if none.
 */
function chooseFracBits(groups: number[][], minF: number, maxF: number, limit: number, sumLimit: number): number | null {
  for (let f = maxF; f >= minF; f--) {
    const ok = groups.every((grp) => {
      let sum = 0;
      for (const v of grp) {
        const q = Math.abs(Math.round(v * 2 ** f));
        if (q > limit) return false;
        sum += q;
      }
      return sum <= sumLimit;
    });
    if (ok) return f;
  }
  return null;
}

const ACC_SUM_LIMIT = INT64_SAFE_SUM_ABS_Q31 - 1;
const chunk = (v: number[], n: number) => Array.from({ length: v.length / n }, (_, k) => v.slice(k * n, k * n + n));

class UnionFind {
  private parent = new Map<string, string>();
  find(k: string): string {
    let p = this.parent.get(k) ?? k;
    if (p !== k) {
      p = this.find(p);
      this.parent.set(k, p);
    }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

export function quantizeGraph(g: FloatGraph): { program: FixedProgram; report: QuantizeReport } {
  const peaks = worstCasePeaks(g);
  const pathOf = (b: FloatBlock) => b.origin ?? `block '${b.id}'`;

  // Scale groups: a delay or adder output shares the scale of its inputs.
  const uf = new UnionFind();
  for (const b of g.blocks) {
    if (b.kind === 'delay' || b.kind === 'add') for (const s of b.inputs) uf.union(`${b.id}.0`, floatSignalKey(s));
  }
  const groupCap = new Map<string, number>();
  const groupHasInput = new Map<string, boolean>();
  const members = new Map<string, string[]>();
  const allSignals = [...g.inputs.map((_, i) => floatSignalKey({ input: i }))];
  for (const b of g.blocks) {
    const n = b.kind === 'mix' ? b.matrix.length : 1;
    for (let c = 0; c < n; c++) allSignals.push(`${b.id}.${c}`);
  }
  for (const key of allSignals) {
    const root = uf.find(key);
    groupCap.set(root, Math.min(groupCap.get(root) ?? 1, capFor(peaks.get(key) ?? 0)));
    if (key.startsWith('in.')) groupHasInput.set(root, true);
    members.set(root, [...(members.get(root) ?? []), key]);
  }
  const scales = new Map<string, number>();
  for (const key of allSignals) {
    const root = uf.find(key);
    if (groupHasInput.get(root)) {
      // Program inputs are full scale by definition: their group cannot be attenuated.
      for (const m of members.get(root)!) {
        const peak = peaks.get(m) ?? 0;
        if (peak > 1 + 1e-9) {
          const id = m.split('.')[0];
          const b = g.blocks.find((x) => x.id === id)!;
          throw new QuantizeError(pathOf(b), `'${id}' can reach ${peak.toFixed(3)} x full scale from full-scale input, but it only routes program inputs (delay/add) and cannot be attenuated; put a gain block before it`);
        }
      }
      scales.set(key, 1);
    } else {
      scales.set(key, groupCap.get(root)!);
    }
  }
  const scaleOf = (s: FloatSignal) => scales.get(floatSignalKey(s))!;

  const toRef = (s: FloatSignal): SignalRef => ('input' in s ? { input: s.input } : { block: s.block, channel: s.channel });
  const blocks: Block[] = g.blocks.map((b) => quantizeBlock(b, pathOf(b), scaleOf, (k) => capFor(peaks.get(`${b.id}#${k}`) ?? 0), toRef));
  const program: FixedProgram = {
    name: g.name,
    sampleRate: g.sampleRate,
    blockSize: g.blockSize,
    inputs: g.inputs,
    blocks,
    outputs: g.outputs.map((o) => ({ name: o.name, source: toRef(o.source), scale: scaleOf(o.source) })),
  };
  validateProgram(program);
  return { program, report: { scales, peaks } };
}

function quantizeBlock(
  b: FloatBlock,
  path: string,
  scaleOf: (s: FloatSignal) => number,
  sectionCap: (k: number) => number,
  toRef: (s: FloatSignal) => SignalRef,
): Block {
  const out = (ch: number) => scaleOf({ block: b.id, channel: ch });
  const tooLarge = (what: string) => new QuantizeError(path, `${what} too large to represent after headroom scaling`);
  switch (b.kind) {
    case 'biquad': {
      const sections = b.sos.map(normalizeSos);
      const sIn = scaleOf(b.inputs[0]);
      const real: number[] = [];
      let prev = sIn;
      sections.forEach(([b0, b1, b2, a1, a2], k) => {
        const s = k === sections.length - 1 ? out(0) : sectionCap(k);
        const r = s / prev;
        real.push(b0 * r, b1 * r, b2 * r, -a1, -a2);
        prev = s;
      });
      const frac = chooseFracBits(chunk(real, 5), 16, 30, INT32_MAX - 1, ACC_SUM_LIMIT);
      if (frac === null) throw tooLarge('biquad coefficients');
      const coefs = real.map((v) => Math.round(v * 2 ** frac));
      sections.forEach((_, k) => {
        const na1 = coefs[5 * k + 3] / 2 ** frac;
        const na2 = coefs[5 * k + 4] / 2 ** frac;
        if (maxPoleRadius(-na1, -na2) >= 1) {
          throw new QuantizeError(`${path}.sos[${k}]`, `section becomes unstable when its coefficients are quantized to ${frac} fraction bits (poles too close to the unit circle)`);
        }
      });
      const errorFeedback = sections.map(([, , , a1, a2]) =>
        b.errorFeedback === 'auto' ? poleDistanceToDc(a1, a2) < ERROR_FEEDBACK_POLE_DISTANCE : b.errorFeedback,
      );
      return { kind: 'biquadDf1Q31', id: b.id, inputs: [toRef(b.inputs[0])], coefs, coefFracBits: frac, errorFeedback };
    }
    case 'fir': {
      const r = out(0) / scaleOf(b.inputs[0]);
      const real = b.taps.map((t) => t * r);
      if (b.precision === 'q31') {
        const f = chooseFracBits([real], 16, 31, INT32_MAX - 1, ACC_SUM_LIMIT);
        if (f === null) throw tooLarge('FIR taps');
        return { kind: 'firQ31', id: b.id, inputs: [toRef(b.inputs[0])], taps: real.map((v) => Math.round(v * 2 ** f)), coefFracBits: f };
      }
      const f = chooseFracBits([real], 1, 15, INT16_MAX, Infinity);
      if (f === null) throw tooLarge('FIR taps');
      return { kind: 'firQ15', id: b.id, inputs: [toRef(b.inputs[0])], taps: real.map((v) => Math.round(v * 2 ** f)), coefFracBits: f };
    }
    case 'delay':
      return { kind: 'delay', id: b.id, inputs: [toRef(b.inputs[0])], delaySamples: b.delaySamples };
    case 'gain': {
      const v = (b.gain * out(0)) / scaleOf(b.inputs[0]);
      const f = chooseFracBits([[v]], 16, 31, INT32_MAX - 1, Infinity);
      if (f === null) throw tooLarge('gain');
      return { kind: 'gainQ31', id: b.id, inputs: [toRef(b.inputs[0])], gain: Math.round(v * 2 ** f), fracBits: f };
    }
    case 'mix': {
      const real = b.matrix.flatMap((row, m) => row.map((gk, k) => (gk * out(m)) / scaleOf(b.inputs[k])));
      const f = chooseFracBits(chunk(real, b.inputs.length), 16, 31, INT32_MAX - 1, ACC_SUM_LIMIT);
      if (f === null) throw tooLarge('mix gains');
      return { kind: 'mixQ31', id: b.id, inputs: b.inputs.map(toRef), gains: real.map((v) => Math.round(v * 2 ** f)), outputs: b.matrix.length, fracBits: f };
    }
    case 'add':
      return { kind: 'addSatQ31', id: b.id, inputs: b.inputs.map(toRef) };
  }
}
