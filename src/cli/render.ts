// arrayc render: a WAV file through the bit-exact TypeScript reference of a design's fixed-point
// program, written as the driver feeds, plus (geometry designs) a binaural preview: every driver
// feed, back at its designed level, through the driver -> ear responses of the nominal listener.
//
//   out/driver-feeds.wav  one channel per program output, in order, 32-bit PCM (Q31 as is)
//   out/binaural.wav      stereo 24-bit PCM, normalized by one gain to a peak of -1 dBFS
//   out/render.json       the summary (RenderSummary without `timing`)
//
// Everything is written into a temporary folder beside out/ and renamed into place, so a failure
// never leaves a half-written out/ (and errors write nothing).
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import FFT from 'fft.js';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { cexpj, cmul } from '../design/complex.ts';
import { type ArrayGeometry, NOMINAL_POSE, distance, earPositions } from '../design/geometry.ts';
import { parseSofa, resampleSet } from '../design/hrtf/sofa.ts';
import { type HeadModel, driverToEar, headModelLabel } from '../design/plant.ts';
import { circularImpulseResponse, fftGrid, truncateFir } from '../design/realize.ts';
import { loadDesign } from '../designfile/load.ts';
import { ReferenceRunner } from '../fixed/reference.ts';
import { buildDesign, type BuiltDesign } from '../pipeline.ts';
import { replaceFolderAtomically } from '../codegen/writeFolder.ts';
import { WavError, type WavWriteFormat, encodeFrames, encodeWav, floatToQ31, readWav, wavHeader, wavPadding } from '../audio/wav.ts';

/** A render problem that is not in the WAV file itself (sample rate, channels, output folder, SOFA). */
export class RenderError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'RenderError';
  }
}

export const HEAD_MODELS = ['sphere', 'brown-duda', 'free-field'] as const;
export const RENDER_FILES = { driverFeeds: 'driver-feeds.wav', enhanced: 'enhanced.wav', binaural: 'binaural.wav', summary: 'render.json' } as const;
/** Taps of each driver -> ear impulse response used for the preview. */
export const BINAURAL_IR_TAPS = 2048;
/** Samples kept before the earliest arrival when the common propagation delay is removed. */
const PRE_ARRIVAL_SAMPLES = 64;
const PEAK_DBFS = -1;

export interface RenderOptions {
  hrtf?: string;
  head?: string;
  json?: boolean;
  /** The design already built from designFile (skips the build; for tests and batch use). */
  built?: BuiltDesign;
}

export interface RenderOutputSummary {
  name: string;
  /** Channel index in driver-feeds.wav (0-based). */
  channel: number;
  /** The program output's gain relative to the float design (headroom scaling). */
  scale: number;
  /** Samples equal to INT32_MAX or INT32_MIN in the reference's output (a proxy for clipping). */
  saturatedSamples: number;
  /** Peak of the feed, dBFS (-Infinity when silent). JSON: null when silent. */
  peakDbfs: number | null;
}

export interface RenderSummary {
  design: string;
  designFile: string;
  designKind: 'manual' | 'geometry' | 'noise-suppressor';
  input: {
    file: string;
    sampleRate: number;
    channels: number;
    /** e.g. "pcm 24-bit", "float 32-bit". */
    format: string;
  };
  sampleRate: number;
  frames: number;
  seconds: number;
  blockSize: number;
  /** Where each program input came from: a WAV channel (0-based) or null (fed silence). */
  inputMap: { input: string; wavChannel: number | null }[];
  outputs: RenderOutputSummary[];
  files: { driverFeeds: string; binaural: string | null; summary: string };
  /** Head model of the binaural preview (null without a preview). */
  headModel: string | null;
  /** The common gain applied to the binaural pair (null without a preview). */
  binauralGain: number | null;
  binaural: null | {
    gainDb: number;
    /** Peak of the written preview, dBFS. */
    peakDbfs: number | null;
    listener: string;
    irTaps: number;
    /** Propagation delay removed from every driver -> ear response, samples (the same for all). */
    removedDelaySamples: number;
  };
  warnings: string[];
  /** Wall-clock timings; printed and returned, not written to render.json (which stays reproducible). */
  timing?: { buildSeconds: number; renderSeconds: number; realTimeFactor: number };
}

// ---------------------------------------------------------------------------------------------
// Head model, impulse responses, convolution

