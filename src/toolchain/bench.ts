// arrayc bench: instructions per sample per block, counted by QEMU. The bench harness calls the
// process function a few times; the program marks the start of every block; QEMU runs with
// -singlestep -d exec,nochain, which logs one line per executed instruction with its function
// symbol. Instructions between two marks of the last call belong to that block. QEMU has no
// cycle model: these are instructions, not cycles.
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { FixedProgram } from '../fixed/program.ts';
import { blockKind } from '../fixed/registry.ts';
import { boardTargets } from './boards.ts';
import { ToolchainError, buildFirmware } from './firmware.ts';
import type { Target } from './targets.ts';

/** Calls of the process function in bench.c; the last one is measured (the first warm the state). */
const BENCH_CALLS = 3;
const MARK_SYMBOL = 'arrayc_bench_mark';

export interface BenchBlock {
  name: string;
  kind: string;
  instructionsPerSample: number;
  macsPerSample: number;
}

export interface BenchResult {
  design: string;
  target: Target;
  sampleRate: number;
  blockSize: number;
  /** Whole program per frame (every block, plus the process function's own glue). */
  instructionsPerSample: number;
  macsPerSample: number;
  instructionsPerMac: number;
  instructionsPerSecond: number;
  blocks: BenchBlock[];
  /** Section sizes of the whole benchmark firmware (program + harness + C library + startup). */
  sizes: { text: number; data: number; bss: number };
  note: string;
}

/** Counts trace lines per block of the last process call. */
async function countPerBlock(traceFile: string, nBlocks: number): Promise<{ perBlock: number[]; glue: number }> {
  const marksPerCall = nBlocks + 1;
  const perBlock = new Array(nBlocks).fill(0);
  let glue = 0;
  let mark = -1; // index of the last mark entered
  let inMark = false;
  const rl = createInterface({ input: createReadStream(traceFile), crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.startsWith('Trace')) continue;
    const sym = line.slice(line.lastIndexOf(' ') + 1);
    if (sym === MARK_SYMBOL) {
      if (!inMark) {
        mark++;
        inMark = true;
      }
      continue;
    }
    inMark = false;
    if (mark < 0) continue;
    const call = Math.floor(mark / marksPerCall);
    const k = mark % marksPerCall;
    if (call !== BENCH_CALLS - 1) continue;
    if (k < nBlocks) perBlock[k]++;
    else glue++; // after the last block: output copies and return, until main takes over
  }
  if (mark + 1 !== BENCH_CALLS * marksPerCall) {
    throw new ToolchainError(`bench: expected ${BENCH_CALLS * marksPerCall} block marks in the trace, found ${mark + 1}`);
  }
  return { perBlock, glue };
}

export async function benchProgram(program: FixedProgram, srcDir: string, target: Target, onProgress?: (m: string) => void): Promise<BenchResult> {
  if (target === 'host') throw new ToolchainError('bench counts instructions in QEMU: choose a Cortex-M target (cortex-m4, cortex-m7, cortex-m33, cortex-m55)');
  const board = boardTargets().find((t) => t.name === target)!;
  const work = mkdtempSync(join(tmpdir(), 'arrayc-bench-'));
  try {
    onProgress?.(`${target}: building the benchmark`);
    const exe = await buildFirmware(srcDir, target, join(work, 'build'), { extraCflags: ['-DARRAYC_BENCH_ENABLE'], harness: 'bench.c' });
    const runDir = join(work, 'run');
    mkdirSync(runDir);
    onProgress?.(`${target}: running with an instruction trace`);
    const trace = join(runDir, 'trace.log');
    const r = await execa('qemu-system-arm', [...board.qemuArgs.slice(0, -1), '-singlestep', '-d', 'exec,nochain', '-D', trace, '-kernel', exe], { cwd: runDir, reject: false, all: true, timeout: 600_000, stdin: 'ignore' });
    if (r.exitCode !== 0) throw new ToolchainError(`${target}: benchmark exited with code ${r.exitCode}: ${r.all ?? ''}`);
    onProgress?.(`${target}: counting instructions`);
    const { perBlock, glue } = await countPerBlock(trace, program.blocks.length);
    const bs = program.blockSize;
    const blocks = program.blocks.map((b, k) => ({
      name: b.id,
      kind: b.kind,
      instructionsPerSample: perBlock[k] / bs,
      macsPerSample: blockKind(b).macsPerFrame(b),
    }));
    const total = (perBlock.reduce((a, v) => a + v, 0) + glue) / bs;
    const macs = blocks.reduce((a, b) => a + b.macsPerSample, 0);
    const sz = await execa('arm-none-eabi-size', [exe]);
    const [text, data, bss] = sz.stdout.split('\n')[1].trim().split(/\s+/).map(Number);
    return {
      design: program.name,
      target,
      sampleRate: program.sampleRate,
      blockSize: bs,
      instructionsPerSample: total,
      macsPerSample: macs,
      instructionsPerMac: macs > 0 ? total / macs : 0,
      instructionsPerSecond: total * program.sampleRate,
      blocks,
      sizes: { text, data, bss },
      note: `QEMU ${board.machine} instruction counts (no cycle model), steady-state call ${BENCH_CALLS} of ${BENCH_CALLS}, per frame = per sample of each channel`,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
