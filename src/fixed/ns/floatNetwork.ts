// The noise suppressor's network in float64, straight from the float weights: the independent
// computation the quantized reference (network.ts) is tested against. Same topology and
// semantics as PyTorch: causal Conv1d over time (zero history at start), nn.GRU (gates r, z, n;
// n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); h' = (1 - z) * n + z * h), sigmoid dense heads.
import type { NsActivation, NsFloatWeights } from './weights.ts';

export interface FloatNetworkOutput {
  gains: Float64Array;
  strengths: Float64Array;
  /** Conv output of this frame (after its activation). */
  conv: Float64Array;
  /** Hidden state of each GRU after this frame. */
  hidden: Float64Array[];
}

export interface FloatNetworkRunner {
  /** One 10 ms frame of features (real values, e.g. featuresQ12 / 4096). */
  step(features: ArrayLike<number>): FloatNetworkOutput;
}

export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function activate(kind: NsActivation, x: number): number {
  return kind === 'tanh' ? Math.tanh(x) : sigmoid(x);
}

function dot(w: Float64Array, x: ArrayLike<number>, n: number, xOffset = 0): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += w[i] * x[xOffset + i];
  return s;
}

export function createFloatNetworkRunner(w: NsFloatWeights): FloatNetworkRunner {
  const { conv, grus } = w;
  const inSize = conv.inputSize;
  const k = conv.kernelFrames;
  // Window of the last kernelFrames input frames, oldest first (the weight row's layout).
  const window = new Float64Array(k * inSize);
  const hidden = grus.map((g) => new Float64Array(g.hiddenSize));
  return {
    step(features) {
      window.copyWithin(0, inSize);
      for (let i = 0; i < inSize; i++) window[(k - 1) * inSize + i] = features[i];
      const convOut = new Float64Array(conv.outputSize);
      for (let o = 0; o < conv.outputSize; o++) convOut[o] = activate(conv.activation, conv.bias[o] + dot(conv.weight[o], window, k * inSize));
      let x: Float64Array = convOut;
      grus.forEach((g, gi) => {
        const h = hidden[gi];
        const H = g.hiddenSize;
        const next = new Float64Array(H);
        for (let j = 0; j < H; j++) {
          const r = sigmoid(g.biasIh[j] + dot(g.weightIh[j], x, g.inputSize) + g.biasHh[j] + dot(g.weightHh[j], h, H));
          const z = sigmoid(g.biasIh[H + j] + dot(g.weightIh[H + j], x, g.inputSize) + g.biasHh[H + j] + dot(g.weightHh[H + j], h, H));
          const n = Math.tanh(g.biasIh[2 * H + j] + dot(g.weightIh[2 * H + j], x, g.inputSize) + r * (g.biasHh[2 * H + j] + dot(g.weightHh[2 * H + j], h, H)));
          next[j] = (1 - z) * n + z * h[j];
        }
        h.set(next);
        x = h;
      });
      const head = (d: NsFloatWeights['gains']) => Float64Array.from({ length: d.outputSize }, (_, o) => sigmoid(d.bias[o] + dot(d.weight[o], x, d.inputSize)));
      return { gains: head(w.gains), strengths: head(w.strengths), conv: convOut, hidden: hidden.map((h) => Float64Array.from(h)) };
    },
  };
}
