// The noise suppressor's network in integers ("quantized network tables"): quantization of the
// float weights (weights.ts) into three flat tables, and the reference that executes them. The C
// kernel (src/fixed/blocks/ns/network.c) walks the same tables and must match this bit for bit.
//
// Formats
//   features in    int16 Q12 (value = q / 4096, range [-8, 8)), used as they are (no int8 step)
//   conv output    int16 Q15 (tanh in [-32767, 32767] or sigmoid in [0, 32767]; value = q / 32768)
//   GRU state h    int16 Q15, in [-32767, 32767]
//   gains/strengths int16 Q15 in [0, 32767]
//   weights        int8, symmetric, one scale per output row: w ~= w8 * sRow, w8 in [-127, 127]
//   biases         int32 at the row's accumulator scale sRow * sIn (sIn = 2^-12 or 2^-15)
//   pre-activation int32 Q12 (after requantization), clamped to int16 (Q12, [-8, 8)) by the table
//
// Integer semantics (the definition; every step exact):
//   dot        acc = sat32(biasQ + sum_c w8[c] * x[c]), the sum exact;
//   requant    pre = sat32(floor((acc * mult + 2^(s-1)) / 2^s)), s = 31 + shift, s in [16, 46],
//              mult in [2^30, 2^31): the Q31 multiplier of M = sRow * sIn * 2^12 = mult * 2^-31 * 2^-shift;
//   table      p = clamp(pre, -32768, 32767); u = p + 32768; i = u >> 8; f = u & 255;
//              y = T[i] + floor(((T[i+1] - T[i]) * f + 128) / 256). T has 257 Q15 entries at
//              x_j = (j - 128) / 16, j = 0..256 (step 1/16 over [-8, 8]), T = round(32768 f(x_j))
//              clamped to [-32767, 32767] (tanh) or [0, 32767] (sigmoid);
//   conv       y_o = act(pre(row o . window)), window = the last kernelFrames feature frames, oldest first;
//   GRU        r = sig(pre(r row j . [x, h])), z = sig(pre(z row j . [x, h])) (the W_i and W_h parts
//              share one scale; bias = b_i + b_h); gin = pre(in row j . x); ghn = pre(hn row j . h);
//              n = tanh(sat32(gin + floor((r * ghn + 2^14) / 2^15)));
//              h'_j = n + floor((z * (h_j - n) + 2^14) / 2^15) (= (1 - z) n + z h, between n and h_j);
//              all h'_j are computed from the old h, then h takes them;
//   heads      gain_o = sig(pre(gains row o . h_last)), strength_o likewise.
//
// Tables (the "quantized network tables"; the C walks them, so one function serves any sizes)
//   weights  int8. Every matrix (conv; per GRU r, z, n-input, n-hidden; gains; strengths) has its
//            rows in groups of 4 (the last group padded with zero rows) and its columns padded with
//            zeros to cols8, a multiple of 8. A row of a GRU's r or z matrix is [W_i row padded,
//            W_h row padded]: read against the state from the GRU's input on, because the GRU's
//            state follows its input's padded words there. Inside a group, for each 4 columns,
//            the 4 rows' 4 bytes follow each other (16 bytes), each in the order 0, 2, 1, 3:
//              index(row, col) = offset + (row >> 2) * 4 * cols8 + (col >> 2) * 16 + (row & 3) * 4 + ord(col & 3),
//            ord = [0, 2, 1, 3]. One word load and two SXTB16 give a row's pairs (w0, w1), (w2, w3)
//            for SMLAD with the activation pairs as they lie in memory, and one pass over the
//            activations serves 4 rows.
//   params   int32: the header (P_*), the layer records (a matrix is {weight offset, cols8, row
//            params offset}), then 3 words per stored row: biasQ, mult, shift (padded rows: 0, 2^30, 2).
//   actTables int16: tanh (257 entries) then sigmoid (257).
//   state    int16 (networkStateLength words, zero at start): conv window, conv output, each GRU's
//            state, scratch; every vector padded to a multiple of 8 words (the padding is never
//            written and meets zero weights).
import { INT16_MAX, INT16_MIN, INT32_MAX, INT32_MIN, roundShiftSplit, sat32, splitHi, splitLo } from '../arith.ts';
import { sigmoid } from './floatNetwork.ts';
import type { NsActivation, NsFloatWeights } from './weights.ts';
import { NsWeightsError } from './weights.ts';

