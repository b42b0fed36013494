// An independent, deliberately naive executor of a FixedProgram, written with BigInt straight
// from the semantics stated in the comments of src/fixed/blocks/*.ts. It shares no code with the
// reference executor (no import from src/fixed/blocks or src/fixed/arith.ts): only the program
// types. It runs sample by sample (no blocks, no split arithmetic, no chunking), which is valid
// because the graph is acyclic and causal: the blocked executors zero-pad the last block and
// truncate, which cannot influence earlier samples.
//
// Every 64-bit accumulator (every partial sum, in the order the C kernels evaluate it) is checked
// against the int64 range, so a spec run that does not throw proves that the validator's static
// bounds held for that program and input.
//
// The second half of this file holds the seeded random generators of programs and inputs shared
// by test/reference-spec.test.ts and test/property.test.ts; they are test scaffolding, not spec.
import type {
  AddSatQ31Block,
  BiquadDf1Q31Block,
  Block,
  DelayBlock,
  FirQ15Block,
  FirQ31Block,
  FixedProgram,
  GainQ31Block,
  MixQ31Block,
  SignalRef,
} from '../../src/fixed/program.ts';

// ---- spec arithmetic -------------------------------------------------------------------------

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const I32_MIN = -(1n << 31n);
const I32_MAX = (1n << 31n) - 1n;
const I16_MIN = -(1n << 15n);
const I16_MAX = (1n << 15n) - 1n;

export class Int64OverflowError extends Error {}

/** Every accumulator value passes through here: throws if it left the int64 range. */
function acc64(v: bigint, where: string): bigint {
  if (v < I64_MIN || v > I64_MAX) throw new Int64OverflowError(`${where}: 64-bit accumulator overflow, value ${v}`);
  return v;
}

function sat32(v: bigint): bigint {
  return v > I32_MAX ? I32_MAX : v < I32_MIN ? I32_MIN : v;
}

function sat16(v: bigint): bigint {
  return v > I16_MAX ? I16_MAX : v < I16_MIN ? I16_MIN : v;
}

/** The value as an int32; throws if a block produced something that is not one. */
function toInt32(v: bigint, where: string): number {
  if (v < I32_MIN || v > I32_MAX) throw new Error(`${where}: output ${v} is not an int32`);
  return Number(v);
}

/** A per-block sample processor: input samples of one frame -> output samples of that frame. */
type SpecStep = (x: bigint[], frame: number) => bigint[];

function biquadSpec(b: BiquadDf1Q31Block): SpecStep {
  const nSections = b.coefs.length / 5;
  const s = BigInt(b.coefFracBits);
  const half = 1n << (s - 1n);
  const c = b.coefs.map(BigInt);
  const st = Array.from({ length: nSections }, () => ({ x1: 0n, x2: 0n, y1: 0n, y2: 0n, e: 0n }));
  return (x, frame) => {
    let v = x[0];
    for (let k = 0; k < nSections; k++) {
      const where = `${b.id} section ${k} frame ${frame}`;
      const z = st[k];
      const [b0, b1, b2, na1, na2] = c.slice(5 * k, 5 * k + 5);
      // In the C kernel's order: b0 x0 + b1 x1 + b2 x2 + na1 y1 + na2 y2 + e + 2^(s-1).
      let acc = acc64(b0 * v, where);
      acc = acc64(acc + b1 * z.x1, where);
      acc = acc64(acc + b2 * z.x2, where);
      acc = acc64(acc + na1 * z.y1, where);
      acc = acc64(acc + na2 * z.y2, where);
      if (b.errorFeedback[k]) acc = acc64(acc + z.e, where);
      const r = acc64(acc + half, where);
      const q = r >> s; // floor
      if (b.errorFeedback[k]) z.e = r - (q << s) - half;
      const y = sat32(q);
      z.x2 = z.x1;
      z.x1 = v;
      z.y2 = z.y1;
      z.y1 = y;
      v = y;
    }
    return [v];
  };
}

