// The fixed-point program: a typed, acyclic multi-channel graph of blocks with explicit integer
// semantics. It has exactly two executors: the TypeScript reference (reference.ts) and the
// generated C (src/codegen). Every signal between blocks is Q31 in an int32.

/** Where a block input comes from: a program input channel or a block's output channel. */
export type SignalRef = { input: number } | { block: string; channel: number };

export interface BiquadDf1Q31Block {
  kind: 'biquadDf1Q31';
  id: string;
  inputs: [SignalRef];
  /** 5 int32 per section: b0, b1, b2, -a1, -a2 (a0 normalized to 1), with coefFracBits fraction bits. */
  coefs: number[];
  /** Fraction bits of every coefficient (30 = Q2.30); also the accumulator's output shift. */
  coefFracBits: number;
  /** Per section: add the previous sample's rounding residual to the accumulator (first-order noise shaping). */
  errorFeedback: boolean[];
}

export interface FirQ31Block {
  kind: 'firQ31';
  id: string;
  inputs: [SignalRef];
  /** Taps in time order (taps[0] multiplies the newest sample). */
  taps: number[];
  /** Fraction bits of the taps (31 = Q1.31); also the output shift. */
  coefFracBits: number;
}

export interface FirQ15Block {
  kind: 'firQ15';
  id: string;
  inputs: [SignalRef];
  /** int16 taps in time order. */
  taps: number[];
  /** Fraction bits of the taps (15 = Q1.15); also the output shift back to Q15. */
  coefFracBits: number;
}

export interface DelayBlock {
  kind: 'delay';
  id: string;
  inputs: [SignalRef];
  delaySamples: number;
}

export interface GainQ31Block {
  kind: 'gainQ31';
  id: string;
  inputs: [SignalRef];
  gain: number;
  fracBits: number;
}

export interface MixQ31Block {
  kind: 'mixQ31';
  id: string;
  inputs: SignalRef[];
  /** Row-major [output][input] int32 gains. */
  gains: number[];
  outputs: number;
  fracBits: number;
}

export interface AddSatQ31Block {
  kind: 'addSatQ31';
  id: string;
  inputs: SignalRef[];
}

/** Adaptive stereo -> L/R/C upmix (semantics in blocks/upmixQ31.ts). Inputs [L, R]; outputs L', R', C. */
export interface UpmixQ31Block {
  kind: 'upmixQ31';
  id: string;
  inputs: [SignalRef, SignalRef];
  /** One-pole coefficient of the statistics per processed block, beta = 1 - alpha, Q31 in [1, 2^31 - 1]. */
  smoothingQ31: number;
  /** Ridge lambda relative to the mid energy, Q31 in [1, 2^30]. */
  relativeFloorQ31: number;
  /** Absolute floor eps of the denominator in block-sum units (mean square x blockSize x 2^(62 - h)), in [1, 2^53 - 1]. */
  absoluteFloor: number;
  /** Clamp of |g|, Q4.27 in [1, 2^31 - 1]. */
  maxGainQ27: number;
  /** Gain across a block: linear ramp from the previous block's gain, or held. */
  interpolation: 'linear' | 'hold';
}

/**
 * PercepNet-style noise suppressor (semantics in blocks/noiseSuppressor.ts): one Q31 input, one
 * Q31 output, processed in 480-sample hops (the program's block size must be 480). The spectral
 * and pitch tables are constants of the kind; the network's quantized tables ride here.
 */
export interface NoiseSuppressorBlock {
  kind: 'noiseSuppressor';
  id: string;
  inputs: [SignalRef];
  network: {
    /** int8 weight rows (src/fixed/ns/network.ts layout). */
    weights: number[];
    /** int32 header, layer records and per-row bias/multiplier/shift. */
    params: number[];
    /** int16 Q15 tanh and sigmoid tables. */
    actTables: number[];
    /** Multiplications per frame of the network (its float weight count). */
    weightCount: number;
  };
  /** Lowest band gain, Q15 in [0, 32767]. */
  gainFloorQ15: number;
  postFilter: boolean;
  /** Pitch correlation (Q15) below which a frame counts as unvoiced: no comb. */
  voicingThresholdQ15: number;
}

export type Block =
  | BiquadDf1Q31Block
  | FirQ31Block
  | FirQ15Block
  | DelayBlock
  | GainQ31Block
  | MixQ31Block
  | AddSatQ31Block
  | UpmixQ31Block
  | NoiseSuppressorBlock;

export type BlockKind = Block['kind'];

export interface ProgramOutput {
  name: string;
  source: SignalRef;
  /** Real gain of this output relative to the float design (headroom scaling), for reports. */
  scale: number;
}

export interface FixedProgram {
  name: string;
  sampleRate: number;
  /** Frames processed per call of the process function. */
  blockSize: number;
  inputs: string[];
  /** In execution order: every block reads only program inputs and earlier blocks. */
  blocks: Block[];
  outputs: ProgramOutput[];
}