export const NS_NET_MAGIC = 0x4e534e31; // "NSN1"
export const FEATURE_FRAC_BITS = 12;
export const STATE_FRAC_BITS = 15;
export const PRE_FRAC_BITS = 12;

/** Activation tables: 257 entries each, tanh at 0, sigmoid at 257 in actTables. */
export const ACT_TABLE_ENTRIES = 257;
export const ACT_TANH = 0;
export const ACT_SIGMOID = 1;

// params header (int32 indexes); the C file has the same numbers as ARRAYC_NS_NET_P_*.
export const P_MAGIC = 0;
export const P_INPUT_SIZE = 1;
export const P_KERNEL_FRAMES = 2;
export const P_CONV_OUT = 3;
export const P_CONV_ACT = 4;
export const P_GRU_COUNT = 5;
export const P_BAND_COUNT = 6;
export const P_STATE_LENGTH = 7;
export const P_WEIGHTS_LENGTH = 8;
export const P_WINDOW_STATE = 9;
export const P_CONV_STATE = 10;
export const P_SCRATCH_STATE = 11;
/** Matrix records are 3 words: weight offset (bytes), cols8 (padded columns), row params offset (3 int32 per stored row). */
export const P_CONV_MATRIX = 12;
export const P_GAINS_MATRIX = 15;
export const P_STRENGTHS_MATRIX = 18;
export const P_GRUS = 21;
/** Per GRU: inputSize, hiddenSize, input state offset, hidden state offset, then the r, z, in, hn matrix records. */
export const GRU_RECORD = 16;
export const GRU_R = 4;
export const GRU_Z = 7;
export const GRU_IN = 10;
export const GRU_HN = 13;

export interface NetworkStateLayout {
  /** kernelFrames * inputSize feature words, oldest frame first. */
  windowOffset: number;
  convOffset: number;
  /** Hidden state of each GRU (Q15). */
  hiddenOffsets: number[];
  /** Next hidden values while a GRU layer is computed. */
  scratchOffset: number;
  length: number;
}

export interface QuantizedNetwork {
  inputSize: number;
  kernelFrames: number;
  convOutSize: number;
  convActivation: NsActivation;
  gruSizes: { inputSize: number; hiddenSize: number }[];
  bandCount: number;
  /** Every matrix, rows in groups of 4 interleaved per 4 columns (weightIndex). */
  weights: Int8Array;
  /** Header, layer records, then 3 words per stored row (biasQ, mult, shift). */
  params: Int32Array;
  /** tanh then sigmoid, ACT_TABLE_ENTRIES int16 Q15 each. */
  actTables: Int16Array;
  layout: NetworkStateLayout;
  /** Float weights the tables hold (no padding, no biases). The C's MACs per frame are weights.length (with the padding). */
  weightCount: number;
  biasCount: number;
}

/** Row segments and state vectors are padded to multiples of 8 (zero weights; spare state words): the C reads whole 4-column steps, word-aligned, with no tails. */
const pad8 = (n: number): number => (n + 7) & ~7;
const pad4 = (n: number): number => (n + 3) & ~3;
/** Where column c sits inside its row's 4 bytes. */
const COLUMN_ORDER = [0, 2, 1, 3];

/** Index in q.weights of (row, col) of the matrix whose record starts at params[rec]. */
export function weightIndex(params: Int32Array, rec: number, row: number, col: number): number {
  return params[rec] + (row >> 2) * 4 * params[rec + 1] + (col >> 2) * 16 + (row & 3) * 4 + COLUMN_ORDER[col & 3];
}