/** A history line: h.at(k) is x[n-k] (zero before the first sample). */
class History {
  private readonly buf: bigint[];
  private pos = 0;
  constructor(readonly length: number) {
    this.buf = new Array(Math.max(1, length)).fill(0n);
  }
  push(v: bigint): void {
    this.pos = (this.pos + 1) % this.buf.length;
    this.buf[this.pos] = v;
  }
  at(k: number): bigint {
    return this.buf[(this.pos - k + this.buf.length * 2) % this.buf.length];
  }
}

function firQ31Spec(b: FirQ31Block): SpecStep {
  const s = BigInt(b.coefFracBits);
  const half = 1n << (s - 1n);
  const h = b.taps.map(BigInt);
  const hist = new History(h.length);
  return (x, frame) => {
    const where = `${b.id} frame ${frame}`;
    hist.push(x[0]);
    let acc = 0n;
    for (let k = 0; k < h.length; k++) acc = acc64(acc + h[k] * hist.at(k), where);
    return [sat32(acc64(acc + half, where) >> s)];
  };
}

function firQ15Spec(b: FirQ15Block): SpecStep {
  const s = BigInt(b.coefFracBits);
  const half = 1n << (s - 1n);
  const h = b.taps.map(BigInt);
  const hist = new History(h.length);
  return (x, frame) => {
    const where = `${b.id} frame ${frame}`;
    hist.push(sat16((x[0] + (1n << 15n)) >> 16n));
    let acc = 0n;
    for (let k = 0; k < h.length; k++) acc = acc64(acc + h[k] * hist.at(k), where);
    return [sat16(acc64(acc + half, where) >> s) * 65536n];
  };
}

function delaySpec(b: DelayBlock): SpecStep {
  const d = b.delaySamples;
  const hist = new History(d + 1);
  return (x) => {
    hist.push(x[0]);
    return [hist.at(d)];
  };
}

function gainSpec(b: GainQ31Block): SpecStep {
  const s = BigInt(b.fracBits);
  const half = 1n << (s - 1n);
  const g = BigInt(b.gain);
  return (x, frame) => [sat32(acc64(acc64(g * x[0], `${b.id} frame ${frame}`) + half, `${b.id} frame ${frame}`) >> s)];
}

function mixSpec(b: MixQ31Block): SpecStep {
  const s = BigInt(b.fracBits);
  const half = 1n << (s - 1n);
  const g = b.gains.map(BigInt);
  const nIn = b.inputs.length;
  return (x, frame) => {
    const y: bigint[] = [];
    for (let m = 0; m < b.outputs; m++) {
      const where = `${b.id} output ${m} frame ${frame}`;
      let acc = 0n;
      for (let k = 0; k < nIn; k++) acc = acc64(acc + g[m * nIn + k] * x[k], where);
      y.push(sat32(acc64(acc + half, where) >> s));
    }
    return y;
  };
}

function addSatSpec(b: AddSatQ31Block): SpecStep {
  return (x, frame) => {
    let acc = 0n;
    for (const v of x) acc = acc64(acc + v, `${b.id} frame ${frame}`);
    return [sat32(acc)];
  };
}

function specStep(b: Block): SpecStep {
  switch (b.kind) {
    case 'biquadDf1Q31':
      return biquadSpec(b);
    case 'firQ31':
      return firQ31Spec(b);
    case 'firQ15':
      return firQ15Spec(b);
    case 'delay':
      return delaySpec(b);
    case 'gainQ31':
      return gainSpec(b);
    case 'mixQ31':
      return mixSpec(b);
    case 'addSatQ31':
      return addSatSpec(b);
    case 'upmixQ31':
      // Block-based: a block's gain depends on all of its frames, so it has no sample-by-sample
      // form. Its naive BigInt twin is in test/upmix-fixed.test.ts.
      throw new Error(`${b.id}: upmixQ31 has no sample-by-sample spec (see test/upmix-fixed.test.ts)`);
    case 'noiseSuppressor':
      // A hop-based spectral processor: its stages are checked one by one against float
      // computations in test/ns-*.test.ts.
      throw new Error(`${b.id}: noiseSuppressor has no sample-by-sample spec (see test/ns-*.test.ts)`);
  }
}

