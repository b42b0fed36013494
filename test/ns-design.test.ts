// The noise-suppressor design end to end: verify on host and the four QEMU cores on speech in
// noise and adversarial vectors, the instruction budget from arrayc bench, render through the
// bit-exact reference, the latency, and bad weights files named by layer.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav, readWav } from '../src/audio/wav.ts';
import { createSuppressorCore } from '../src/fixed/ns/core.ts';
import type { FixedProgram, NoiseSuppressorBlock } from '../src/fixed/program.ts';
import { runProgram } from '../src/fixed/reference.ts';
import { PROJECT_ROOT, buildDesign } from '../src/pipeline.ts';
import { speechLike } from '../src/toolchain/speech.ts';
import { verifyTarget } from '../src/toolchain/verify.ts';
import { prng } from '../src/toolchain/vectors.ts';
import { runCli } from './helpers.ts';

const DESIGN = join(PROJECT_ROOT, 'designs', 'voice-ns.json');
const WEIGHTS = join(PROJECT_ROOT, 'designs', 'voice-ns.weights.json');
const work = mkdtempSync(join(tmpdir(), 'arrayc-ns-'));

describe('voice-ns: verify, bench, render', () => {
  it('arrayc verify --target all --json: bit-exact on host and every QEMU core, speech and noise vectors', async () => {
    const r = await runCli(['verify', DESIGN, '--target', 'all', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { results: { target: string; bitExact: boolean; mismatches: number; frames: number; samples: number }[] };
    expect(j.results.map((x) => x.target)).toEqual(['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55']);
    for (const x of j.results) {
      expect(x, x.target).toMatchObject({ bitExact: true, mismatches: 0 });
      expect(x.samples).toBeGreaterThanOrEqual(48000);
    }
  }, 300_000);

  it('arrayc bench --json on cortex-m4: within 30 million instructions per second of audio; cortex-m55 reported', async () => {
    for (const target of ['cortex-m4', 'cortex-m55']) {
      const r = await runCli(['bench', DESIGN, '--target', target, '--json']);
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { instructionsPerSecond: number; blocks: { kind: string }[]; sizes: { text: number } };
      expect(j.blocks[0].kind).toBe('noiseSuppressor');
      expect(j.sizes.text).toBeGreaterThan(0);
      if (target === 'cortex-m4') expect(j.instructionsPerSecond).toBeLessThanOrEqual(30e6);
    }
  }, 300_000);

  it('a build with -fno-omit-frame-pointer keeps the spectral assembly and is bit-exact on cortex-m4', async () => {
    const program = JSON.parse(readFileSync(join(PROJECT_ROOT, 'generated', 'voice-ns', 'program.json'), 'utf8')) as FixedProgram;
    // Speech-like signal in noise (voiced frames: pitch and comb), then full-scale squares.
    const r = prng(7);
    const speech = speechLike(48000, 24000);
    const x = new Int32Array(48000);
    for (let i = 0; i < x.length; i++) x[i] = i < 24000 ? Math.round(speech[i] * 2 ** 30) + ((r() | 0) >> 5) : i % 96 < 48 ? 2 ** 31 - 1 : -(2 ** 31);
    const v = await verifyTarget(program, join(PROJECT_ROOT, 'generated', 'voice-ns'), 'cortex-m4', { inputs: [x], extraCflags: ['-fno-omit-frame-pointer'] });
    expect(v.samples).toBe(x.length);
    expect(v.mismatches, JSON.stringify(v.firstMismatch)).toBe(0);
  }, 300_000);

  it('arrayc render writes the enhanced WAV, equal to the reference output', async () => {
    const fs = 48000;
    const s = speechLike(fs, fs / 2, 21);
    const r = prng(4);
    const noisy = Int32Array.from(s, (v) => Math.round((0.7 * v + 0.05 * ((r() / 2 ** 32) * 2 - 1)) * 2 ** 31));
    const inWav = join(work, 'noisy.wav');
    writeFileSync(inWav, encodeWav([noisy], fs, 32));
    const out = join(work, 'render');
    const res = await runCli(['render', DESIGN, inWav, out]);
    expect(res.code, res.stderr).toBe(0);
    const enhanced = readWav(join(out, 'enhanced.wav'));
    expect(enhanced.frames).toBe(noisy.length);
    const ref = runProgram(buildDesign(DESIGN).program, [noisy]).outputs[0];
    expect(Array.from(enhanced.channels[0]).findIndex((v, i) => v !== ref[i])).toBe(-1);
  }, 120_000);
});

describe('voice-ns: report', () => {
  it('report.html has the band layout, comb, speech-in-noise and fixed-point figures, and the measured budget', () => {
    const html = readFileSync(join(PROJECT_ROOT, 'generated', 'voice-ns', 'report.html'), 'utf8');
    for (const fig of ['ns-bands', 'ns-comb', 'ns-in', 'ns-gain', 'ns-out', 'ns-net-error']) expect(html).toContain(`data-figure="${fig}"`);
    expect(html).toContain('data-table="instruction-budget"');
    expect(html).toContain('data-table="code-size"');
    const m = /([\d.]+) M per second of audio \(bar 30 M\)/.exec(html);
    expect(m, 'the summary states the measured instructions per second').not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(30);
  });
});

describe('voice-ns: latency', () => {
  it('with unit band gains the output is the input one hop (10 ms) late: 20 ms algorithmic latency with the 10 ms block', () => {
    const block = buildDesign(DESIGN).program.blocks[0] as NoiseSuppressorBlock;
    // The gain floor at 1 and no post-filter: every band gain is 1; comb strengths still mix the
    // zero-phase comb in, which moves no energy in time.
    // White noise: its pitch correlation never reaches the (maximal) voicing threshold, so no comb.
    const core = createSuppressorCore({ ...block, gainFloorQ15: 32767, postFilter: false, voicingThresholdQ15: 32767 });
    const r = prng(8);
    const x = Int16Array.from({ length: 48000 }, () => ((r() >> 20) | 0) * 2);
    const y = new Int16Array(x.length);
    const hop = new Int16Array(480);
    for (let k = 0; k + 480 <= x.length; k += 480) {
      core.hop(x.subarray(k, k + 480), hop);
      y.set(hop, k);
    }
    let best = -1, bestLag = -1;
    for (let lag = 0; lag <= 1440; lag++) {
      let c = 0;
      for (let i = 2000; i < x.length - 2000; i++) c += x[i] * y[i + lag];
      if (c > best) [best, bestLag] = [c, lag];
    }
    expect(bestLag).toBe(480);
    let err = 0, sig = 0;
    for (let i = 2000; i < x.length - 2000; i++) {
      err += (y[i + 480] - 0.99997 * x[i]) ** 2;
      sig += x[i] ** 2;
    }
    // Unit gains (32767/32768 twice) and no comb: the round trip's rounding only.
    expect(10 * Math.log10(sig / err)).toBeGreaterThan(70);
  });
});

describe('voice-ns: bad weights files', () => {
  const weights = JSON.parse(readFileSync(WEIGHTS, 'utf8'));
  const design = JSON.parse(readFileSync(DESIGN, 'utf8'));
  const cases: { name: string; mutate: (w: any, d: any) => void; expect: RegExp; path?: RegExp }[] = [
    { name: 'wrong shape', mutate: (w) => w.layers[1].weightHh[3].pop(), expect: /layers\[1\] \(gru1\)\.weightHh: expected 144 rows of 48 numbers, row 3 has 47/ },
    { name: 'NaN', mutate: (w) => (w.layers[0].weight[2][7] = 'NaN'), expect: /layers\[0\] \(conv1\)\.weight\[2\]\[7\]: expected a finite number, got NaN/ },
    { name: 'missing layer', mutate: (w) => w.layers.splice(4, 1), expect: /strengths/ },
    { name: 'sizes differ from the design', mutate: (_w, d) => (d.network.gruSizes = [64, 64]), expect: /network\.gruSizes: \[64, 64\], but the weights file's GRU layers \('gru1', 'gru2'\) have hidden sizes \[48, 48\]/ },
    { name: 'weights file missing', mutate: (_w, d) => (d.network.weights = 'nowhere.json'), expect: /network\.weights: cannot read the weights file .*nowhere\.json: ENOENT/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const dir = mkdtempSync(join(work, 'bad-'));
      const w = structuredClone(weights);
      const d = structuredClone(design);
      c.mutate(w, d);
      writeFileSync(join(dir, 'voice-ns.weights.json'), JSON.stringify(w));
      const file = join(dir, 'voice-ns.json');
      writeFileSync(file, JSON.stringify(d));
      const out = join(dir, 'out');
      const r = await runCli(['build', file, '--out', out]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(c.expect);
      expect(r.stderr).toMatch(/voice-ns(\.weights)?\.json: /);
      expect(existsSync(out)).toBe(false);
    });
  }
  it('the shipped design builds from a copy next to its weights', () => {
    const dir = mkdtempSync(join(work, 'ok-'));
    copyFileSync(DESIGN, join(dir, 'voice-ns.json'));
    copyFileSync(WEIGHTS, join(dir, 'voice-ns.weights.json'));
    expect(buildDesign(join(dir, 'voice-ns.json')).program.blocks[0].kind).toBe('noiseSuppressor');
  });
});