export function buildActivationTables(): Int16Array {
  const t = new Int16Array(2 * ACT_TABLE_ENTRIES);
  for (let j = 0; j < ACT_TABLE_ENTRIES; j++) {
    const x = (j - 128) / 16;
    t[ACT_TANH * ACT_TABLE_ENTRIES + j] = Math.max(-INT16_MAX, Math.min(INT16_MAX, Math.round(32768 * Math.tanh(x))));
    t[ACT_SIGMOID * ACT_TABLE_ENTRIES + j] = Math.max(0, Math.min(INT16_MAX, Math.round(32768 * sigmoid(x))));
  }
  return t;
}

/** Table lookup with linear interpolation (the index rule in the header). */
export function activationLookup(tables: Int16Array, act: number, pre: number): number {
  const p = pre > INT16_MAX ? INT16_MAX : pre < INT16_MIN ? INT16_MIN : pre;
  const u = p + 32768;
  const base = act * ACT_TABLE_ENTRIES + (u >> 8);
  const t0 = tables[base];
  return t0 + (((tables[base + 1] - t0) * (u & 255) + 128) >> 8);
}

/** Q31 multiplier and shift of a real M: M = mult * 2^-31 * 2^-shift, mult in [2^30, 2^31). */
export function q31Multiplier(m: number): { mult: number; shift: number } {
  // m = frac * 2^e with frac in [0.5, 1); Math.log2 may be off by one near powers of two.
  let e = Math.floor(Math.log2(m)) + 1;
  if (m / 2 ** e >= 1) e++;
  if (m / 2 ** e < 0.5) e--;
  let mult = Math.round((m / 2 ** e) * 2 ** 31);
  if (mult === 2 ** 31) {
    mult = 2 ** 30;
    e++;
  }
  return { mult, shift: -e };
}

/** round-half-up (acc * mult) >> (31 + shift), saturated to int32. */
export function requantize(acc: number, mult: number, shift: number): number {
  return sat32(roundShiftSplit(acc * splitHi(mult), acc * splitLo(mult), 31 + shift));
}

interface RowSpec {
  /** Row parts, each read against its own activation vector. */
  segments: Float64Array[];
  bias: number;
  inputFracBits: number;
}

/** Lowest accumulator scale: int32 saturation of the accumulator then sits at >= 16 real, beyond the table's clamp at 8. */
const MIN_ACC_SCALE = 2 ** -27;
/** Largest |biasQ|: the sum with |w8 x| terms then still fits a 64-bit accumulator trivially and int32 usefully. */
const MAX_BIAS_Q = 2 ** 30;

class TableBuilder {
  readonly weights: number[] = [];
  readonly rowParams: number[] = [];

  /** Appends a matrix; returns its record [weightOffset, cols8, rowParamsOffset (relative)]. */
  matrix(rows: RowSpec[], where: string, file: string): [number, number, number] {
    const weightOffset = this.weights.length;
    const paramOffset = this.rowParams.length;
    const cols8 = rows[0].segments.reduce((s, seg) => s + pad8(seg.length), 0);
    const stored = pad4(rows.length);
    const block = new Array(stored * cols8).fill(0);
    const at = (r: number, c: number) => (r >> 2) * 4 * cols8 + (c >> 2) * 16 + (r & 3) * 4 + COLUMN_ORDER[c & 3];
    rows.forEach((row, r) => {
      let maxAbs = 0;
      for (const seg of row.segments) for (const v of seg) maxAbs = Math.max(maxAbs, Math.abs(v));
      const sIn = 2 ** -row.inputFracBits;
      const sRow = Math.max(maxAbs / 127, MIN_ACC_SCALE / sIn, Math.abs(row.bias) / (MAX_BIAS_Q * sIn));
      const { mult, shift } = q31Multiplier(sRow * sIn * 2 ** PRE_FRAC_BITS);
      if (shift < -15 || shift > 15) {
        throw new NsWeightsError(file, [{ path: `${where} row ${r}`, message: `weights or bias too large to quantize (largest |weight| ${maxAbs}, bias ${row.bias})` }]);
      }
      let c0 = 0;
      for (const seg of row.segments) {
        for (let c = 0; c < seg.length; c++) block[at(r, c0 + c)] = Math.max(-127, Math.min(127, Math.round(seg[c] / sRow)));
        c0 += pad8(seg.length);
      }
      this.rowParams.push(Math.round(row.bias / (sRow * sIn)), mult, shift);
    });
    // Padded rows: zero weights and bias, any valid multiplier: their pre-activation is 0, unused.
    for (let r = rows.length; r < stored; r++) this.rowParams.push(0, 2 ** 30, 2);
    this.weights.push(...block);
    return [weightOffset, cols8, paramOffset];
  }
}

