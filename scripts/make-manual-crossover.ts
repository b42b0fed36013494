// Writes designs/manual-crossover.json: stereo in, per side a 128-tap EQ FIR (63-sample delay), a
// 3-way Linkwitz-Riley 4th-order crossover (250 Hz, 2.5 kHz), driver level trims and alignment
// delays: 6 driver outputs. Run: npx tsx scripts/make-manual-crossover.ts
import { writeFileSync } from 'node:fs';
import { zeroPhaseFir, linkwitzRiley4, peakingBiquad } from '../src/design/filters.ts';

const fs = 48000;
const round = (v: number) => Number(v.toPrecision(12));
const sos = (s: number[][]) => s.map((r) => r.map(round));
// Gentle loudness-style EQ: +3 dB below 150 Hz easing to 0 dB by 600 Hz, -1.5 dB presence dip
// around 3 kHz, +2 dB air above 12 kHz.
const eqDb = (hz: number) => {
  const low = hz < 150 ? 3 : hz < 600 ? 3 * (1 - Math.log(hz / 150) / Math.log(4)) : 0;
  const dip = -1.5 * Math.exp(-((Math.log2(hz / 3000) / 0.7) ** 2));
  const air = hz > 12000 ? 2 : hz > 8000 ? (2 * (hz - 8000)) / 4000 : 0;
  return low + dip + air;
};
const eqTaps = zeroPhaseFir(128, fs, (hz) => 10 ** (eqDb(hz) / 20)).map(round);

const blocks: unknown[] = [];
const outputs: unknown[] = [];
for (const side of ['L', 'R']) {
  blocks.push({ id: `eq${side}`, kind: 'fir', input: side, taps: eqTaps, precision: 'q31' });
  blocks.push({
    id: `woofer${side}`, kind: 'biquad', input: `eq${side}`,
    sos: sos([...linkwitzRiley4('lowpass', 250, fs), peakingBiquad(60, fs, 1.2, -2), peakingBiquad(120, fs, 2, 1.5)]),
  });
  blocks.push({
    id: `mid${side}`, kind: 'biquad', input: `eq${side}`,
    sos: sos([...linkwitzRiley4('highpass', 250, fs), ...linkwitzRiley4('lowpass', 2500, fs), peakingBiquad(1000, fs, 1.5, -1)]),
  });
  blocks.push({
    id: `tweeter${side}`, kind: 'biquad', input: `eq${side}`,
    sos: sos([...linkwitzRiley4('highpass', 2500, fs), peakingBiquad(9000, fs, 1, 1)]),
  });
  blocks.push({ id: `midTrim${side}`, kind: 'gain', input: `mid${side}`, gainDb: -1.5 });
  blocks.push({ id: `tweeterTrim${side}`, kind: 'gain', input: `tweeter${side}`, gainDb: -4 });
  blocks.push({ id: `wooferAlign${side}`, kind: 'delay', input: `woofer${side}`, delaySamples: 0 });
  blocks.push({ id: `midAlign${side}`, kind: 'delay', input: `midTrim${side}`, delaySamples: 5 });
  blocks.push({ id: `tweeterAlign${side}`, kind: 'delay', input: `tweeterTrim${side}`, delaySamples: 9 });
  for (const drv of ['woofer', 'mid', 'tweeter']) outputs.push({ name: `${drv}${side}`, source: `${drv}Align${side}` });
}

const design = {
  kind: 'manual',
  name: 'manual-crossover',
  description: 'Stereo 3-way active crossover: 128-tap EQ FIR, LR4 at 250 Hz and 2.5 kHz, trims, alignment delays, 6 driver feeds.',
  sampleRate: fs,
  blockSize: 48,
  target: 'cortex-m4',
  inputs: ['L', 'R'],
  blocks,
  outputs,
};
writeFileSync(new URL('../designs/manual-crossover.json', import.meta.url), JSON.stringify(design, null, 2) + '\n');