export interface SpecResult {
  outputs: Int32Array[];
  /** trace[blockIndex][channel], whole length. */
  trace: Int32Array[][];
}

/**
 * Runs the program sample by sample. Assumes only what the program types say; structural errors
 * (unknown refs, forward refs) throw. Does not call the project's validator.
 */
export function runSpec(program: FixedProgram, inputs: Int32Array[]): SpecResult {
  const frames = inputs[0]?.length ?? 0;
  if (inputs.length !== program.inputs.length) throw new Error(`expected ${program.inputs.length} input channels, got ${inputs.length}`);
  const steps = program.blocks.map(specStep);
  const index = new Map<string, number>();
  program.blocks.forEach((b, k) => index.set(b.id, k));
  const current: bigint[][] = program.blocks.map(() => []);
  let frameIn: bigint[] = [];
  const read = (r: SignalRef): bigint => {
    if ('input' in r) {
      const v = frameIn[r.input];
      if (v === undefined) throw new Error(`no input ${r.input}`);
      return v;
    }
    const k = index.get(r.block);
    const v = k === undefined ? undefined : current[k][r.channel];
    if (v === undefined) throw new Error(`signal ${r.block}.${r.channel} is not available`);
    return v;
  };
  const trace = program.blocks.map(() => [] as Int32Array[]);
  const outputs = program.outputs.map(() => new Int32Array(frames));
  for (let n = 0; n < frames; n++) {
    frameIn = inputs.map((x) => BigInt(x[n]));
    // Blocks not yet computed this frame hold no values: a forward reference throws.
    for (let k = 0; k < current.length; k++) current[k] = [];
    program.blocks.forEach((b, k) => {
      const y = steps[k](b.inputs.map(read), n);
      current[k] = y;
      if (n === 0) for (let ch = 0; ch < y.length; ch++) trace[k].push(new Int32Array(frames));
      y.forEach((v, ch) => (trace[k][ch][n] = toInt32(v, `${b.id}.${ch} frame ${n}`)));
    });
    program.outputs.forEach((o, k) => (outputs[k][n] = toInt32(read(o.source), `output ${o.name} frame ${n}`)));
  }
  return { outputs, trace };
}

// ---- seeded generators of test programs and inputs (test scaffolding) ------------------------

export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;
/** The validator's per-accumulator limit on sum |coefficients| (INT64_SAFE_SUM_ABS_Q31 - 1). */
export const SUM_ABS_LIMIT = 2 ** 32 - 2;