/** Quantizes float weights into the flat tables; `fileLabel` names the weights file in errors. */
export function quantizeNetwork(w: NsFloatWeights, fileLabel = 'weights'): QuantizedNetwork {
  const { conv, grus } = w;
  const tb = new TableBuilder();
  const convRec = tb.matrix(
    conv.weight.map((row, o) => ({ segments: [row], bias: conv.bias[o], inputFracBits: FEATURE_FRAC_BITS })),
    `layers[0] (${conv.name})`, fileLabel,
  );
  const gruRecs = grus.map((g, gi) => {
    const H = g.hiddenSize;
    const where = `layers[${gi + 1}] (${g.name})`;
    // Gates r (rows 0..H-1 of PyTorch's weights) and z (H..2H-1): one matrix each over [x, h].
    const gate = (base: number, what: string) =>
      tb.matrix(
        Array.from({ length: H }, (_, j) => ({ segments: [g.weightIh[base + j], g.weightHh[base + j]], bias: g.biasIh[base + j] + g.biasHh[base + j], inputFracBits: STATE_FRAC_BITS })),
        `${where} gate ${what}`, fileLabel,
      );
    const r = gate(0, 'r');
    const z = gate(H, 'z');
    const inM = tb.matrix(
      Array.from({ length: H }, (_, j) => ({ segments: [g.weightIh[2 * H + j]], bias: g.biasIh[2 * H + j], inputFracBits: STATE_FRAC_BITS })),
      `${where} weightIh (n)`, fileLabel,
    );
    const hnM = tb.matrix(
      Array.from({ length: H }, (_, j) => ({ segments: [g.weightHh[2 * H + j]], bias: g.biasHh[2 * H + j], inputFracBits: STATE_FRAC_BITS })),
      `${where} weightHh (n)`, fileLabel,
    );
    return { r, z, inM, hnM };
  });
  const headRows = (d: NsFloatWeights['gains']) => d.weight.map((row, o) => ({ segments: [row], bias: d.bias[o], inputFracBits: STATE_FRAC_BITS }));
  const gainsRec = tb.matrix(headRows(w.gains), `layers[${grus.length + 1}] (gains)`, fileLabel);
  const strengthsRec = tb.matrix(headRows(w.strengths), `layers[${grus.length + 2}] (strengths)`, fileLabel);

  // State: every vector padded to a multiple of 8 words (never written, so they stay zero; they
  // meet zero weights anyway): the C reads whole 8-column steps, and pairs stay word-aligned.
  let at = 0;
  const windowOffset = at;
  at += pad8(conv.kernelFrames * conv.inputSize);
  const convOffset = at;
  at += pad8(conv.outputSize);
  const hiddenOffsets = grus.map((g) => {
    const o = at;
    at += pad8(g.hiddenSize);
    return o;
  });
  const scratchOffset = at;
  at += pad8(Math.max(...grus.map((g) => g.hiddenSize)));
  const layout: NetworkStateLayout = { windowOffset, convOffset, hiddenOffsets, scratchOffset, length: at };
  // The C reads a GRU's gates r, z over [x, h] in one pass of rowStride columns: h must follow x's
  // padded words (it does: the GRU input is the vector just before its state).
  grus.forEach((g, gi) => {
    const xOff = gi === 0 ? convOffset : hiddenOffsets[gi - 1];
    if (hiddenOffsets[gi] !== xOff + pad8(g.inputSize)) throw new Error('network tables: GRU state does not follow its input');
  });

  const headerLength = P_GRUS + GRU_RECORD * grus.length;
  const header = new Array(headerLength).fill(0);
  const rec = (at: number, r: [number, number, number]) => {
    header[at] = r[0];
    header[at + 1] = r[1];
    header[at + 2] = r[2] + headerLength;
  };
  header[P_MAGIC] = NS_NET_MAGIC;
  header[P_INPUT_SIZE] = conv.inputSize;
  header[P_KERNEL_FRAMES] = conv.kernelFrames;
  header[P_CONV_OUT] = conv.outputSize;
  header[P_CONV_ACT] = conv.activation === 'tanh' ? ACT_TANH : ACT_SIGMOID;
  header[P_GRU_COUNT] = grus.length;
  header[P_BAND_COUNT] = w.gains.outputSize;
  header[P_STATE_LENGTH] = layout.length;
  header[P_WEIGHTS_LENGTH] = tb.weights.length;
  header[P_WINDOW_STATE] = windowOffset;
  header[P_CONV_STATE] = convOffset;
  header[P_SCRATCH_STATE] = scratchOffset;
  rec(P_CONV_MATRIX, convRec);
  rec(P_GAINS_MATRIX, gainsRec);
  rec(P_STRENGTHS_MATRIX, strengthsRec);
  grus.forEach((g, gi) => {
    const b = P_GRUS + GRU_RECORD * gi;
    header[b] = g.inputSize;
    header[b + 1] = g.hiddenSize;
    header[b + 2] = gi === 0 ? convOffset : hiddenOffsets[gi - 1];
    header[b + 3] = hiddenOffsets[gi];
    rec(b + GRU_R, gruRecs[gi].r);
    rec(b + GRU_Z, gruRecs[gi].z);
    rec(b + GRU_IN, gruRecs[gi].inM);
    rec(b + GRU_HN, gruRecs[gi].hnM);
  });
  for (const v of tb.rowParams) if (v < INT32_MIN || v > INT32_MAX) throw new Error('network tables: row parameter outside int32');
  const params = Int32Array.from([...header, ...tb.rowParams]);

  const weightCount =
    conv.outputSize * conv.kernelFrames * conv.inputSize +
    grus.reduce((s, g) => s + 3 * g.hiddenSize * (g.inputSize + g.hiddenSize), 0) +
    2 * w.gains.outputSize * w.gains.inputSize;
  const biasCount = conv.outputSize + grus.reduce((s, g) => s + 6 * g.hiddenSize, 0) + 2 * w.gains.outputSize;
  return {
    inputSize: conv.inputSize,
    kernelFrames: conv.kernelFrames,
    convOutSize: conv.outputSize,
    convActivation: conv.activation,
    gruSizes: grus.map((g) => ({ inputSize: g.inputSize, hiddenSize: g.hiddenSize })),
    bandCount: w.gains.outputSize,
    weights: Int8Array.from(tb.weights),
    params,
    actTables: buildActivationTables(),
    layout,
    weightCount,
    biasCount,
  };
}

