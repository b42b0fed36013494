// Section sizes of a generated program's own object file per Cortex-M target (arm-none-eabi-size).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { writeFolderAtomic } from '../codegen/writeFolder.ts';
import { boardTargets } from './boards.ts';
import { ToolchainError } from './firmware.ts';

export interface SizeRow {
  target: string;
  text: number;
  data: number;
  bss: number;
}

export async function programObjectSizes(files: Map<string, string>, cname: string, opt = '-O2'): Promise<SizeRow[]> {
  const work = mkdtempSync(join(tmpdir(), 'arrayc-sizes-'));
  try {
    const src = join(work, 'src');
    writeFolderAtomic(src, files);
    const rows: SizeRow[] = [];
    for (const t of boardTargets()) {
      const obj = join(work, `${t.name}.o`);
      const cc = await execa('arm-none-eabi-gcc', ['-std=c99', opt, ...t.cflags, '-I', src, '-c', join(src, `arrayc_${cname}.c`), '-o', obj], { reject: false, all: true });
      if (cc.exitCode !== 0) throw new ToolchainError(`compiling arrayc_${cname}.c for ${t.name} failed:\n${cc.all}`);
      const sz = await execa('arm-none-eabi-size', [obj]);
      const [text, data, bss] = sz.stdout.split('\n')[1].trim().split(/\s+/).map(Number);
      rows.push({ target: t.name, text, data, bss });
    }
    return rows;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