/** Seeded PRNG (mulberry32) with helpers. */
export class Rng {
  private a: number;
  constructor(readonly seed: number) {
    this.a = seed >>> 0;
  }
  u32(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.u32() / 2 ** 32;
  }
  /** Uniform integer in [lo, hi] (hi - lo < 2^32). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }
  int32(): number {
    return this.u32() | 0;
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.float() * xs.length)];
  }
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}

/** A value of `bits` magnitude bits at most, either sign. */
function signedBits(rng: Rng, bits: number): number {
  const m = Math.floor(rng.float() * 2 ** bits);
  return rng.chance(0.5) ? -m : m;
}

const EXTREMES32 = [INT32_MIN, INT32_MAX, -INT32_MAX, 0, 1, -1, 2 ** 30, -(2 ** 30), 2 ** 30 - 1, INT32_MIN + 1, 65535, -65536, 65536, 32768, -32769];

/** One int32 from a mixture: uniform full range, extremes, or random magnitude. */
export function randInt32(rng: Rng): number {
  const r = rng.float();
  if (r < 0.35) return rng.int32();
  if (r < 0.6) return rng.pick(EXTREMES32);
  return Math.max(INT32_MIN, Math.min(INT32_MAX, signedBits(rng, rng.int(0, 31))));
}

/** A budget for sum |coefficients|: the validator's limit, or (to keep outputs mostly unsaturated) smaller. */
export function randomBudget(rng: Rng): number {
  return rng.chance(0.5) ? SUM_ABS_LIMIT : 2 ** rng.int(4, 31);
}

/**
 * n int32 values with sum |v| <= limit: drawn from the mixture, then either scaled down as a whole
 * or clamped one by one in random order to the remaining budget (which tends to hit the limit
 * exactly, with one extreme value and the rest filling the budget).
 */
export function budgetedInt32s(rng: Rng, n: number, limit = SUM_ABS_LIMIT): number[] {
  const v = Array.from({ length: n }, () => randInt32(rng));
  let sum = v.reduce((a, x) => a + Math.abs(x), 0);
  if (sum > limit) {
    if (rng.chance(0.5)) {
      const f = limit / sum;
      for (let i = 0; i < n; i++) v[i] = Math.trunc(v[i] * f);
    } else {
      let left = limit;
      for (const i of rng.shuffle(Array.from({ length: n }, (_, i) => i))) {
        if (Math.abs(v[i]) > left) v[i] = Math.sign(v[i]) * left;
        left -= Math.abs(v[i]);
      }
    }
  }
  sum = v.reduce((a, x) => a + Math.abs(x), 0);
  if (sum > limit || v.some((x) => !Number.isInteger(x) || x < INT32_MIN || x > INT32_MAX)) throw new Error('budgetedInt32s: bad draw');
  return v;
}

/** Biquad section from a real stable design (poles inside the unit circle), quantized. */
function designedSection(rng: Rng, s: number): number[] | null {
  // Half of them with a pole radius in [0.9, 0.99999]: the case error feedback is for.
  const r = rng.chance(0.5) ? 1 - 10 ** -(1 + 4 * rng.float()) : rng.float() * 0.99;
  const th = rng.chance(0.3) ? rng.float() * 0.05 : rng.float() * Math.PI;
  const na1 = 2 * r * Math.cos(th);
  const na2 = -r * r;
  const g = rng.float() * 2;
  const zr = rng.float() * 1.2;
  const zt = rng.float() * Math.PI;
  const real = [g, -2 * g * zr * Math.cos(zt), g * zr * zr, na1, na2];
  const q = real.map((x) => Math.round(x * 2 ** s));
  if (q.some((x) => x < INT32_MIN || x > INT32_MAX)) return null;
  if (q.reduce((a, x) => a + Math.abs(x), 0) > SUM_ABS_LIMIT) return null;
  return q;
}

export function randomBiquad(rng: Rng, id: string, input: SignalRef, opts: { maxSections?: number } = {}): BiquadDf1Q31Block {
  const nSections = rng.int(1, opts.maxSections ?? 4);
  const coefs: number[] = [];
  const errorFeedback: boolean[] = [];
  // One coefFracBits for the whole cascade; designed sections need it to fit their values.
  const coefFracBits = rng.chance(0.4) ? 30 : rng.int(16, 31);
  for (let k = 0; k < nSections; k++) {
    let sec: number[] | null = null;
    if (rng.chance(0.5)) for (let t = 0; t < 8 && !sec; t++) sec = designedSection(rng, coefFracBits);
    coefs.push(...(sec ?? budgetedInt32s(rng, 5, randomBudget(rng))));
    errorFeedback.push(rng.chance(0.5));
  }
  return { kind: 'biquadDf1Q31', id, inputs: [input], coefs, coefFracBits, errorFeedback };
}

export function randomTapCount(rng: Rng, max = 300): number {
  return rng.chance(0.5) ? rng.pick([1, 2, 3, 4, 5, 63, 64, 65, 127, 128, 129].filter((n) => n <= max)) : rng.int(1, max);
}

export function randomFirQ31(rng: Rng, id: string, input: SignalRef, opts: { maxTaps?: number; nTaps?: number } = {}): FirQ31Block {
  const n = opts.nTaps ?? randomTapCount(rng, opts.maxTaps);
  let taps: number[];
  if (rng.chance(0.25)) {
    // A windowed-sinc lowpass: realistic, mostly unsaturated output.
    const fc = 0.02 + rng.float() * 0.4;
    const real = Array.from({ length: n }, (_, k) => {
      const t = k - (n - 1) / 2;
      const w = n === 1 ? 1 : 0.54 - 0.46 * Math.cos((2 * Math.PI * k) / (n - 1));
      return (t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t)) * w;
    });
    const sumAbs = real.reduce((a, x) => a + Math.abs(x), 0);
    const peak = Math.max(...real.map(Math.abs));
    const s = Math.max(16, Math.min(31, Math.floor(Math.min(Math.log2(INT32_MAX / peak), Math.log2(SUM_ABS_LIMIT / sumAbs)))));
    taps = real.map((x) => Math.round(x * 2 ** s));
    if (taps.reduce((a, x) => a + Math.abs(x), 0) <= SUM_ABS_LIMIT && taps.every((x) => x >= INT32_MIN && x <= INT32_MAX)) {
      return { kind: 'firQ31', id, inputs: [input], taps, coefFracBits: s };
    }
  }
  taps = budgetedInt32s(rng, n, randomBudget(rng));
  return { kind: 'firQ31', id, inputs: [input], taps, coefFracBits: rng.int(16, 31) };
}

