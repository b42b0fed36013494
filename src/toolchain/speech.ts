// Speech material for the noise suppressor's test vectors: real synthetic speech from Debian's
// espeak-ng when it is installed, and a deterministic speech-like signal (voiced vowels with pitch
// glides through formant resonators, fricative noise bursts, pauses) that needs nothing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatToQ31, readWav } from '../audio/wav.ts';
import { prng } from './vectors.ts';

const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.',
  'Please call Stella and ask her to bring these things with her from the store.',
  'Six spoons of fresh snow peas, five thick slabs of blue cheese, and maybe a snack for her brother Bob.',
];

/** Whether espeak-ng can be run. */
export function hasEspeak(): boolean {
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Speech from espeak-ng, resampled to `sampleRate` (windowed-sinc interpolation) and normalized to
 * peak `peak` (fraction of full scale), as float samples in [-1, 1]. Null without espeak-ng.
 */
export function espeakSpeech(sampleRate: number, sentences = SENTENCES.length, voice = 'en', peak = 0.7): Float64Array | null {
  if (!hasEspeak()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'arrayc-espeak-'));
  try {
    const parts: Float64Array[] = [];
    let rate = 0;
    for (const [i, s] of SENTENCES.slice(0, sentences).entries()) {
      const file = join(dir, `s${i}.wav`);
      execFileSync('espeak-ng', ['-v', voice, '-s', '150', '-w', file, s], { stdio: 'ignore' });
      const w = readWav(file);
      rate = w.sampleRate;
      parts.push(Float64Array.from(w.channels[0], (v) => v / 2 ** 31));
    }
    const joined = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
    let at = 0;
    for (const p of parts) {
      joined.set(p, at);
      at += p.length;
    }
    const out = resample(joined, rate, sampleRate);
    let max = 0;
    for (const v of out) max = Math.max(max, Math.abs(v));
    if (max > 0) for (let i = 0; i < out.length; i++) out[i] *= peak / max;
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Band-limited resampling by a Hann-windowed sinc (cut-off at the lower Nyquist). */
export function resample(x: Float64Array, fromRate: number, toRate: number): Float64Array {
  if (fromRate === toRate) return Float64Array.from(x);
  const n = Math.floor((x.length * toRate) / fromRate);
  const out = new Float64Array(n);
  const cutoff = Math.min(1, toRate / fromRate) * 0.95;
  const half = 24;
  for (let i = 0; i < n; i++) {
    const t = (i * fromRate) / toRate;
    const c = Math.floor(t);
    let acc = 0;
    for (let k = c - half + 1; k <= c + half; k++) {
      if (k < 0 || k >= x.length) continue;
      const d = t - k;
      const sinc = d === 0 ? 1 : Math.sin(Math.PI * cutoff * d) / (Math.PI * cutoff * d);
      const win = 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
      acc += x[k] * cutoff * sinc * win;
    }
    out[i] = acc;
  }
  return out;
}

/**
 * A deterministic speech-like signal: syllables of a voiced vowel (glottal pulse train with a pitch
 * glide, through three formant resonators) or a fricative (high-passed noise), separated by short
 * pauses. Float samples, peak about `peak`.
 */
export function speechLike(sampleRate: number, frames: number, seed = 7, peak = 0.6): Float64Array {
  const r = prng(seed);
  const u = () => r() / 2 ** 32;
  const out = new Float64Array(frames);
  const vowels = [
    [730, 1090, 2440],
    [270, 2290, 3010],
    [300, 870, 2240],
    [530, 1840, 2480],
    [570, 840, 2410],
  ];
  let at = 0;
  let syllable = 0;
  while (at < frames) {
    const len = Math.floor(sampleRate * (0.12 + 0.2 * u()));
    const pause = Math.floor(sampleRate * (0.02 + 0.08 * u()));
    const fricative = syllable % 4 === 3;
    const seg = new Float64Array(len);
    if (fricative) {
      let prev = 0;
      for (let i = 0; i < len; i++) {
        const w = u() * 2 - 1;
        seg[i] = (w - prev) * 0.5;
        prev = w;
      }
    } else {
      const f0a = 90 + 160 * u();
      const f0b = f0a * (0.8 + 0.4 * u());
      let phase = 0;
      const src = new Float64Array(len);
      for (let i = 0; i < len; i++) {
        const f0 = f0a + ((f0b - f0a) * i) / len;
        phase += f0 / sampleRate;
        if (phase >= 1) {
          phase -= 1;
          src[i] = 1;
        }
      }
      const formants = vowels[syllable % vowels.length];
      for (const [k, fc] of formants.entries()) {
        // Two-pole resonator at fc with a 80-120 Hz bandwidth, gain falling with formant index.
        const bw = 80 + 20 * k;
        const rr = Math.exp((-Math.PI * bw) / sampleRate);
        const a1 = -2 * rr * Math.cos((2 * Math.PI * fc) / sampleRate);
        const a2 = rr * rr;
        let y1 = 0;
        let y2 = 0;
        const g = (1 - rr) * 0.5 ** k;
        for (let i = 0; i < len; i++) {
          const y = g * src[i] - a1 * y1 - a2 * y2;
          y2 = y1;
          y1 = y;
          seg[i] += y;
        }
      }
    }
    for (let i = 0; i < len; i++) {
      const env = Math.sin((Math.PI * i) / len);
      if (at + i < frames) out[at + i] = seg[i] * env;
    }
    at += len + pause;
    syllable++;
  }
  let max = 0;
  for (const v of out) max = Math.max(max, Math.abs(v));
  if (max > 0) for (let i = 0; i < frames; i++) out[i] *= peak / max;
  return out;
}

/** speech + g * noise, with g setting the speech-to-noise power ratio to snrDb. */
export function mixAtSnr(speech: Float64Array, noise: Float64Array, snrDb: number): Float64Array {
  let ps = 0;
  for (const v of speech) ps += v * v;
  let pn = 0;
  for (const v of noise) pn += v * v;
  const g = Math.sqrt(ps / Math.max(pn, 1e-30) / 10 ** (snrDb / 10));
  return Float64Array.from(speech, (v, i) => v + g * noise[i]);
}

export interface NamedSegment {
  name: string;
  frames: number;
}

/**
 * The noise suppressor's verification vectors (mono Q31): speech in noise (espeak-ng speech when
 * installed, else the speech-like signal), the speech-like signal in coloured noise, noise alone,
 * then the adversarial segments (full-scale square waves, +/- full-scale impulses, silence, full
 * scale random signs). About 4 s at 48 kHz.
 */
export function noiseSuppressorVectors(sampleRate = 48000, seed = 11): { samples: Int32Array; segments: NamedSegment[] } {
  const r = prng(seed);
  const white = () => (r() / 2 ** 32) * 2 - 1;
  const segs: { name: string; x: Float64Array }[] = [];
  const clip = (x: Float64Array) => x.map((v) => Math.max(-0.999, Math.min(0.999, v)));
  const speechFrames = 2 * sampleRate;
  const spoken = espeakSpeech(sampleRate, 1);
  const speech = spoken ? spoken.subarray(0, speechFrames) : speechLike(sampleRate, speechFrames, seed);
  segs.push({ name: `${spoken ? 'espeak-ng speech' : 'speech-like signal'} in white noise at 5 dB SNR`, x: clip(mixAtSnr(speech, Float64Array.from(speech, white), 5)) });
  let brown = 0;
  const coloured = () => {
    brown = 0.98 * brown + 0.2 * white();
    return brown;
  };
  const speech2 = speechLike(sampleRate, sampleRate, seed + 1);
  segs.push({ name: 'speech-like signal in low-pass noise at 0 dB SNR', x: clip(mixAtSnr(speech2, Float64Array.from(speech2, coloured), 0)) });
  segs.push({ name: 'white noise at -20 dBFS', x: Float64Array.from({ length: sampleRate / 2 }, () => 0.1 * white()) });
  const parts: { name: string; q: Int32Array }[] = segs.map((s) => ({ name: s.name, q: Int32Array.from(s.x, floatToQ31) }));
  parts.push({ name: 'full-scale square waves', q: Int32Array.from({ length: 9600 }, (_, i) => (Math.floor(i / 37) % 2 === 0 ? 2147483647 : -2147483648)) });
  parts.push({ name: '+/- full-scale impulses', q: Int32Array.from({ length: 9600 }, (_, i) => (i % 1200 === 5 ? ((i / 1200) | 0) % 2 === 0 ? 2147483647 : -2147483648 : 0)) });
  parts.push({ name: 'silence', q: new Int32Array(4800) });
  parts.push({ name: 'random signs at full scale', q: Int32Array.from({ length: 4800 }, () => (r() & 1 ? 2147483647 : -2147483648)) });
  const samples = new Int32Array(parts.reduce((a, p) => a + p.q.length, 0));
  let at = 0;
  for (const p of parts) {
    samples.set(p.q, at);
    at += p.q.length;
  }
  return { samples, segments: parts.map((p) => ({ name: p.name, frames: p.q.length })) };
}
