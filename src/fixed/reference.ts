// The TypeScript reference executor: the definition of the program's arithmetic.
import type { ReferenceKernel } from './blockKind.ts';
import type { FixedProgram, SignalRef } from './program.ts';
import { blockKind } from './registry.ts';
import { validateProgram } from './validate.ts';

/** Streaming executor: feed planar blocks of up to blockSize frames. */
export class ReferenceRunner {
  private readonly kernels: ReferenceKernel[];
  /** One buffer per block output channel, in block order. */
  readonly nodeBuffers: Int32Array[][];
  private readonly inputBuffers: Int32Array[];
  private readonly blockInputs: Int32Array[][];

  constructor(readonly program: FixedProgram) {
    validateProgram(program);
    const n = program.blockSize;
    this.inputBuffers = program.inputs.map(() => new Int32Array(n));
    const byId = new Map<string, Int32Array[]>();
    this.kernels = [];
    this.nodeBuffers = [];
    this.blockInputs = [];
    for (const b of program.blocks) {
      const def = blockKind(b);
      const outs = Array.from({ length: def.outputCount(b) }, () => new Int32Array(n));
      this.blockInputs.push(b.inputs.map((r) => this.resolve(r, byId)));
      byId.set(b.id, outs);
      this.nodeBuffers.push(outs);
      this.kernels.push(def.createReference(b, n));
    }
    this.outputRefs = program.outputs.map((o) => this.resolve(o.source, byId));
    this.railSamples = this.nodeBuffers.map((bufs) => bufs.map(() => 0));
  }

  private readonly outputRefs: Int32Array[];

  private resolve(r: SignalRef, byId: Map<string, Int32Array[]>): Int32Array {
    return 'input' in r ? this.inputBuffers[r.input] : byId.get(r.block)![r.channel];
  }

  /**
   * Per block and output channel: samples that sat on a rail (INT32_MAX or INT32_MIN), i.e. were
   * saturated (or hit full scale exactly). Headroom scaling makes this impossible for linear
   * blocks; adaptive blocks (upmix) and designs with less headroom can still get there.
   */
  readonly railSamples: number[][];

  /** Process n <= blockSize frames; returns views of the output buffers (valid until the next call). */
  processBlock(inputs: Int32Array[], n: number): Int32Array[] {
    for (let c = 0; c < this.inputBuffers.length; c++) this.inputBuffers[c].set(inputs[c].subarray(0, n));
    for (let k = 0; k < this.kernels.length; k++) {
      const outs = this.nodeBuffers[k];
      this.kernels[k].process(this.blockInputs[k], outs, n);
      for (let c = 0; c < outs.length; c++) {
        const y = outs[c];
        let rails = 0;
        for (let i = 0; i < n; i++) if (y[i] === 2147483647 || y[i] === -2147483648) rails++;
        if (rails) this.railSamples[k][c] += rails;
      }
    }
    return this.outputRefs;
  }
}

export interface RunOptions {
  /** Record every block output channel, whole length (for locating mismatches). */
  trace?: boolean;
}

export interface RunResult {
  outputs: Int32Array[];
  /** Per block and output channel: samples on a rail (see ReferenceRunner.railSamples). */
  railSamples: number[][];
  /** trace[blockIndex][channel], present with options.trace. */
  trace?: Int32Array[][];
}

/**
 * Run a whole planar signal through the program. Frames are processed in blocks of blockSize;
 * a final partial block is zero-padded and the outputs truncated, exactly as the C harness does.
 */
export function runProgram(program: FixedProgram, inputs: Int32Array[], options: RunOptions = {}): RunResult {
  const frames = inputs[0]?.length ?? 0;
  const runner = new ReferenceRunner(program);
  const bs = program.blockSize;
  const outputs = program.outputs.map(() => new Int32Array(frames));
  const trace = options.trace ? runner.nodeBuffers.map((bufs) => bufs.map(() => new Int32Array(frames))) : undefined;
  const blockIn = program.inputs.map(() => new Int32Array(bs));
  for (let start = 0; start < frames; start += bs) {
    const n = Math.min(bs, frames - start);
    for (let c = 0; c < blockIn.length; c++) {
      blockIn[c].fill(0);
      blockIn[c].set(inputs[c].subarray(start, start + n));
    }
    // Full blocks always: the C harness processes whole blocks and truncates at the end.
    const outs = runner.processBlock(blockIn, bs);
    for (let o = 0; o < outs.length; o++) outputs[o].set(outs[o].subarray(0, n), start);
    if (trace) {
      runner.nodeBuffers.forEach((bufs, k) => bufs.forEach((b, c) => trace[k][c].set(b.subarray(0, n), start)));
    }
  }
  return { outputs, trace, railSamples: runner.railSamples };
}