export function randomFirQ15(rng: Rng, id: string, input: SignalRef, opts: { maxTaps?: number; nTaps?: number } = {}): FirQ15Block {
  const n = opts.nTaps ?? randomTapCount(rng, opts.maxTaps);
  const style = rng.int(0, 2);
  const taps = Array.from({ length: n }, () =>
    style === 0 ? rng.int(-32768, 32767) : style === 1 ? rng.pick([-32768, 32767, 0, 1, -1, 16384, -16384]) : signedBits(rng, rng.int(0, 15)),
  ).map((t) => Math.max(-32768, Math.min(32767, t)));
  return { kind: 'firQ15', id, inputs: [input], taps, coefFracBits: rng.chance(0.3) ? 15 : rng.int(1, 15) };
}

export function randomDelay(rng: Rng, id: string, input: SignalRef, blockSize: number, maxDelay = 5000): DelayBlock {
  const choices = [0, 1, 2, blockSize - 1, blockSize, blockSize + 1, 2 * blockSize + 3, rng.int(0, maxDelay)].filter((d) => d >= 0 && d <= maxDelay);
  return { kind: 'delay', id, inputs: [input], delaySamples: rng.pick(choices) };
}

export function randomGain(rng: Rng, id: string, input: SignalRef): GainQ31Block {
  return { kind: 'gainQ31', id, inputs: [input], gain: randInt32(rng), fracBits: rng.int(16, 31) };
}

export function randomMix(rng: Rng, id: string, inputs: SignalRef[], outputs: number): MixQ31Block {
  const gains: number[] = [];
  for (let m = 0; m < outputs; m++) gains.push(...budgetedInt32s(rng, inputs.length, randomBudget(rng)));
  return { kind: 'mixQ31', id, inputs, gains, outputs, fracBits: rng.int(16, 31) };
}

export function randomAddSat(_rng: Rng, id: string, inputs: SignalRef[]): AddSatQ31Block {
  return { kind: 'addSatQ31', id, inputs };
}

export const BLOCK_SIZES = [1, 7, 16, 48, 64, 100, 128];

export interface RandomProgramOptions {
  minBlocks?: number;
  maxBlocks?: number;
  maxTaps?: number;
  maxDelay?: number;
  maxMixInputs?: number;
  maxMixOutputs?: number;
  blockSizes?: number[];
  /** Input channel count range. */
  inputs?: [number, number];
  /** Output channel count range. */
  outputs?: [number, number];
}

