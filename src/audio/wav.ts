// WAV (RIFF/WAVE) reading and writing, strict. Audio inside arrayc is Q31 in int32, planar (one
// Int32Array per channel), which is what the fixed-point program consumes and produces.
//
// Read: PCM 16/24/32-bit and IEEE float 32, plain (format code 1 / 3) or WAVE_FORMAT_EXTENSIBLE
// with the PCM or float sub-format; any channel count and sample rate. To Q31: 16-bit x << 16,
// 24-bit x << 8, 32-bit as is, float round(x * 2^31) (round half up) saturated to int32.
// Anything else (not RIFF/WAVE, truncated chunks, compressed or unknown format codes, 8-bit,
// zero channels, a data chunk that is not a whole number of frames, ...) is a WavError naming the
// file and the problem.
//
// Write: PCM 16/24/32-bit from Q31 with round half up and saturation (32-bit: as is; 24-bit:
// (x + 2^7) >> 8; 16-bit: (x + 2^15) >> 16); WAVE_FORMAT_EXTENSIBLE (dwChannelMask 0: channels
// not assigned to speaker positions) for more than 2 channels, plain PCM otherwise.
import { readFileSync } from 'node:fs';

export class WavError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'WavError';
  }
}

export type WavSampleFormat = 'pcm' | 'float';

export interface WavInfo {
  sampleRate: number;
  channelCount: number;
  frames: number;
  format: WavSampleFormat;
  /** Container bits per sample (16, 24, 32). */
  bitsPerSample: number;
  /** wValidBitsPerSample of an extensible header, else bitsPerSample. */
  validBitsPerSample: number;
  /** 1 (PCM), 3 (IEEE float) or 0xFFFE (extensible). */
  formatCode: number;
  /** dwChannelMask of an extensible header. */
  channelMask?: number;
}

