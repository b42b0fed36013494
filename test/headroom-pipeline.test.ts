// The whole geometry pipeline on the standard (adversarial) vectors: only the upmix, which
// passes full-scale input through and adapts, may put samples at full scale; every filter block
// stays below it thanks to the computed headroom.
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runProgram } from '../src/fixed/reference.ts';
import { PROJECT_ROOT, buildDesign } from '../src/pipeline.ts';
import { testVectors } from '../src/toolchain/vectors.ts';

it('studio-3: no filter block reaches full scale on the standard vectors; only the upmix does', () => {
  const built = buildDesign(join(PROJECT_ROOT, 'designs', 'studio-3.json'));
  const { railSamples } = runProgram(built.program, testVectors(2));
  built.program.blocks.forEach((b, k) => {
    const rails = railSamples[k].reduce((a, v) => a + v, 0);
    if (b.kind === 'upmixQ31') expect(rails, 'the upmix passes full-scale squares through').toBeGreaterThan(0);
    else expect(rails, `${b.id} (${b.kind})`).toBe(0);
  });
});