export function networkStateLength(q: QuantizedNetwork): number {
  return q.layout.length;
}

export interface NetworkOutput {
  gainsQ15: Int16Array;
  strengthsQ15: Int16Array;
}

export interface NetworkRunner {
  /** One frame: featuresQ12 (inputSize int16) in, band gains and comb strengths (Q15) out. */
  step(featuresQ12: ArrayLike<number>): NetworkOutput;
  /** The live state words (the C's `state` array, same layout), all zero at start. */
  readonly state: Int16Array;
  reset(): void;
}

/**
 * The reference executor: walks q.weights / q.params / q.actTables exactly as the C does.
 * Keeps the conv history and the GRU states in `state`.
 */
export function createNetworkRunner(q: QuantizedNetwork): NetworkRunner {
  const W = q.weights;
  const P = q.params;
  const T = q.actTables;
  const state = new Int16Array(P[P_STATE_LENGTH]);

  /** The row's Q12 pre-activation: sat32(biasQ + row . state[xOff ..]) requantized (cols8 columns: padding weights are 0). */
  const rowPre = (rec: number, row: number, xOff: number): number => {
    const pOff = P[rec + 2] + 3 * row;
    const cols8 = P[rec + 1];
    let acc = P[pOff];
    // weightIndex(P, rec, row, c) walked 4 columns at a time (bytes in the order 0, 2, 1, 3).
    let w = P[rec] + (row >> 2) * 4 * cols8 + (row & 3) * 4;
    for (let c = xOff; c < xOff + cols8; c += 4, w += 16) {
      acc += W[w] * state[c] + W[w + 2] * state[c + 1] + W[w + 1] * state[c + 2] + W[w + 3] * state[c + 3];
    }
    return requantize(sat32(acc), P[pOff + 1], P[pOff + 2]);
  };

  const inputSize = P[P_INPUT_SIZE];
  const kernelFrames = P[P_KERNEL_FRAMES];
  const bandCount = P[P_BAND_COUNT];

  const heads = (rec: number, out: Int16Array, hOff: number) => {
    for (let o = 0; o < bandCount; o++) out[o] = activationLookup(T, ACT_SIGMOID, rowPre(rec, o, hOff));
  };

  return {
    state,
    reset() {
      state.fill(0);
    },
    step(featuresQ12) {
      // Conv window: drop the oldest frame, append this one.
      const win = P[P_WINDOW_STATE];
      state.copyWithin(win, win + inputSize, win + kernelFrames * inputSize);
      for (let i = 0; i < inputSize; i++) state[win + (kernelFrames - 1) * inputSize + i] = featuresQ12[i];
      const convOff = P[P_CONV_STATE];
      for (let o = 0; o < P[P_CONV_OUT]; o++) state[convOff + o] = activationLookup(T, P[P_CONV_ACT], rowPre(P_CONV_MATRIX, o, win));
      const scratch = P[P_SCRATCH_STATE];
      let hOff = 0;
      for (let g = 0; g < P[P_GRU_COUNT]; g++) {
        const b = P_GRUS + GRU_RECORD * g;
        const H = P[b + 1];
        const xOff = P[b + 2];
        hOff = P[b + 3];
        for (let j = 0; j < H; j++) {
          const r = activationLookup(T, ACT_SIGMOID, rowPre(b + GRU_R, j, xOff)); // over [x, h]
          const z = activationLookup(T, ACT_SIGMOID, rowPre(b + GRU_Z, j, xOff));
          const gin = rowPre(b + GRU_IN, j, xOff);
          const ghn = rowPre(b + GRU_HN, j, hOff);
          // r * ghn < 2^15 * 2^31 = 2^46: exact.
          const n = activationLookup(T, ACT_TANH, sat32(gin + Math.floor((r * ghn + 16384) / 32768)));
          const h = state[hOff + j];
          state[scratch + j] = n + ((z * (h - n) + 16384) >> 15); // |z (h - n)| < 2^31: int32
        }
        state.copyWithin(hOff, scratch, scratch + H);
      }
      const gainsQ15 = new Int16Array(bandCount);
      const strengthsQ15 = new Int16Array(bandCount);
      heads(P_GAINS_MATRIX, gainsQ15, hOff);
      heads(P_STRENGTHS_MATRIX, strengthsQ15, hOff);
      return { gainsQ15, strengthsQ15 };
    },
  };
}