/**
 * A random DAG: every block kind, each block reading program inputs or earlier blocks' outputs,
 * outputs taken from random signals (biased towards late blocks so most of the graph is live).
 */
export function randomProgram(rng: Rng, name: string, o: RandomProgramOptions = {}): FixedProgram {
  const nInputs = rng.int(...(o.inputs ?? [1, 3]));
  const blockSize = rng.chance(0.7) ? rng.pick(o.blockSizes ?? BLOCK_SIZES) : rng.int(1, 160);
  const nBlocks = rng.int(o.minBlocks ?? 4, o.maxBlocks ?? 10);
  const signals: SignalRef[] = Array.from({ length: nInputs }, (_, k) => ({ input: k }));
  const blocks: Block[] = [];
  const kinds: Exclude<Block['kind'], 'upmixQ31' | 'noiseSuppressor'>[] = ['biquadDf1Q31', 'firQ31', 'firQ15', 'delay', 'gainQ31', 'mixQ31', 'addSatQ31'];
  // Prefer recent signals so the graph gets deep, not only wide.
  const pickSignal = (): SignalRef => (rng.chance(0.6) ? signals[rng.int(Math.max(0, signals.length - 4), signals.length - 1)] : rng.pick(signals));
  for (let k = 0; k < nBlocks; k++) {
    const kind = k < kinds.length && nBlocks >= kinds.length ? kinds[k] : rng.pick(kinds);
    const id = `${kind}_${k}`;
    let b: Block;
    switch (kind) {
      case 'biquadDf1Q31':
        b = randomBiquad(rng, id, pickSignal());
        break;
      case 'firQ31':
        b = randomFirQ31(rng, id, pickSignal(), { maxTaps: o.maxTaps ?? 200 });
        break;
      case 'firQ15':
        b = randomFirQ15(rng, id, pickSignal(), { maxTaps: o.maxTaps ?? 200 });
        break;
      case 'delay':
        b = randomDelay(rng, id, pickSignal(), blockSize, o.maxDelay ?? 3000);
        break;
      case 'gainQ31':
        b = randomGain(rng, id, pickSignal());
        break;
      case 'mixQ31': {
        const ins = Array.from({ length: rng.int(1, o.maxMixInputs ?? 6) }, pickSignal);
        b = randomMix(rng, id, ins, rng.int(1, o.maxMixOutputs ?? 4));
        break;
      }
      case 'addSatQ31':
        b = randomAddSat(rng, id, Array.from({ length: rng.int(1, 5) }, pickSignal));
        break;
    }
    blocks.push(b);
    const nOut = b.kind === 'mixQ31' ? b.outputs : 1;
    for (let ch = 0; ch < nOut; ch++) signals.push({ block: b.id, channel: ch });
  }
  const nOutputs = rng.int(...(o.outputs ?? [1, 4]));
  const outputs = Array.from({ length: nOutputs }, (_, k) => ({
    name: `out${k}`,
    source: k === 0 ? signals[signals.length - 1] : pickSignal(),
    scale: 1,
  }));
  return { name, sampleRate: 48000, blockSize, inputs: Array.from({ length: nInputs }, (_, k) => `in${k}`), blocks, outputs };
}

/** Names of the input material segments, for reports. */
export const SEGMENT_KINDS = [
  'random full-range',
  'full-scale square',
  '+/- full-scale impulses',
  'silence',
  'INT32_MIN run',
  'INT32_MAX run',
  'random signs at full scale',
  'low-level random',
  'sine',
  'extremes',
  'near full scale, one sign',
] as const;

export type SegmentKind = (typeof SEGMENT_KINDS)[number];

