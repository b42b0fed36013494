// Test helper: compiles a C driver with the host gcc (the generated firmware's warning flags) and
// runs it with binary int32 data on stdin, returning its stdout as int32. The NS module tests use it
// to compare each C kernel with its TypeScript reference before the kernels meet in a program.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const compiled = new Map<string, string>();

/** Compiles `source` once per distinct text; `includeDirs` are added with -I. */
export async function compileHostC(source: string, includeDirs: string[] = []): Promise<string> {
  const key = source + '\0' + includeDirs.join('\0');
  const hit = compiled.get(key);
  if (hit) return hit;
  const dir = mkdtempSync(join(tmpdir(), 'arrayc-hostc-'));
  const src = join(dir, 'driver.c');
  const exe = join(dir, 'driver');
  writeFileSync(src, source);
  await execa('gcc', ['-std=c99', '-O2', '-Wall', '-Wextra', '-Werror', ...includeDirs.map((d) => `-I${d}`), src, '-o', exe]);
  compiled.set(key, exe);
  return exe;
}

/** Runs a compiled driver with `input` (int32 words) on stdin; returns stdout as int32 words. */
export async function runHostC(exe: string, input: Int32Array, args: string[] = []): Promise<Int32Array> {
  const r = await execa(exe, args, {
    input: Buffer.from(input.buffer, input.byteOffset, input.byteLength),
    encoding: 'buffer',
    stripFinalNewline: false,
  });
  const out = r.stdout as unknown as Uint8Array;
  const copy = new Uint8Array(out.byteLength);
  copy.set(out);
  return new Int32Array(copy.buffer, 0, Math.floor(copy.byteLength / 4));
}
