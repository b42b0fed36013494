// The block kinds of the fixed-point program. Adding a kind: one file in blocks/ (semantics,
// checks, cost, C) plus its kernel template, one line here, and its tests.
import type { BlockKindDef } from './blockKind.ts';
import { addSatQ31 } from './blocks/addSatQ31.ts';
import { biquadDf1Q31 } from './blocks/biquadDf1Q31.ts';
import { delay } from './blocks/delay.ts';
import { firQ15 } from './blocks/firQ15.ts';
import { firQ31 } from './blocks/firQ31.ts';
import { gainQ31 } from './blocks/gainQ31.ts';
import { mixQ31 } from './blocks/mixQ31.ts';
import { noiseSuppressor } from './blocks/noiseSuppressor.ts';
import { upmixQ31 } from './blocks/upmixQ31.ts';
import type { Block, BlockKind } from './program.ts';

const kinds: { [K in BlockKind]: BlockKindDef<Extract<Block, { kind: K }>> } = {
  biquadDf1Q31,
  firQ31,
  firQ15,
  delay,
  gainQ31,
  mixQ31,
  addSatQ31,
  upmixQ31,
  noiseSuppressor,
};

export const BLOCK_KINDS = Object.keys(kinds) as BlockKind[];

export function blockKind<B extends Block>(b: B): BlockKindDef<B> {
  const def = (kinds as Record<string, BlockKindDef<any>>)[b.kind];
  if (!def) throw new Error(`unknown block kind '${b.kind}'`);
  return def;
}
