// Noise suppressor block (PercepNet-style), one 480-sample hop per call. Per hop, in integers:
//   x16 = sat16(round-half-up(x >> 16)) of the Q31 input; the 960-sample frame slides by the hop;
//   X = forwardSpectrum(frame)                         (ns/spectral.ts: window, 1024-point FFT)
//   (T, c) = pitchAnalyzeHop(x16)                       (ns/pitch.ts: xcorr + Viterbi)
//   voiced = T > 0 and c >= voicingThreshold; C = combResponse(voiced ? T : 0)
//   band log-energies and comb correlations of X        (ns/spectral.ts)
//   (g, r) = network(features)                          (ns/suppressor.ts features, ns/network.ts)
//   g = floor(postFilter(g)); per bin G = g(k) * mix(r(k), C[k]); Y = G * X
//   y16 = synthesizeHop(Y) (inverse FFT, synthesis window, overlap-add); output y16 << 16.
// The output lags the input by one hop (480 samples) on top of the block itself: the window is
// 20 ms, so the algorithmic latency is 20 ms.
import { q31ToQ15 } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { isInt } from '../blockKind.ts';
import { createSuppressorCore } from '../ns/core.ts';
import { P_STATE_LENGTH } from '../ns/network.ts';
import { pitchStateLength, pitchTables } from '../ns/pitch.ts';
import { FRAME_SAMPLES, HOP_SAMPLES, NUM_BINS, SPECTRAL_TABLE_CTYPES, type SpectralTables, spectralTables } from '../ns/spectral.ts';
import { postFilterTable } from '../ns/suppressor.ts';
import type { NoiseSuppressorBlock } from '../program.ts';

export const NS_HOP_SAMPLES = HOP_SAMPLES;

function requireHopBlocks(blockSize: number): void {
  if (blockSize !== NS_HOP_SAMPLES) {
    throw new Error(`the noise suppressor processes ${NS_HOP_SAMPLES}-sample hops: the program's block size must be ${NS_HOP_SAMPLES}, got ${blockSize}`);
  }
}

export const noiseSuppressor: BlockKindDef<NoiseSuppressorBlock> = {
  kind: 'noiseSuppressor',
  outputCount: () => 1,
  inputCount: () => [1, 1],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.gainFloorQ15, 0, 32767)) errors.push(['gainFloorQ15', `expected an integer in [0, 32767], got ${b.gainFloorQ15}`]);
    if (!isInt(b.voicingThresholdQ15, 0, 32767)) errors.push(['voicingThresholdQ15', `expected an integer in [0, 32767], got ${b.voicingThresholdQ15}`]);
    const bad = (name: string, values: number[], lo: number, hi: number) => {
      const i = values.findIndex((v) => !isInt(v, lo, hi));
      if (i >= 0) errors.push([`network.${name}[${i}]`, `expected an integer in [${lo}, ${hi}], got ${values[i]}`]);
    };
    bad('weights', b.network.weights, -128, 127);
    bad('params', b.network.params, -(2 ** 31), 2 ** 31 - 1);
    bad('actTables', b.network.actTables, -32768, 32767);
    return errors;
  },
  // Per input frame: the network's weights, the analysis and synthesis windows and the bin gains,
  // spread over the hop (the FFT butterflies and the pitch correlations are not counted).
  macsPerFrame: (b) => Math.round((b.network.weightCount + 2 * FRAME_SAMPLES + 2 * NUM_BINS) / NS_HOP_SAMPLES),
  createReference(b, blockSize) {
    requireHopBlocks(blockSize);
    const core = createSuppressorCore(b);
    const x16 = new Int16Array(HOP_SAMPLES);
    const y16 = new Int16Array(HOP_SAMPLES);
    return {
      process(inputs, outputs) {
        const x = inputs[0];
        const out = outputs[0];
        for (let i = 0; i < HOP_SAMPLES; i++) x16[i] = q31ToQ15(x[i]);
        core.hop(x16, y16);
        for (let i = 0; i < HOP_SAMPLES; i++) out[i] = y16[i] * 65536;
      },
    };
  },
  cTemplate: ['ns/spectral.c', 'ns/pitch.c', 'ns/network.c', 'ns/suppressor.c', 'noiseSuppressor.c.hbs'],
  cInstance(b, prefix, blockSize) {
    requireHopBlocks(blockSize);
    const t = spectralTables();
    const pt = pitchTables();
    const spectral = (Object.keys(SPECTRAL_TABLE_CTYPES) as (keyof SpectralTables)[]).map((k) => ({ name: `${prefix}_sp_${k}`, ctype: SPECTRAL_TABLE_CTYPES[k], values: t[k] }));
    const pitch = PITCH_TABLE_FIELDS.map((k) => ({ name: `${prefix}_pt_${k.name}`, ctype: 'int32_t' as const, values: pt[k.name] }));
    const netStateWords = b.network.params[P_STATE_LENGTH];
    return {
      tables: [
        ...spectral,
        ...pitch,
        { name: `${prefix}_net_weights`, ctype: 'int8_t', values: b.network.weights },
        { name: `${prefix}_net_params`, ctype: 'int32_t', values: b.network.params },
        { name: `${prefix}_net_act`, ctype: 'int16_t', values: b.network.actTables },
        { name: `${prefix}_post_filter`, ctype: 'int16_t', values: postFilterTable() },
      ],
      state: [
        { name: `${prefix}_frame`, ctype: 'int16_t', length: FRAME_SAMPLES },
        { name: `${prefix}_ola`, ctype: 'int32_t', length: HOP_SAMPLES },
        { name: `${prefix}_pitch`, ctype: 'int32_t', length: pitchStateLength() },
        { name: `${prefix}_net`, ctype: 'int16_t', length: netStateWords },
        { name: `${prefix}_spectrum`, ctype: 'int32_t', length: 2 * NUM_BINS },
        { name: `${prefix}_work`, ctype: 'int32_t', length: 1024 },
        { name: `${prefix}_bins`, ctype: 'int16_t', length: NUM_BINS },
      ],
      code: nsConfigCode(prefix, b),
      call: (ctx) => `arrayc_noise_suppressor(&${prefix}_cfg, ${ctx.inputs[0]}, ${ctx.outputs[0]});`,
    };
  },
};

