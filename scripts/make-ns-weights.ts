// Writes designs/voice-ns.weights.json: UNTRAINED default weights for the noise suppressor's
// network (docs/ns-weights.md), deterministic (seeded PRNG), so the example design builds and every
// path of the quantized network is exercised: the gains and comb strengths reach near 0, the middle
// and near 1 on typical features. Training a real model is a later issue.
// Sizes: 70 features -> conv1d (3 frames) 48 tanh -> GRU 48 -> GRU 48 -> 34 gains, 34 strengths.
// Run: npx tsx scripts/make-ns-weights.ts
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from '../src/toolchain/vectors.ts';

const INPUT_SIZE = 70;
const KERNEL_FRAMES = 3;
const CONV_SIZE = 48;
const HIDDEN_SIZE = 48;
const BAND_COUNT = 34;
const SEED = 0x4e53;

/** 5 significant digits: far finer than the int8 quantization (1/254 of a row's largest weight). */
const round = (v: number) => Number(v.toPrecision(5));

export function makeDefaultWeights(): object {
  const r = prng(SEED);
  const uniform = () => (r() + 0.5) / 2 ** 32;
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const matrix = (rows: number, cols: number, sd: number) => Array.from({ length: rows }, () => Array.from({ length: cols }, () => round(sd * normal())));
  const vector = (n: number, mean: (i: number) => number, sd: number) => Array.from({ length: n }, (_, i) => round(mean(i) + sd * normal()));

  // Scales chosen so the pre-activations are of order 1 for features of order 1..4 (Q12 values up
  // to about 16000): the tanh and sigmoid tables are used across their whole range, the GRUs keep
  // a moving state (recurrent weights below the chaotic regime, update gate biased towards memory).
  const conv = {
    name: 'conv1', type: 'conv1d', kernelFrames: KERNEL_FRAMES, inputSize: INPUT_SIZE, outputSize: CONV_SIZE, activation: 'tanh',
    weight: matrix(CONV_SIZE, KERNEL_FRAMES * INPUT_SIZE, 0.6 / Math.sqrt(KERNEL_FRAMES * INPUT_SIZE)),
    bias: vector(CONV_SIZE, () => 0, 0.3),
  };
  const gru = (name: string, inputSize: number) => ({
    name, type: 'gru', inputSize, hiddenSize: HIDDEN_SIZE,
    weightIh: matrix(3 * HIDDEN_SIZE, inputSize, 1.0 / Math.sqrt(inputSize)),
    weightHh: matrix(3 * HIDDEN_SIZE, HIDDEN_SIZE, 0.8 / Math.sqrt(HIDDEN_SIZE)),
    // r, z, n: z biased to +0.5 (keep about 60% of the old state each frame).
    biasIh: vector(3 * HIDDEN_SIZE, (i) => (i >= HIDDEN_SIZE && i < 2 * HIDDEN_SIZE ? 0.5 : 0), 0.3),
    biasHh: vector(3 * HIDDEN_SIZE, () => 0, 0.1),
  });
  // Heads: biases spread from -4 to +4 across the bands (opposite directions for the two heads),
  // weights strong enough that each band moves over a wide part of [0, 1] as the state moves.
  const head = (name: string, direction: number) => ({
    name, type: 'dense', inputSize: HIDDEN_SIZE, outputSize: BAND_COUNT, activation: 'sigmoid',
    weight: matrix(BAND_COUNT, HIDDEN_SIZE, 3 / Math.sqrt(HIDDEN_SIZE)),
    bias: vector(BAND_COUNT, (i) => direction * (-4 + (8 * i) / (BAND_COUNT - 1)), 0.2),
  });
  return {
    format: 'arrayc-ns-weights',
    version: 1,
    description: 'UNTRAINED default weights (seeded random, scripts/make-ns-weights.ts): they exercise every path of the quantized network but do not enhance speech.',
    inputSize: INPUT_SIZE,
    layers: [conv, gru('gru1', CONV_SIZE), gru('gru2', HIDDEN_SIZE), head('gains', 1), head('strengths', -1)],
  };
}

/** JSON with one matrix row per line: readable diffs, about 0.5 MB. */
export function formatWeights(w: object): string {
  return JSON.stringify(w, null, 1).replace(/\[\s+(-?[\d.e+-]+(?:,\s+-?[\d.e+-]+)*)\s+\]/g, (_, body: string) => `[${body.replace(/,\s+/g, ', ')}]`) + '\n';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  writeFileSync(new URL('../designs/voice-ns.weights.json', import.meta.url), formatWeights(makeDefaultWeights()));
}
