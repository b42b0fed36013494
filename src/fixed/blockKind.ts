// What every block kind provides: its reference semantics, its static checks, its cost and its
// C realization. One file per kind under blocks/, one entry per kind in registry.ts.
import type { Block } from './program.ts';

/** Reference kernel for one block instance: processes n frames (n <= blockSize) of planar int32. */
export interface ReferenceKernel {
  process(inputs: Int32Array[], outputs: Int32Array[], n: number): void;
}

export interface CTable {
  name: string;
  ctype: 'int32_t' | 'int16_t' | 'uint16_t' | 'int8_t' | 'uint8_t';
  values: ArrayLike<number>;
}

export interface CState {
  name: string;
  ctype: 'int32_t' | 'int16_t' | 'uint32_t';
  length: number;
}

/** C names handed to a block's call emitter. */
export interface CCallContext {
  inputs: string[];
  outputs: string[];
  frames: string;
}

export interface CInstance {
  tables: CTable[];
  state: CState[];
  /** One C statement (or several) processing ctx.frames frames. */
  call(ctx: CCallContext): string;
  /**
   * Per-instance C (e.g. a kernel specialized for this instance), emitted after the kernels,
   * tables and state, before the process function: it may use the instance's tables and state.
   */
  code?: string;
}

export interface BlockKindDef<B extends Block = Block> {
  kind: B['kind'];
  /** Output channel count. */
  outputCount(b: B): number;
  /** Allowed input count (min, max). */
  inputCount(b: B): [number, number];
  /** Static checks (coefficient ranges, accumulator bounds); returns [fieldPath, message] pairs. */
  check(b: B): [string, string][];
  /** Coefficient multiplications per input frame. */
  macsPerFrame(b: B): number;
  createReference(b: B, blockSize: number): ReferenceKernel;
  /**
   * The kind's C kernel source: one file, or several included in order (paths relative to
   * src/fixed/blocks/). Each file is included verbatim, once per program, however many kinds
   * list it.
   */
  cTemplate: string | readonly string[];
  cInstance(b: B, prefix: string, blockSize: number): CInstance;
}

export const INT64_SAFE_SUM_ABS_Q31 = 2 ** 32 - 1;

export function isInt(v: number, lo: number, hi: number): boolean {
  return Number.isInteger(v) && v >= lo && v <= hi;
}