/** Pitch tables the C takes (pitch.ts names -> the config struct's fields). */
const PITCH_TABLE_FIELDS = [
  { name: 'lowpassPairsQ15', field: 'lowpassPairs' },
  { name: 'rsqrtQ15', field: 'rsqrt' },
  { name: 'stepCostQ15', field: 'stepCost' },
  { name: 'lagWeightQ15', field: 'lagWeight' },
  { name: 'halfLagQ15', field: 'halfLag' },
] as const;

/** Spectral tables (spectral.ts names) -> the config struct's fields. */
const SPECTRAL_FIELDS: Record<keyof SpectralTables, string> = {
  windowQ15: 'window',
  synthesisWindowQ30: 'synthesisWindow',
  fftScatter: 'fftScatter',
  fftTwiddlesQ31: 'fftTwiddles',
  cosQuarterQ31: 'cosQuarter',
  cos1024Q15: 'cos1024',
  bandEdgesBins: 'bandEdges',
  binWeightLoQ15: 'binWeightLo',
  log2MantissaQ8: 'log2Mantissa',
  combTapsQ15: 'combTaps',
};

/** The instance's configuration: its tables, settings and state, for arrayc_noise_suppressor. */
function nsConfigCode(prefix: string, b: NoiseSuppressorBlock): string {
  const f: [string, string][] = [
    ...(Object.keys(SPECTRAL_FIELDS) as (keyof SpectralTables)[]).map((k): [string, string] => [SPECTRAL_FIELDS[k], `${prefix}_sp_${k}`]),
    ...PITCH_TABLE_FIELDS.map((k): [string, string] => [k.field, `${prefix}_pt_${k.name}`]),
    ['netWeights', `${prefix}_net_weights`],
    ['netParams', `${prefix}_net_params`],
    ['netAct', `${prefix}_net_act`],
    ['postFilter', `${prefix}_post_filter`],
    ['postFilterOn', b.postFilter ? '1' : '0'],
    ['gainFloorQ15', String(b.gainFloorQ15)],
    ['voicingThresholdQ15', String(b.voicingThresholdQ15)],
    ['frame', `${prefix}_frame`],
    ['ola', `${prefix}_ola`],
    ['pitch', `${prefix}_pitch`],
    ['net', `${prefix}_net`],
    ['spectrum', `${prefix}_spectrum`],
    ['work', `${prefix}_work`],
    ['bins', `${prefix}_bins`],
  ];
  return `static const arrayc_ns_config ${prefix}_cfg = {\n${f.map(([k, v]) => `    .${k} = ${v},`).join('\n')}\n};`;
}
