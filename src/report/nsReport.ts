// generated/<name>/report.html for a noise-suppressor design: what the suppressor is, its band
// layout and pitch comb, what it does to speech in noise (the bit-exact reference run on a
// deterministic speech-like signal), the network's fixed-point error against the float network,
// and the measured code size and instruction budget.
import type { NoiseSuppressorDesign } from '../designfile/noiseSuppressorDesign.ts';
import type { FixedProgram, NoiseSuppressorBlock } from '../fixed/program.ts';
import { createSuppressorCore } from '../fixed/ns/core.ts';
import { createFloatNetworkRunner } from '../fixed/ns/floatNetwork.ts';
import type { QuantizedNetwork } from '../fixed/ns/network.ts';
import { FFT_SIZE, HOP_SAMPLES, NUM_BANDS, NUM_BINS, SAMPLE_RATE_HZ, bandEdgesHz, bandWeightQ15, combResponseQ15, spectralTables } from '../fixed/ns/spectral.ts';
import type { NsFloatWeights } from '../fixed/ns/weights.ts';
import { prng } from '../toolchain/vectors.ts';
import { mixAtSnr, speechLike } from '../toolchain/speech.ts';
import { type CodeSizeRow, type InstructionBudgetRow, REPORT_CSS, figure, int, notApplicable, table } from './report.ts';
import { escapeXml as h, fmt, heatMap, logFrequencyPlot } from './svg.ts';

export interface NsReportInput {
  name: string;
  description?: string;
  target: string;
  settings: NoiseSuppressorDesign;
  program: FixedProgram;
  network: QuantizedNetwork;
  weights: NsFloatWeights;
  codeSize?: CodeSizeRow[];
  instructionBudget?: InstructionBudgetRow[];
}

/** The suppressor's own bar (issue 7): instructions per second of audio on a Cortex-M4. */
export const NS_BUDGET_INSTRUCTIONS_PER_SECOND = 30e6;

const db = (x: number) => 20 * Math.log10(Math.max(x, 1e-6));

interface Demo {
  frames: number;
  inBandDb: number[][];
  outBandDb: number[][];
  gainDb: number[][];
  periods: number[];
  netErrorMax: number;
  netErrorRms: number;
  netErrorPerBand: number[];
  snrInDb: number;
}

/** Runs the reference on 2 s of a speech-like signal in white noise at 5 dB SNR. */
function demo(x: NsReportInput): Demo {
  const fs = SAMPLE_RATE_HZ;
  const speech = speechLike(fs, 2 * fs, 3);
  const r = prng(5);
  const noise = Float64Array.from(speech, () => (r() / 2 ** 32) * 2 - 1);
  const snrInDb = 5;
  const noisy = Int16Array.from(mixAtSnr(speech, noise, snrInDb), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 0.8 * 32768))));
  const block = x.program.blocks[0] as NoiseSuppressorBlock;
  const core = createSuppressorCore(block);
  const float = createFloatNetworkRunner(x.weights);
  const hops = Math.floor(noisy.length / HOP_SAMPLES);
  const y = new Int16Array(HOP_SAMPLES);
  const out = new Int16Array(hops * HOP_SAMPLES);
  const inBandDb: number[][] = [];
  const gainDb: number[][] = [];
  const periods: number[] = [];
  const perBand = new Array(NUM_BANDS).fill(0);
  let maxErr = 0, sumSq = 0, n = 0;
  for (let k = 0; k < hops; k++) {
    const t = core.hop(noisy.subarray(k * HOP_SAMPLES, (k + 1) * HOP_SAMPLES), y);
    out.set(y, k * HOP_SAMPLES);
    inBandDb.push(Array.from(t.logEnergyQ8, (v) => (v / 256) * 10 * Math.log10(2)));
    gainDb.push(Array.from(t.shapedGainsQ15, (v) => db(v / 32768)));
    periods.push(t.periodSamples);
    const f = float.step(Array.from(t.features, (v) => v / 4096));
    for (let b = 0; b < NUM_BANDS; b++) {
      const e = Math.abs(t.gainsQ15[b] / 32768 - f.gains[b]);
      perBand[b] = Math.max(perBand[b], e);
      maxErr = Math.max(maxErr, e);
      sumSq += e * e;
      n++;
    }
  }
  // The output's band energies, analysed the same way (one hop late: the suppressor's latency).
  const outCore = createSuppressorCore({ ...block, gainFloorQ15: 32767, postFilter: false });
  const outBandDb: number[][] = [];
  const sink = new Int16Array(HOP_SAMPLES);
  for (let k = 1; k < hops; k++) {
    const t = outCore.hop(out.subarray(k * HOP_SAMPLES, (k + 1) * HOP_SAMPLES), sink);
    outBandDb.push(Array.from(t.logEnergyQ8, (v) => (v / 256) * 10 * Math.log10(2)));
  }
  outBandDb.push(outBandDb[outBandDb.length - 1]);
  return { frames: hops, inBandDb, outBandDb, gainDb, periods, netErrorMax: maxErr, netErrorRms: Math.sqrt(sumSq / n), netErrorPerBand: perBand, snrInDb };
}