export interface WavAudio extends WavInfo {
  /** Q31 samples, one array per channel. */
  channels: Int32Array[];
}

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;
/** The GUID tail shared by the KSDATAFORMAT_SUBTYPE_* sub-formats: xxxxxxxx-0000-0010-8000-00aa00389b71. */
const SUBFORMAT_TAIL = [0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const KNOWN_FORMATS: Record<number, string> = {
  0x0000: 'unknown/invalid',
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG Layer 3',
  0x00ff: 'AAC',
  0x1610: 'HE-AAC',
  0x674f: 'Ogg Vorbis',
  0xf1ac: 'FLAC',
};

const SUPPORTED = 'supported: PCM 16/24/32-bit or IEEE float 32-bit';
const hex4 = (v: number) => `0x${v.toString(16).toUpperCase().padStart(4, '0')}`;

function fourcc(b: Uint8Array, off: number): string {
  return String.fromCharCode(b[off], b[off + 1], b[off + 2], b[off + 3]);
}
function showFourcc(s: string): string {
  return /^[\x20-\x7e]{4}$/.test(s) ? `'${s}'` : `bytes ${[...s].map((c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join(' ')}`;
}

interface FmtChunk {
  formatCode: number;
  format: WavSampleFormat;
  channelCount: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  validBitsPerSample: number;
  channelMask?: number;
}

function parseFmt(b: Uint8Array, off: number, size: number, fail: (p: string) => WavError): FmtChunk {
  if (size < 16) throw fail(`'fmt ' chunk of ${size} bytes is too short (at least 16 expected)`);
  const v = new DataView(b.buffer, b.byteOffset + off, size);
  const tag = v.getUint16(0, true);
  const channelCount = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  let code = tag;
  let validBitsPerSample = bitsPerSample;
  let channelMask: number | undefined;
  if (tag === FORMAT_EXTENSIBLE) {
    if (size < 40) throw fail(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk of ${size} bytes is too short (40 expected)`);
    const cbSize = v.getUint16(16, true);
    if (cbSize < 22) throw fail(`WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk has cbSize ${cbSize} (at least 22 expected)`);
    validBitsPerSample = v.getUint16(18, true);
    channelMask = v.getUint32(20, true);
    const sub = b.subarray(off + 24, off + 40);
    code = sub[0] | (sub[1] << 8);
    const guidOk = sub[2] === 0 && sub[3] === 0 && SUBFORMAT_TAIL.every((x, i) => sub[4 + i] === x);
    if (!guidOk) {
      const guid = [...sub].map((x) => x.toString(16).padStart(2, '0')).join('');
      throw fail(`unsupported WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid} (${SUPPORTED})`);
    }
  }
  const ext = tag === FORMAT_EXTENSIBLE ? ' (WAVE_FORMAT_EXTENSIBLE sub-format)' : '';
  if (code !== FORMAT_PCM && code !== FORMAT_FLOAT) {
    const name = KNOWN_FORMATS[code];
    const kind = code === 0 ? 'invalid format code' : name ? 'compressed or unsupported format' : 'unsupported format code';
    throw fail(`${kind} ${hex4(code)}${name && code !== 0 ? ` (${name})` : ''}${ext}; ${SUPPORTED}`);
  }
  const format: WavSampleFormat = code === FORMAT_PCM ? 'pcm' : 'float';
  if (channelCount === 0) throw fail(`zero channels in the 'fmt ' chunk`);
  if (sampleRate === 0) throw fail(`sample rate 0 in the 'fmt ' chunk`);
  if (format === 'pcm') {
    if (bitsPerSample === 8) throw fail(`8-bit PCM is not supported (${SUPPORTED})`);
    if (bitsPerSample !== 16 && bitsPerSample !== 24 && bitsPerSample !== 32) throw fail(`${bitsPerSample}-bit PCM is not supported (${SUPPORTED})`);
  } else if (bitsPerSample !== 32) {
    throw fail(`${bitsPerSample}-bit IEEE float is not supported (${SUPPORTED})`);
  }
  if (validBitsPerSample === 0 || validBitsPerSample > bitsPerSample) {
    throw fail(`wValidBitsPerSample ${validBitsPerSample} does not fit the ${bitsPerSample}-bit container`);
  }
  if (format === 'float' && validBitsPerSample !== 32) throw fail(`IEEE float with ${validBitsPerSample} valid bits is not supported`);
  const expectAlign = channelCount * (bitsPerSample / 8);
  if (blockAlign !== expectAlign) {
    throw fail(`block align ${blockAlign} does not match ${channelCount} channel(s) x ${bitsPerSample / 8} bytes = ${expectAlign}`);
  }
  return { formatCode: tag, format, channelCount, sampleRate, blockAlign, bitsPerSample, validBitsPerSample, channelMask };
}

/** Parses WAV bytes already in memory; `label` (the file name) prefixes every error. */
export function parseWav(bytes: Uint8Array, label: string): WavAudio {
  const fail = (problem: string) => new WavError(label, problem);
  if (bytes.length < 12) {
    throw fail(bytes.length === 0 ? 'empty file (not a WAV file)' : `truncated RIFF header: ${bytes.length} bytes (a WAV file starts with a 12-byte RIFF/WAVE header)`);
  }
  const magic = fourcc(bytes, 0);
  if (magic === 'RIFX') throw fail('big-endian RIFX files are not supported (expected RIFF)');
  if (magic === 'RF64' || magic === 'BW64') throw fail(`${magic} (64-bit size) files are not supported (expected RIFF)`);
  if (magic !== 'RIFF') throw fail(`not a RIFF/WAVE file: starts with ${showFourcc(magic)}, expected 'RIFF'`);
  const form = fourcc(bytes, 8);
  if (form !== 'WAVE') throw fail(`not a WAVE file: RIFF form type ${showFourcc(form)}, expected 'WAVE'`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riffSize = view.getUint32(4, true);
  const riffEnd = 8 + riffSize;
  if (riffEnd > bytes.length) {
    throw fail(`truncated file: the RIFF header says ${riffEnd} bytes, the file has ${bytes.length}`);
  }
  if (riffSize < 4) throw fail(`RIFF chunk size ${riffSize} is too small`);

  let fmt: FmtChunk | undefined;
  let data: { off: number; size: number } | undefined;
  let off = 12;
  while (off < riffEnd) {
    if (off + 8 > riffEnd) throw fail(`truncated chunk header at byte ${off}: ${riffEnd - off} byte(s) left, 8 needed`);
    const id = fourcc(bytes, off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (body + size > riffEnd) {
      throw fail(`truncated ${showFourcc(id)} chunk at byte ${off}: its header says ${size} bytes, only ${riffEnd - body} left`);
    }
    if (id === 'fmt ') {
      if (fmt) throw fail(`more than one 'fmt ' chunk`);
      if (data) throw fail(`'data' chunk before the 'fmt ' chunk`);
      fmt = parseFmt(bytes, body, size, fail);
    } else if (id === 'data') {
      if (data) throw fail(`more than one 'data' chunk`);
      if (!fmt) throw fail(`'data' chunk before the 'fmt ' chunk`);
      data = { off: body, size };
    }
    // Chunks are padded to an even size; a missing pad byte at the very end is tolerated.
    off = body + size + (size & 1);
  }
  if (!fmt) throw fail(`no 'fmt ' chunk`);
  if (!data) throw fail(`no 'data' chunk`);
  if (data.size % fmt.blockAlign !== 0) {
    throw fail(
      `'data' chunk of ${data.size} bytes is not a whole number of frames (${fmt.blockAlign}-byte frames: ${fmt.channelCount} channel(s) x ${fmt.bitsPerSample / 8} bytes)`,
    );
  }
  const frames = data.size / fmt.blockAlign;
  const channels = decodeSamples(view, data.off, frames, fmt, fail);
  const { format, formatCode, sampleRate, channelCount, bitsPerSample, validBitsPerSample, channelMask } = fmt;
  return { sampleRate, channelCount, frames, format, bitsPerSample, validBitsPerSample, formatCode, ...(channelMask !== undefined ? { channelMask } : {}), channels };
}

const TWO31 = 2 ** 31;
const INT32_MAX = 0x7fffffff;
const INT32_MIN = -0x80000000;

/** Float sample (full scale = 1.0) to Q31: round(x * 2^31), round half up, saturated. NaN throws. */
export function floatToQ31(x: number): number {
  const y = Math.floor(x * TWO31 + 0.5);
  if (y > INT32_MAX) return INT32_MAX;
  if (y < INT32_MIN) return INT32_MIN;
  return y;
}

function decodeSamples(v: DataView, off: number, frames: number, fmt: FmtChunk, fail: (p: string) => WavError): Int32Array[] {
  const nc = fmt.channelCount;
  const out = Array.from({ length: nc }, () => new Int32Array(frames));
  const bps = fmt.bitsPerSample / 8;
  for (let c = 0; c < nc; c++) {
    const ch = out[c];
    let p = off + c * bps;
    const stride = fmt.blockAlign;
    if (fmt.format === 'float') {
      for (let i = 0; i < frames; i++, p += stride) {
        const x = v.getFloat32(p, true);
        if (Number.isNaN(x)) throw fail(`NaN sample at frame ${i}, channel ${c}`);
        ch[i] = floatToQ31(x);
      }
    } else if (bps === 2) {
      for (let i = 0; i < frames; i++, p += stride) ch[i] = v.getInt16(p, true) << 16;
    } else if (bps === 3) {
      for (let i = 0; i < frames; i++, p += stride) ch[i] = ((v.getUint8(p) | (v.getUint8(p + 1) << 8) | (v.getUint8(p + 2) << 16)) << 8) | 0;
    } else {
      for (let i = 0; i < frames; i++, p += stride) ch[i] = v.getInt32(p, true);
    }
  }
  return out;
}

/** Reads and parses a WAV file; every problem is a WavError naming the file. */
export function readWav(file: string): WavAudio {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new WavError(file, `cannot read the WAV file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseWav(bytes, file);
}

// ---------------------------------------------------------------------------------------------
// Writing

export type PcmBits = 16 | 24 | 32;

export interface WavWriteFormat {
  sampleRate: number;
  channelCount: number;
  bitsPerSample: PcmBits;
}

/** Header size of what wavHeader writes: 44 bytes plain PCM, 68 bytes extensible. */
export function wavHeaderSize(channelCount: number): number {
  return channelCount > 2 ? 68 : 44;
}

/** RIFF/WAVE header ('fmt ' chunk and the 'data' chunk header) for `frames` frames of PCM. */
export function wavHeader(f: WavWriteFormat, frames: number): Buffer {
  const { sampleRate, channelCount: nc, bitsPerSample: bits } = f;
  if (!Number.isInteger(nc) || nc < 1 || nc > 65535) throw new RangeError(`channel count ${nc} out of range 1..65535`);
  if (bits !== 16 && bits !== 24 && bits !== 32) throw new RangeError(`unsupported bits per sample ${bits}`);
  if (!Number.isInteger(sampleRate) || sampleRate < 1 || sampleRate > 0xffffffff) throw new RangeError(`sample rate ${sampleRate} out of range`);
  const extensible = nc > 2;
  const headerSize = wavHeaderSize(nc);
  const blockAlign = nc * (bits / 8);
  if (blockAlign > 0xffff) throw new RangeError(`${nc} channels of ${bits} bits do not fit a WAV frame`);
  const dataSize = frames * blockAlign;
  const riffSize = headerSize - 8 + dataSize + (dataSize & 1);
  if (riffSize > 0xffffffff) throw new RangeError(`${frames} frames of ${blockAlign} bytes exceed the 4 GiB limit of a RIFF file`);
  const h = Buffer.alloc(headerSize);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(riffSize, 4);
  h.write('WAVE', 8, 'latin1');
  h.write('fmt ', 12, 'latin1');
  h.writeUInt32LE(extensible ? 40 : 16, 16);
  h.writeUInt16LE(extensible ? FORMAT_EXTENSIBLE : FORMAT_PCM, 20);
  h.writeUInt16LE(nc, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * blockAlign, 28);
  h.writeUInt16LE(blockAlign, 32);
  h.writeUInt16LE(bits, 34);
  let p = 36;
  if (extensible) {
    h.writeUInt16LE(22, 36); // cbSize
    h.writeUInt16LE(bits, 38); // wValidBitsPerSample
    h.writeUInt32LE(0, 40); // dwChannelMask: no speaker positions (driver feeds)
    h.writeUInt16LE(FORMAT_PCM, 44); // SubFormat KSDATAFORMAT_SUBTYPE_PCM
    h.writeUInt16LE(0, 46);
    Buffer.from(SUBFORMAT_TAIL).copy(h, 48);
    p = 60;
  }
  h.write('data', p, 'latin1');
  h.writeUInt32LE(dataSize, p + 4);
  return h;
}

/**
 * Interleaved little-endian PCM bytes of frames [start, start + n) of planar Q31 channels (the
 * 'data' chunk payload; the caller adds the pad byte of an odd-sized chunk, see wavPadding).
 * Q31 to the container: 32-bit as is; 24-bit (x + 2^7) >> 8 and 16-bit (x + 2^15) >> 16, i.e.
 * round half up, saturated at the top.
 */
export function encodeFrames(channels: Int32Array[], bits: PcmBits, start: number, n: number): Buffer {
  const nc = channels.length;
  const bps = bits / 8;
  const buf = Buffer.alloc(n * nc * bps);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const stride = nc * bps;
  for (let c = 0; c < nc; c++) {
    const ch = channels[c];
    let p = c * bps;
    if (bits === 32) {
      for (let i = start; i < start + n; i++, p += stride) v.setInt32(p, ch[i], true);
    } else if (bits === 24) {
      for (let i = start; i < start + n; i++, p += stride) {
        const x = ch[i];
        // x + 2^7 may pass INT32_MAX: saturate instead of wrapping.
        const y = x >= 0x7fffff80 ? 0x7fffff : (x + 0x80) >> 8;
        v.setUint8(p, y & 0xff);
        v.setUint8(p + 1, (y >> 8) & 0xff);
        v.setUint8(p + 2, (y >> 16) & 0xff);
      }
    } else {
      for (let i = start; i < start + n; i++, p += stride) {
        const x = ch[i];
        v.setInt16(p, x >= 0x7fff8000 ? 0x7fff : (x + 0x8000) >> 16, true);
      }
    }
  }
  return buf;
}

/** The pad byte a 'data' chunk of `frames` frames needs (RIFF chunks have even sizes). */
export function wavPadding(f: WavWriteFormat, frames: number): Buffer {
  return Buffer.alloc((frames * f.channelCount * (f.bitsPerSample / 8)) & 1);
}

/** A whole WAV file of planar Q31 channels. */
export function encodeWav(channels: Int32Array[], sampleRate: number, bitsPerSample: PcmBits): Buffer {
  const frames = channels[0]?.length ?? 0;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('channels of different lengths');
  const f = { sampleRate, channelCount: channels.length, bitsPerSample };
  return Buffer.concat([wavHeader(f, frames), encodeFrames(channels, bitsPerSample, 0, frames), wavPadding(f, frames)]);
}