async function loadHead(opts: RenderOptions, sampleRate: number, warnings: string[]): Promise<HeadModel> {
  if (opts.head !== undefined && !(HEAD_MODELS as readonly string[]).includes(opts.head)) {
    throw new RenderError('--head', `unknown head model '${opts.head}'; expected one of ${HEAD_MODELS.join(', ')}`);
  }
  if (opts.hrtf) {
    if (opts.head) warnings.push(`--head ${opts.head} ignored: --hrtf ${opts.hrtf} gives the head model`);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(opts.hrtf);
    } catch (e) {
      throw new RenderError(opts.hrtf, `cannot read the SOFA file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    let set;
    try {
      set = await parseSofa(bytes, opts.hrtf);
    } catch (e) {
      const msg = (e as Error).message;
      throw new RenderError(opts.hrtf, msg.startsWith(`${opts.hrtf}: `) ? msg.slice(opts.hrtf.length + 2) : msg);
    }
    for (const w of set.warnings ?? []) warnings.push(`${opts.hrtf}: ${w}`);
    return { kind: 'hrtf', set: set.sampleRateHz === sampleRate ? set : resampleSet(set, sampleRate), label: basename(opts.hrtf) };
  }
  return { kind: (opts.head ?? 'sphere') as (typeof HEAD_MODELS)[number] };
}

export interface EarImpulseResponses {
  /** Per driver (in the order given): [left ear, right ear] impulse responses. */
  irs: [Float64Array, Float64Array][];
  removedDelaySamples: number;
  /** Energy of the longest circular response beyond `taps`, relative to its total (worst driver/ear). */
  tailEnergy: number;
}

/**
 * Driver -> ear impulse responses of the nominal listener: the plant on an FFT grid, the common
 * propagation delay removed (all but PRE_ARRIVAL_SAMPLES before the earliest possible arrival),
 * faded out above 0.85 x Nyquist, turned into a circular impulse response and cut to `taps`
 * (tapered tail).
 */
export function earImpulseResponses(g: ArrayGeometry, driverIds: string[], head: HeadModel, taps = BINAURAL_IR_TAPS): EarImpulseResponses {
  const fs = g.sampleRate;
  const nfft = Math.max(8192, 4 * taps);
  const freqs = fftGrid(nfft, fs);
  const ears = earPositions(g.listener, NOMINAL_POSE);
  const drivers = driverIds.map((id) => g.drivers.find((d) => d.id === id)!);
  const nearest = Math.min(...drivers.map((d) => distance(d.positionM, ears.center))) - g.listener.headRadiusM;
  const removed = Math.max(0, (nearest / g.speedOfSoundMps) * fs - PRE_ARRIVAL_SAMPLES);
  // The delay advance, and a raised-cosine fade from 0.85 x Nyquist to Nyquist: a fractional
  // delay sampled up to Nyquist is a sinc decaying as 1/n; band-limited it is compact.
  const fadeFrom = 0.85 * (fs / 2);
  const advance = freqs.map((f) => {
    const w = f <= fadeFrom ? 1 : 0.5 * (1 + Math.cos((Math.PI * (f - fadeFrom)) / (fs / 2 - fadeFrom)));
    const a = cexpj((2 * Math.PI * f * removed) / fs);
    return { re: a.re * w, im: a.im * w };
  });
  let tailEnergy = 0;
  const irs = drivers.map((d) =>
    (['left', 'right'] as const).map((ear) => {
      const resp = driverToEar(g, d, NOMINAL_POSE, ear, freqs, head).map((v, k) => cmul(v, advance[k]));
      const h = circularImpulseResponse(resp, nfft);
      let total = 0, tail = 0;
      for (let n = 0; n < nfft; n++) {
        total += h[n] * h[n];
        if (n >= taps) tail += h[n] * h[n];
      }
      if (total > 0) tailEnergy = Math.max(tailEnergy, tail / total);
      return Float64Array.from(truncateFir(h, taps));
    }) as [Float64Array, Float64Array],
  );
  return { irs, removedDelaySamples: removed, tailEnergy };
}

/**
 * Streaming FFT overlap-add: many inputs, each convolved with its own left and right impulse
 * response, summed into one stereo output of a fixed length. Push frames as they come.
 */
export class BinauralConvolver {
  readonly out: [Float64Array, Float64Array];
  private readonly nfft: number;
  private readonly seg: number;
  private readonly fft: FFT;
  /** Half spectra (bins 0..nfft/2, interleaved re/im) of each input's [left, right] response. */
  private readonly spectra: [Float64Array, Float64Array][];
  private readonly buffers: Float64Array[];
  private fill = 0;
  private segStart = 0;
  private readonly time: number[];
  private readonly spec: number[];
  private readonly acc: [Float64Array, Float64Array];
  private readonly full: number[];
  private readonly result: number[];

  constructor(irs: [Float64Array, Float64Array][], frames: number) {
    const taps = Math.max(1, ...irs.flatMap((p) => [p[0].length, p[1].length]));
    let nfft = 1024;
    while (nfft < 4 * taps) nfft *= 2;
    this.nfft = nfft;
    this.seg = nfft - taps + 1;
    this.fft = new FFT(nfft);
    this.time = new Array(nfft).fill(0);
    this.spec = this.fft.createComplexArray() as number[];
    this.full = this.fft.createComplexArray() as number[];
    this.result = this.fft.createComplexArray() as number[];
    this.spectra = irs.map((pair) => pair.map((h) => this.halfSpectrum(h)) as [Float64Array, Float64Array]);
    this.buffers = irs.map(() => new Float64Array(this.seg));
    this.acc = [new Float64Array(nfft + 2), new Float64Array(nfft + 2)];
    this.out = [new Float64Array(frames), new Float64Array(frames)];
  }

  private halfSpectrum(x: ArrayLike<number>): Float64Array {
    this.time.fill(0);
    for (let n = 0; n < x.length; n++) this.time[n] = x[n];
    this.fft.realTransform(this.spec, this.time);
    return Float64Array.from(this.spec.slice(0, this.nfft + 2));
  }

  /** Appends frames [start, start + n) of every input (inputs[i] already in float, full scale 1). */
  push(inputs: Float64Array[], start: number, n: number): void {
    let i = 0;
    while (i < n) {
      const k = Math.min(n - i, this.seg - this.fill);
      for (let c = 0; c < this.buffers.length; c++) this.buffers[c].set(inputs[c].subarray(start + i, start + i + k), this.fill);
      this.fill += k;
      i += k;
      if (this.fill === this.seg) this.processSegment();
    }
  }

  /** Processes what is left (the output is cut at its length, so the tail is dropped). */
  flush(): void {
    if (this.fill > 0) this.processSegment();
  }

  private processSegment(): void {
    const half = this.nfft / 2;
    this.acc[0].fill(0);
    this.acc[1].fill(0);
    for (let c = 0; c < this.buffers.length; c++) {
      const x = this.halfSpectrum(this.buffers[c].subarray(0, this.fill));
      for (let e = 0; e < 2; e++) {
        const h = this.spectra[c][e];
        const a = this.acc[e];
        for (let k = 0; k <= half; k++) {
          const xr = x[2 * k], xi = x[2 * k + 1], hr = h[2 * k], hi = h[2 * k + 1];
          a[2 * k] += xr * hr - xi * hi;
          a[2 * k + 1] += xr * hi + xi * hr;
        }
      }
    }
    for (let e = 0; e < 2; e++) {
      const a = this.acc[e];
      const full = this.full;
      for (let k = 0; k <= half; k++) {
        full[2 * k] = a[2 * k];
        full[2 * k + 1] = k === 0 || k === half ? 0 : a[2 * k + 1];
        if (k > 0 && k < half) {
          full[2 * (this.nfft - k)] = a[2 * k];
          full[2 * (this.nfft - k) + 1] = -a[2 * k + 1];
        }
      }
      this.fft.inverseTransform(this.result, full);
      const out = this.out[e];
      const m = Math.min(this.nfft, out.length - this.segStart);
      for (let n = 0; n < m; n++) out[this.segStart + n] += this.result[2 * n];
    }
    this.segStart += this.fill;
    this.fill = 0;
    for (const b of this.buffers) b.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Output folder

/** Refuses an out/ that is a file or holds anything but a previous render's files (it is replaced whole). */
function checkOutDir(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new RenderError(outDir, 'exists and is not a folder');
  const known = new Set<string>(Object.values(RENDER_FILES));
  const other = readdirSync(outDir).filter((n) => !known.has(n));
  if (other.length > 0) {
    const shown = other.slice(0, 3).join(', ') + (other.length > 3 ? `, ... (${other.length} in all)` : '');
    throw new RenderError(outDir, `exists and holds other files than a previous render's (${shown}); render replaces the whole folder: give a new or empty folder`);
  }
}

// ---------------------------------------------------------------------------------------------
// The command

const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;
const TWO31 = 2 ** 31;
const db = (x: number) => 20 * Math.log10(x);
const round = (x: number, digits: number) => Number(x.toFixed(digits));

export async function renderCommand(
  designFile: string,
  inWav: string,
  outDir: string,
  opts: RenderOptions,
  progress: (msg: string) => void,
): Promise<RenderSummary> {
  const t0 = performance.now();
  const warnings: string[] = [];
  let lastProgress = -Infinity;
  const report = (msg: string, force = false) => {
    const now = performance.now();
    if (force || now - lastProgress >= 100) {
      lastProgress = now;
      progress(msg);
    }
  };

  // Cheap checks first: the design file, the WAV, its sample rate, the head model, out/.
  const loaded = opts.built?.design ?? loadDesign(designFile);
  const designRate = loaded.kind === 'geometry' ? loaded.geometry.sampleRate : loaded.kind === 'noise-suppressor' ? loaded.settings.sampleRate : loaded.graph.sampleRate;
  // A noise suppressor writes the enhanced voice; filter designs write driver feeds.
  const outFile = loaded.kind === 'noise-suppressor' ? RENDER_FILES.enhanced : RENDER_FILES.driverFeeds;
  const wav = readWav(inWav);
  if (wav.sampleRate !== designRate) {
    throw new RenderError(inWav, `sample rate ${wav.sampleRate} Hz does not match the design's ${designRate} Hz (${designFile}); resample the input to ${designRate} Hz`);
  }
  if (wav.frames === 0) throw new WavError(inWav, `no audio: the 'data' chunk holds 0 frames`);
  checkOutDir(outDir);
  let head: HeadModel | undefined;
  if (loaded.kind === 'geometry') {
    if (opts.hrtf) report(`loading ${opts.hrtf}`, true);
    head = await loadHead(opts, designRate, warnings);
  } else if (loaded.kind === 'noise-suppressor') {
    if (opts.hrtf || opts.head) warnings.push(`${opts.hrtf ? '--hrtf' : '--head'} ignored: a noise suppressor has no geometry`);
  } else {
    if (opts.hrtf || opts.head) warnings.push(`${opts.hrtf ? '--hrtf' : '--head'} ignored: a manual design has no geometry`);
    warnings.push(`manual design (no geometry): driver feeds only, no binaural preview`);
  }

  report(`building ${loaded.name}`, true);
  const built = opts.built ?? buildDesign(designFile);
  const tBuilt = performance.now();
  const program = built.program;
  const nIn = program.inputs.length;

  // Input channels -> program inputs.
  let inputMap: { input: string; wavChannel: number | null }[];
  const lrc = nIn === 3 && program.inputs[0] === 'L' && program.inputs[1] === 'R' && program.inputs[2] === 'C';
  if (wav.channelCount === nIn) {
    inputMap = program.inputs.map((input, i) => ({ input, wavChannel: i }));
  } else if (wav.channelCount === 2 && lrc) {
    inputMap = [{ input: 'L', wavChannel: 0 }, { input: 'R', wavChannel: 1 }, { input: 'C', wavChannel: null }];
    warnings.push(`stereo input: the program takes upmixed L, R, C; C is fed silence (no upmix in the program)`);
  } else {
    const want = `${nIn} channel${nIn === 1 ? '' : 's'} (${program.inputs.join(', ')}, in that order)${lrc ? ' or stereo (L, R; C fed silence)' : ''}`;
    throw new RenderError(inWav, `${wav.channelCount} channel${wav.channelCount === 1 ? '' : 's'}, but the program of ${loaded.name} takes ${want}`);
  }

  // The binaural preview's responses (geometry designs).
  const outputs = program.outputs;
  let preview: { ir: EarImpulseResponses; outputIndex: number[] } | undefined;
  if (built.design.kind === 'geometry' && head) {
    const g = built.design.geometry;
    const outputIndex: number[] = [];
    outputs.forEach((o, i) => {
      if (g.drivers.some((d) => d.id === o.name)) outputIndex.push(i);
      else warnings.push(`output '${o.name}' is not a driver of the geometry: left out of the binaural preview`);
    });
    report(`driver -> ear responses (${headModelLabel(head)})`, true);
    const ir = earImpulseResponses(g, outputIndex.map((i) => outputs[i].name), head);
    if (ir.tailEnergy > 1e-4) {
      warnings.push(`driver -> ear responses longer than ${BINAURAL_IR_TAPS} taps: ${(-10 * Math.log10(ir.tailEnergy)).toFixed(1)} dB of tail cut`);
    }
    preview = { ir, outputIndex };
  }

  const frames = wav.frames;
  const seconds = frames / designRate;
  const summary: RenderSummary = {
    design: loaded.name,
    designFile,
    designKind: loaded.kind,
    input: { file: inWav, sampleRate: wav.sampleRate, channels: wav.channelCount, format: `${wav.format} ${wav.bitsPerSample}-bit` },
    sampleRate: designRate,
    frames,
    seconds,
    blockSize: program.blockSize,
    inputMap,
    outputs: [],
    files: { driverFeeds: outFile, binaural: preview ? RENDER_FILES.binaural : null, summary: RENDER_FILES.summary },
    headModel: preview && head ? headModelLabel(head) : null,
    binauralGain: null,
    binaural: null,
    warnings,
  };

  await replaceFolderAtomically(outDir, async (tmp) => {
    const bs = program.blockSize;
    const chunk = bs * Math.max(1, Math.floor(8192 / bs));
    const runner = new ReferenceRunner(program);
    const blockIn = program.inputs.map(() => new Int32Array(bs));
    const source = inputMap.map((m) => (m.wavChannel === null ? null : wav.channels[m.wavChannel]));
    const stage = outputs.map(() => new Int32Array(chunk));
    const stageF = preview ? preview.outputIndex.map(() => new Float64Array(chunk)) : [];
    const gains = preview ? preview.outputIndex.map((i) => 1 / (TWO31 * outputs[i].scale)) : [];
    const conv = preview ? new BinauralConvolver(preview.ir.irs, frames) : undefined;
    const saturated = outputs.map(() => 0);
    const peak = outputs.map(() => 0);
    const fmt: WavWriteFormat = { sampleRate: designRate, channelCount: outputs.length, bitsPerSample: 32 };
    const fd = openSync(join(tmp, outFile), 'w');
    try {
      writeSync(fd, wavHeader(fmt, frames));
      for (let cStart = 0; cStart < frames; cStart += chunk) {
        const cLen = Math.min(chunk, frames - cStart);
        for (let off = 0; off < cLen; off += bs) {
          const start = cStart + off;
          const n = Math.min(bs, frames - start);
          for (let c = 0; c < nIn; c++) {
            blockIn[c].fill(0);
            const s = source[c];
            if (s) blockIn[c].set(s.subarray(start, start + n));
          }
          // Whole blocks always (zero-padded at the end), outputs truncated: as runProgram and the C harness.
          const outs = runner.processBlock(blockIn, bs);
          for (let o = 0; o < outs.length; o++) stage[o].set(outs[o].subarray(0, n), off);
        }
        for (let o = 0; o < outputs.length; o++) {
          const s = stage[o];
          let sat = 0, pk = peak[o];
          for (let i = 0; i < cLen; i++) {
            const x = s[i];
            if (x === INT32_MAX || x === INT32_MIN) sat++;
            const a = x < 0 ? -x : x;
            if (a > pk) pk = a;
          }
          saturated[o] += sat;
          peak[o] = pk;
        }
        writeSync(fd, encodeFrames(stage, 32, 0, cLen));
        if (conv && preview) {
          preview.outputIndex.forEach((o, j) => {
            const s = stage[o], f = stageF[j], gsc = gains[j];
            for (let i = 0; i < cLen; i++) f[i] = s[i] * gsc;
          });
          conv.push(stageF, 0, cLen);
        }
        report(`rendering ${loaded.name}: ${Math.floor((100 * (cStart + cLen)) / frames)}%`);
      }
      writeSync(fd, wavPadding(fmt, frames));
    } finally {
      closeSync(fd);
    }
    summary.outputs = outputs.map((o, i) => ({
      name: o.name,
      channel: i,
      scale: o.scale,
      saturatedSamples: saturated[i],
      peakDbfs: peak[i] === 0 ? null : round(db(peak[i] / TWO31), 2),
    }));
    for (const o of summary.outputs) {
      if (o.saturatedSamples > 0) warnings.push(`output '${o.name}': ${o.saturatedSamples} saturated sample(s) (INT32_MAX/INT32_MIN)`);
    }

    if (conv && preview) {
      conv.flush();
      let pk = 0;
      for (const ch of conv.out) for (let i = 0; i < ch.length; i++) pk = Math.max(pk, Math.abs(ch[i]));
      const target = 10 ** (PEAK_DBFS / 20);
      const gain = pk > 0 ? target / pk : 1;
      if (pk === 0) warnings.push('the binaural preview is silent');
      const q = conv.out.map((ch) => {
        const r = new Int32Array(ch.length);
        for (let i = 0; i < ch.length; i++) r[i] = floatToQ31(ch[i] * gain);
        return r;
      });
      let qpk = 0;
      for (const ch of q) for (let i = 0; i < ch.length; i++) qpk = Math.max(qpk, Math.abs(Math.floor((ch[i] + 128) / 256)));
      writeFileSync(join(tmp, RENDER_FILES.binaural), encodeWav(q, designRate, 24));
      summary.binauralGain = gain;
      summary.binaural = {
        gainDb: round(db(gain), 3),
        peakDbfs: qpk === 0 ? null : round(db(qpk / 2 ** 23), 3),
        listener: 'nominal',
        irTaps: BINAURAL_IR_TAPS,
        removedDelaySamples: round(preview.ir.removedDelaySamples, 3),
      };
    }
    writeFileSync(join(tmp, RENDER_FILES.summary), JSON.stringify(summary, null, 2) + '\n');
  });

  const tEnd = performance.now();
  const renderSeconds = (tEnd - tBuilt) / 1000;
  summary.timing = {
    buildSeconds: round((tBuilt - t0) / 1000, 3),
    renderSeconds: round(renderSeconds, 3),
    realTimeFactor: round(seconds / Math.max(renderSeconds, 1e-6), 2),
  };
  if (opts.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(`rendered ${loaded.name}: ${basename(inWav)}, ${frames} frames (${seconds.toFixed(2)} s) -> ${outDir}/`);
    console.log(`  ${summary.files.driverFeeds}: ${outputs.length} channel(s), 32-bit: ${outputs.map((o) => o.name).join(', ')}`);
    for (const o of summary.outputs) if (o.saturatedSamples > 0) console.log(`    '${o.name}': ${o.saturatedSamples} saturated sample(s)`);
    if (summary.binaural) {
      console.log(`  ${RENDER_FILES.binaural}: stereo, 24-bit, head model ${summary.headModel}, gain ${summary.binaural.gainDb.toFixed(2)} dB (peak -1 dBFS)`);
    }
    console.log(`  ${RENDER_FILES.summary}; ${summary.timing.realTimeFactor}x real time (${summary.timing.renderSeconds} s, design build ${summary.timing.buildSeconds} s)`);
    for (const w of warnings) console.log(`  warning: ${w}`);
  }
  return summary;
}

/**
 * Registers `arrayc render <design> <in.wav> <out>` on a commander program. WAV and render
 * problems go to stderr as "arrayc: <file>: <problem>" with exit code 1; other errors (design
 * file problems) propagate to the CLI's own handler.
 */
export function registerRenderCommand(program: Command, progress: (msg: string) => void, progressDone: () => void = () => {}): void {
  program
    .command('render')
    .description('run a WAV file through the bit-exact reference: driver feeds (+ a binaural preview for geometry designs) into <out>/')
    .argument('<design>', 'design file (JSON)')
    .argument('<in.wav>', 'input WAV at the design rate: PCM 16/24/32-bit or float 32; one channel per program input, or stereo')
    .argument('<out>', 'output folder (replaced whole): driver-feeds.wav, binaural.wav, render.json')
    .option('--hrtf <file.sofa>', 'binaural preview with measured HRTFs from a SOFA file')
    .option('--head <model>', `binaural preview head model: ${HEAD_MODELS.join(', ')} (default sphere)`, (v: string) => {
      if (!(HEAD_MODELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${HEAD_MODELS.join(', ')}`);
      return v;
    })
    .option('--json', 'print the summary as one JSON object on stdout')
    .action(async (design: string, inWav: string, out: string, opts: { hrtf?: string; head?: string; json?: boolean }) => {
      try {
        await renderCommand(design, inWav, out, opts, progress);
      } catch (e) {
        if (e instanceof WavError || e instanceof RenderError) {
          progressDone();
          console.error(`arrayc: ${e.message}`);
          process.exitCode = 1;
          return;
        }
        throw e;
      } finally {
        progressDone();
      }
    });
}
