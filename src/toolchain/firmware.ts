// Compile the generated sources for a target and run them (host binary or QEMU).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { boardTargets } from './boards.ts';
import type { Target } from './targets.ts';

export class ToolchainError extends Error {}

export interface BuildOptions {
  /** Extra preprocessor/compiler flags, e.g. -DARRAYC_TRACE_ENABLE. */
  extraCflags?: string[];
  opt?: string;
  /** Harness source instead of harness.c (bench.c for instruction counts). */
  harness?: string;
}

/** Builds with the generated Makefile; returns the executable's path. */
export async function buildFirmware(srcDir: string, target: Target, buildDir: string, opts: BuildOptions = {}): Promise<string> {
  mkdirSync(buildDir, { recursive: true });
  const args = ['-s', '-C', srcDir, `TARGET=${target}`, `BUILD=${resolve(buildDir)}`, `OPT=${opts.opt ?? '-O2'}`];
  if (opts.extraCflags?.length) args.push(`EXTRA_CFLAGS=${opts.extraCflags.join(' ')}`);
  if (opts.harness) args.push(`HARNESS=${opts.harness}`);
  const r = await execa('make', args, { reject: false, all: true });
  if (r.exitCode !== 0) throw new ToolchainError(`build for ${target} failed (make ${args.join(' ')}):\n${r.all}`);
  return resolve(buildDir, target === 'host' ? 'app' : 'app.elf');
}

export interface RunResult {
  exitCode: number;
  output: string;
}

const RUN_TIMEOUT_MS = 300_000;

/** Runs the harness in runDir (where input.bin is). */
export async function runFirmware(exe: string, target: Target, runDir: string): Promise<RunResult> {
  let cmd: string;
  let args: string[];
  if (target === 'host') {
    cmd = exe;
    args = [];
  } else {
    const board = boardTargets().find((t) => t.name === target);
    if (!board) throw new ToolchainError(`no board for target ${target}`);
    cmd = 'qemu-system-arm';
    args = [...board.qemuArgs, exe];
  }
  const r = await execa(cmd, args, { cwd: runDir, reject: false, all: true, timeout: RUN_TIMEOUT_MS, stdin: 'ignore' });
  if (r.timedOut) throw new ToolchainError(`${target}: run timed out after ${RUN_TIMEOUT_MS / 1000} s`);
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
}

export function writeInt32File(path: string, data: Int32Array): void {
  writeFileSync(path, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
}

export function readInt32File(path: string): Int32Array {
  const buf = readFileSync(path);
  const out = new Int32Array(Math.floor(buf.length / 4));
  new Uint8Array(out.buffer).set(buf.subarray(0, out.length * 4));
  return out;
}

/** Runs the built harness on planar inputs; returns interleaved output frames (and the trace). */
export async function runVectors(exe: string, target: Target, runDir: string, inputFrames: Int32Array, withTrace = false): Promise<{ output: Int32Array; trace?: Int32Array }> {
  mkdirSync(runDir, { recursive: true });
  writeInt32File(join(runDir, 'input.bin'), inputFrames);
  const r = await runFirmware(exe, target, runDir);
  if (r.exitCode !== 0) throw new ToolchainError(`${target}: harness exited with code ${r.exitCode}${r.output ? `:\n${r.output}` : ''}`);
  return {
    output: readInt32File(join(runDir, 'output.bin')),
    trace: withTrace ? readInt32File(join(runDir, 'trace.bin')) : undefined,
  };
}