function bandLayoutFigure(): string {
  const t = spectralTables();
  const series = [];
  // Every other band, so the triangles (and the legend) stay readable.
  for (let b = 0; b < NUM_BANDS; b += 2) {
    const points: [number, number][] = [];
    for (let k = 1; k < NUM_BINS; k++) {
      // Only the bins the band covers (its triangle), so the figure stays small.
      if (bandWeightQ15(t, b, k) === 0 && bandWeightQ15(t, b, k - 1) === 0 && (k + 1 >= NUM_BINS || bandWeightQ15(t, b, k + 1) === 0)) continue;
      const w = bandWeightQ15(t, b, k) / 32768;
      points.push([(k * SAMPLE_RATE_HZ) / FFT_SIZE, w > 0 ? db(w) : -30]);
    }
    series.push({ label: `band ${b} (${fmt(bandEdgesHz()[b], 0)} Hz)`, points });
  }
  return logFrequencyPlot({ id: 'ns-bands', title: 'ERB band responses', series, xDomainHz: [40, 24000], yDomainDb: [-30, 3], yLabel: 'band weight (dB)' });
}

function combFigure(): string {
  const t = spectralTables();
  const series = [100, 200, 400].map((T) => {
    const c = combResponseQ15(T, t);
    return { label: `period ${T} (${fmt(SAMPLE_RATE_HZ / T, 0)} Hz)`, points: Array.from(c, (v, k) => [(k * SAMPLE_RATE_HZ) / FFT_SIZE, db(Math.abs(v) / 32768)] as [number, number]).slice(1) };
  });
  return logFrequencyPlot({ id: 'ns-comb', title: 'Pitch comb response', series, xDomainHz: [50, 2000], yDomainDb: [-40, 3], yLabel: '|C| (dB)' });
}

function timeHeat(id: string, title: string, values: number[][], domain: [number, number], colors: string[], unit: string): string {
  const frames = values.length;
  const step = Math.max(1, Math.ceil(frames / 40));
  const cols: string[] = [];
  const picked: number[] = [];
  for (let f = 0; f < frames; f += step) {
    cols.push(fmt((f * HOP_SAMPLES) / SAMPLE_RATE_HZ, 1));
    picked.push(f);
  }
  const rows = Array.from({ length: NUM_BANDS }, (_, b) => `${fmt(bandEdgesHz()[NUM_BANDS - 1 - b], 0)} Hz`);
  const vals = rows.map((_, r) => picked.map((f) => values[f][NUM_BANDS - 1 - r]));
  return heatMap({ id, title, rows, cols, values: vals, colorDomain: domain, colors, unit, cellWidth: 16, cellHeight: 9, cellText: false, colLabelEvery: 5, xLabel: 'time (s)', yLabel: 'band' });
}