/** Only full-scale and degenerate material. */
export const ADVERSARIAL_SEGMENTS: readonly SegmentKind[] = [
  'full-scale square',
  '+/- full-scale impulses',
  'silence',
  'INT32_MIN run',
  'INT32_MAX run',
  'random signs at full scale',
  'extremes',
  'near full scale, one sign',
];

function fillSegment(rng: Rng, kind: SegmentKind, o: Int32Array): void {
  switch (kind) {
    case 'random full-range':
      for (let i = 0; i < o.length; i++) o[i] = rng.int32();
      break;
    case 'full-scale square': {
      const half = rng.int(1, 40);
      const phase = rng.int(0, 1);
      for (let i = 0; i < o.length; i++) o[i] = (Math.floor(i / half) + phase) % 2 === 0 ? INT32_MAX : INT32_MIN;
      break;
    }
    case '+/- full-scale impulses': {
      o.fill(0);
      const gap = rng.int(1, 300);
      for (let i = rng.int(0, gap - 1), k = 0; i < o.length; i += gap, k++) o[i] = k % 2 === 0 ? INT32_MAX : INT32_MIN;
      break;
    }
    case 'silence':
      o.fill(0);
      break;
    case 'INT32_MIN run':
      o.fill(INT32_MIN);
      break;
    case 'INT32_MAX run':
      o.fill(INT32_MAX);
      break;
    case 'random signs at full scale':
      for (let i = 0; i < o.length; i++) o[i] = rng.chance(0.5) ? INT32_MAX : INT32_MIN;
      break;
    case 'low-level random': {
      const bits = rng.int(0, 20);
      for (let i = 0; i < o.length; i++) o[i] = rng.int32() >> (31 - bits);
      break;
    }
    case 'sine': {
      const f = rng.float() * 0.5;
      const a = rng.chance(0.5) ? 1 : rng.float();
      for (let i = 0; i < o.length; i++) o[i] = Math.max(INT32_MIN, Math.min(INT32_MAX, Math.round(Math.sin(2 * Math.PI * f * i) * a * 2 ** 31)));
      break;
    }
    case 'extremes':
      for (let i = 0; i < o.length; i++) o[i] = rng.pick(EXTREMES32);
      break;
    case 'near full scale, one sign': {
      // Products of one sign with many significant bits: partial sums that need every bit of the
      // reference's exact double range (and would round in a wider chunk).
      const neg = rng.chance(0.5);
      const bits = rng.int(8, 30);
      for (let i = 0; i < o.length; i++) {
        const r = rng.int(0, 2 ** bits - 1);
        o[i] = neg ? INT32_MIN + r : INT32_MAX - r;
      }
      break;
    }
  }
}

/**
 * Planar input material of `frames` frames: random segments (random and adversarial kinds, random
 * lengths up to maxSegment) per channel. Always starts with a segment chosen at random, so short
 * runs see adversarial material too.
 */
export function randomInputs(
  rng: Rng,
  channels: number,
  frames: number,
  maxSegment = 800,
  kinds: readonly SegmentKind[] = SEGMENT_KINDS,
): Int32Array[] {
  return Array.from({ length: channels }, () => {
    const x = new Int32Array(frames);
    for (let at = 0; at < frames; ) {
      const len = Math.min(frames - at, rng.int(1, maxSegment));
      fillSegment(rng, rng.pick(kinds), x.subarray(at, at + len));
      at += len;
    }
    return x;
  });
}

/** First difference between two planar signal sets, or null. */
export function firstDifference(expected: Int32Array[], actual: Int32Array[]): { channel: number; frame: number; expected: number; actual: number } | null {
  for (let c = 0; c < expected.length; c++) {
    const e = expected[c];
    const a = actual[c];
    if (a.length !== e.length) return { channel: c, frame: Math.min(a.length, e.length), expected: NaN, actual: NaN };
    for (let i = 0; i < e.length; i++) if (a[i] !== e[i]) return { channel: c, frame: i, expected: e[i], actual: a[i] };
  }
  return null;
}
