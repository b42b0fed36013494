// The firmware program of a geometry design: the adaptive L/R/C upmix block in front of the
// channel program (whose inputs are the upmixed L, R, C). The upmix outputs keep the scale of
// the program inputs (full scale), so the channel program's quantization stands unchanged; the
// upmix's adaptive gain can still push C past full scale on transients, where it saturates (the
// reference counts rail samples).
import type { UpmixParams } from '../design/upmix.ts';
import { upmixBlockFromParams } from './blocks/upmixQ31.ts';
import type { Block, FixedProgram, SignalRef } from './program.ts';
import { validateProgram } from './validate.ts';

export const UPMIX_BLOCK_ID = 'upmix';

export function withUpmix(channelProgram: FixedProgram, params: UpmixParams): FixedProgram {
  const order = ['L', 'R', 'C'];
  if (channelProgram.inputs.join(',') !== order.join(',')) {
    throw new Error(`withUpmix: the channel program's inputs must be L, R, C, got ${channelProgram.inputs.join(', ')}`);
  }
  const rewire = (r: SignalRef): SignalRef => ('input' in r ? { block: UPMIX_BLOCK_ID, channel: r.input } : r);
  const upmix = upmixBlockFromParams(UPMIX_BLOCK_ID, [{ input: 0 }, { input: 1 }], params);
  const blocks: Block[] = [upmix, ...channelProgram.blocks.map((b) => ({ ...b, inputs: b.inputs.map(rewire) }) as Block)];
  const p: FixedProgram = {
    ...channelProgram,
    inputs: ['L', 'R'],
    blocks,
    outputs: channelProgram.outputs.map((o) => ({ ...o, source: rewire(o.source) })),
  };
  validateProgram(p);
  return p;
}
