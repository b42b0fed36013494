// Bit-exact verification: the generated C, compiled for a target and run on it, against the
// TypeScript reference, every output sample compared for equality.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FixedProgram } from '../fixed/program.ts';
import { blockKind } from '../fixed/registry.ts';
import { runProgram } from '../fixed/reference.ts';
import { buildFirmware, runVectors } from './firmware.ts';
import type { Target } from './targets.ts';
import { defaultVectors } from './programVectors.ts';
import { interleave } from './vectors.ts';

export interface Mismatch {
  /** Where the first wrong sample appears at the program's outputs. */
  output: string;
  frame: number;
  expected: number;
  actual: number;
  segment: string;
  /** The first block (in execution order) whose output differs, when found by the trace run. */
  block?: { id: string; kind: string; channel: number; frame: number; expected: number; actual: number };
}

export interface TargetResult {
  target: Target;
  bitExact: boolean;
  /** Output samples compared (frames x output channels). */
  samples: number;
  frames: number;
  mismatches: number;
  firstMismatch: Mismatch | null;
  /**
   * Block-output samples at +/-full scale in the reference run (saturated, or a full-scale input
   * passed through), summed over every block: headroom scaling keeps linear filter blocks below
   * full scale; the upmix passes full-scale input through and can saturate on transients.
   */
  fullScaleSamples: number;
}

function compare(program: FixedProgram, expected: Int32Array[], actualFrames: Int32Array, segmentAt: ((frame: number) => string) | null): { mismatches: number; first: Mismatch | null } {
  const nOut = program.outputs.length;
  const frames = expected[0].length;
  let mismatches = 0;
  let first: Mismatch | null = null;
  if (actualFrames.length !== frames * nOut) {
    return {
      mismatches: frames * nOut,
      first: { output: '(all)', frame: Math.floor(actualFrames.length / nOut), expected: 0, actual: 0, segment: `output has ${actualFrames.length} samples, expected ${frames * nOut}` },
    };
  }
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < nOut; c++) {
      const a = actualFrames[i * nOut + c];
      const e = expected[c][i];
      if (a !== e) {
        mismatches++;
        if (!first) first = { output: program.outputs[c].name, frame: i, expected: e, actual: a, segment: segmentAt ? segmentAt(i) : 'caller-supplied vectors' };
      }
    }
  }
  return { mismatches, first };
}

/** With a trace build: the earliest block whose output first differs. */
function locateBlock(program: FixedProgram, inputs: Int32Array[], trace: Int32Array): Mismatch['block'] {
  const ref = runProgram(program, inputs, { trace: true }).trace!;
  const bs = program.blockSize;
  const chans: { block: number; channel: number }[] = [];
  ref.forEach((bufs, k) => bufs.forEach((_, c) => chans.push({ block: k, channel: c })));
  const frames = inputs[0].length;
  const nBlocks = Math.ceil(frames / bs);
  // Trace layout: per processed block, every node channel's bs samples.
  for (let blk = 0; blk < nBlocks; blk++) {
    for (let n = 0; n < chans.length; n++) {
      const { block, channel } = chans[n];
      for (let i = 0; i < bs && blk * bs + i < frames; i++) {
        const frame = blk * bs + i;
        const actual = trace[(blk * chans.length + n) * bs + i];
        const expected = ref[block][channel][frame];
        if (actual !== expected) {
          const b = program.blocks[block];
          return { id: b.id, kind: blockKind(b).kind, channel, frame, expected, actual };
        }
      }
    }
  }
  return undefined;
}

export interface VerifyOptions {
  workDir?: string;
  inputs?: Int32Array[];
  /** The reference outputs for `inputs`, when already computed. */
  expected?: Int32Array[];
  /** Rail samples of the reference run that produced `expected`. */
  railSamples?: number[][];
  /** Names the vector segment of a frame, when `inputs` are the program's default vectors. */
  segmentAt?: (frame: number) => string;
  keep?: boolean;
  /** Extra compiler flags for the firmware (e.g. forcing the portable kernels). */
  extraCflags?: string[];
  onProgress?: (msg: string) => void;
}

export async function verifyTarget(program: FixedProgram, srcDir: string, target: Target, opts: VerifyOptions = {}): Promise<TargetResult> {
  const work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'arrayc-verify-'));
  try {
    const vectors = opts.inputs ? null : defaultVectors(program);
    const inputs = opts.inputs ?? vectors!.inputs;
    const ref = opts.expected ? { outputs: opts.expected, railSamples: opts.railSamples ?? [] } : runProgram(program, inputs);
    const expected = ref.outputs;
    opts.onProgress?.(`${target}: building`);
    const exe = await buildFirmware(srcDir, target, join(work, target, 'build'), { extraCflags: opts.extraCflags });
    opts.onProgress?.(`${target}: running ${inputs[0].length} frames`);
    const frames = interleave(inputs);
    const { output } = await runVectors(exe, target, join(work, target, 'run'), frames);
    const { mismatches, first } = compare(program, expected, output, vectors?.segmentAt ?? opts.segmentAt ?? null);
    if (first && first.output !== '(all)') {
      opts.onProgress?.(`${target}: mismatch, locating the block with a trace build`);
      const traceExe = await buildFirmware(srcDir, target, join(work, target, 'build-trace'), { extraCflags: [...(opts.extraCflags ?? []), '-DARRAYC_TRACE_ENABLE'] });
      // Only up to the block holding the first wrong output sample is needed.
      const upTo = (Math.floor(first.frame / program.blockSize) + 1) * program.blockSize;
      const cut = inputs.map((x) => x.subarray(0, Math.min(x.length, upTo)));
      const { trace } = await runVectors(traceExe, target, join(work, target, 'run-trace'), interleave(cut), true);
      first.block = locateBlock(program, cut, trace!);
    }
    return {
      target,
      bitExact: mismatches === 0,
      samples: inputs[0].length * program.outputs.length,
      frames: inputs[0].length,
      mismatches,
      firstMismatch: first,
      fullScaleSamples: ref.railSamples.flat().reduce((a, b) => a + b, 0),
    };
  } finally {
    if (!opts.workDir && !opts.keep) rmSync(work, { recursive: true, force: true });
  }
}

/** Verifies several targets, two at a time. */
export async function verifyTargets(program: FixedProgram, srcDir: string, targets: Target[], opts: VerifyOptions = {}): Promise<TargetResult[]> {
  const vectors = opts.inputs ? null : defaultVectors(program);
  const inputs = opts.inputs ?? vectors!.inputs;
  const ref = runProgram(program, inputs);
  const expected = ref.outputs;
  const results: TargetResult[] = new Array(targets.length);
  let next = 0;
  const worker = async () => {
    while (next < targets.length) {
      const k = next++;
      results[k] = await verifyTarget(program, srcDir, targets[k], { ...opts, inputs, expected, railSamples: ref.railSamples, segmentAt: vectors?.segmentAt ?? opts.segmentAt, workDir: undefined });
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}