export function buildNsReport(x: NsReportInput): string {
  const s = x.settings;
  const net = x.network;
  const tableBytes = net.weights.length + 4 * net.params.length + 2 * net.actTables.length;
  const d = demo(x);
  const budget = x.instructionBudget ?? [];
  const perSample = budget.reduce((a, r) => a + r.instructionsPerSample, 0);
  const perSecond = perSample * SAMPLE_RATE_HZ;
  const facts: string[][] = [
    ['Sample rate, window, hop', `${s.sampleRate} Hz, ${s.windowMs} ms (960 samples, sine window, zero-padded to a 1024-point FFT), ${s.hopMs} ms`],
    ['Algorithmic latency', '20 ms (the window); the program processes 480-sample blocks'],
    ['Bands', `${s.bands} ERB-spaced bands, overlapping triangular responses, 0-20 kHz`],
    ['Pitch', 'normalized cross-correlation at 8 kHz over periods 60-768 samples (62.5-800 Hz), Viterbi trajectory, 48 kHz refinement'],
    ['Network', `conv (${net.kernelFrames} frames, ${net.inputSize} -> ${net.convOutSize}), GRU ${net.gruSizes.map((g) => `${g.inputSize} -> ${g.hiddenSize}`).join(', ')}, heads ${net.bandCount} gains + ${net.bandCount} comb strengths (sigmoid)`],
    ['Quantized network tables', `${int(net.weightCount)} int8 weights (per-row scales), ${int(tableBytes)} B of tables in flash`],
    ['Gain floor, post-filter, voicing', `${s.gainFloorDb} dB, ${s.postFilter ? 'on' : 'off'}, pitch correlation >= ${s.voicingThreshold}`],
    ['Weights', h(x.weights.description ?? s.network.weights)],
  ];
  if (budget.length) {
    facts.push([`Instructions on ${h(x.target === 'host' ? 'cortex-m4' : x.target)}`, `${fmt(perSecond / 1e6, 2)} M per second of audio (bar ${NS_BUDGET_INSTRUCTIONS_PER_SECOND / 1e6} M), measured by arrayc bench`]);
  }
  const sections: string[] = [];
  sections.push(`<section id="summary"><h2>1. Summary</h2>${table(['', ''], facts)}</section>`);
  sections.push(
    `<section id="bands"><h2>2. Band layout and pitch comb</h2>` +
      figure(bandLayoutFigure(), 'The band responses over the 513 bins (every other band of the 34 shown): each bin belongs to two neighbouring bands with weights summing to one. Band energies, comb correlations and the interpolation of band gains to bins all use these weights.') +
      figure(combFigure(), 'Zero-phase pitch comb (5 Hann-weighted taps at multiples of the period) for three periods, up to 2 kHz: one at the harmonics, deep notches between them (the same pattern continues to 24 kHz). The network mixes it in per band by its comb strengths.') +
      `</section>`,
  );
  const voiced = d.periods.filter((p) => p > 0).length;
  const top = Math.ceil(Math.max(...d.inBandDb.flat(), ...d.outBandDb.flat()) / 10) * 10;
  const energyDomain: [number, number] = [top - 60, top];
  sections.push(
    `<section id="demo"><h2>3. Speech in noise through the bit-exact reference</h2>` +
      `<p>Two seconds of a deterministic speech-like signal (formant vowels with pitch glides, fricatives, pauses) in white noise at ${d.snrInDb} dB SNR, run through the integer reference (the same arithmetic as the firmware). ${voiced} of ${d.frames} hops voiced. With the shipped untrained weights the gains show that every path runs, not a trained enhancement.</p>` +
      figure(timeHeat('ns-in', 'Input band energy (dB)', d.inBandDb, energyDomain, ['#f7fbff', '#6baed6', '#08306b'], 'dB'), 'Band energy of the noisy input per 10 ms hop (dB of the band\'s summed |X|^2 in int16-sample units, 60 dB shown).') +
      figure(timeHeat('ns-gain', 'Applied band gain (dB)', d.gainDb, [s.gainFloorDb, 0], ['#b2182b', '#f4a582', '#f7f7f7'], 'dB'), 'Band gains after the post-filter and floor, as applied.') +
      figure(timeHeat('ns-out', 'Output band energy (dB)', d.outBandDb, energyDomain, ['#f7fbff', '#6baed6', '#08306b'], 'dB'), 'Band energy of the enhanced output (analysed one hop later: the suppressor\'s latency).') +
      `</section>`,
  );
  sections.push(
    `<section id="fixed-point"><h2>4. Fixed-point error of the network</h2>` +
      `<p>The integer network against the float network with the original weights, on the features of the run above: largest band-gain error ${fmt(d.netErrorMax, 4)}, RMS ${fmt(d.netErrorRms, 4)} (gains in [0, 1]).</p>` +
      figure(
        logFrequencyPlot({ id: 'ns-net-error', title: 'Largest band-gain error per band', series: [{ label: 'max |g int - g float|', points: d.netErrorPerBand.map((e, b) => [bandEdgesHz()[b] || 20, db(e)] as [number, number]), markers: true }], xDomainHz: [20, 24000], yDomainDb: [-100, 0], yLabel: 'error (dB re 1)' }),
        'Per band, the largest difference between the integer network\'s gain and the float network\'s over the run (int8 weights with per-row scales, Q12 pre-activations, table activations).',
      ) +
      `</section>`,
  );
  const sizes = x.codeSize ?? [];
  sections.push(
    `<section id="code-size"><h2>5. Code size per target</h2>` +
      (sizes.length
        ? table(['Target', 'text (B)', 'data (B)', 'bss (B)'], sizes.map((r) => [`<code>${h(r.target)}</code>`, int(r.text), int(r.data), int(r.bss)]), { id: 'code-size', numeric: [1, 2, 3] })
        : notApplicable('Code size: not measured yet.')) +
      `</section>`,
  );
  sections.push(
    `<section id="instruction-budget"><h2>6. Instruction budget</h2>` +
      (budget.length
        ? table(
            ['Block', 'Kind', 'Instructions/sample', `M instructions/s at ${SAMPLE_RATE_HZ} Hz`],
            budget.map((r) => [`<code>${h(r.block)}</code>`, `<code>${h(r.kind)}</code>`, fmt(r.instructionsPerSample, 1), fmt((r.instructionsPerSample * SAMPLE_RATE_HZ) / 1e6, 2)]),
            { id: 'instruction-budget', numeric: [2, 3] },
          ) + `<p>QEMU executed-instruction counts (no cycle model), averaged over one 480-sample hop.</p>`
        : notApplicable('Instruction budget: not measured yet (arrayc bench).')) +
      `</section>`,
  );
  return (
    `<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
    `<title>arrayc report: ${h(x.name)}</title>\n<style>${REPORT_CSS}</style>\n</head>\n<body>\n<main>\n` +
    `<h1>arrayc report: ${h(x.name)}</h1>\n` +
    (x.description ? `<p class="desc">${h(x.description)}</p>\n` : '') +
    sections.join('\n') +
    `\n</main>\n</body>\n</html>\n`
  );
}
