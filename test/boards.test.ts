// Board support: each QEMU board boots, copies .data, zeroes .bss, enables the FPU, reads and
// writes files through semihosting, returns exit codes, and turns faults into exit code 127.
import { execa } from 'execa';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { PROJECT_ROOT } from '../src/pipeline.ts';

it('board self test passes on host and the four QEMU boards', async () => {
  const r = await execa('bash', [join(PROJECT_ROOT, 'firmware-template', 'boards', 'selftest.sh')], { reject: false, all: true });
  expect(r.exitCode, r.all).toBe(0);
  for (const t of ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55']) expect(r.all).toMatch(new RegExp(`PASS ${t}\\b`));
});
