// arrayc command line: a thin layer over the pipeline and the toolchain.
import { Command, InvalidArgumentError } from 'commander';
import { relative } from 'node:path';
import { DesignFileError } from '../designfile/errors.ts';
import { ProgramError } from '../fixed/validate.ts';
import { DEFAULT_DESIGN, buildDesign, generatedDir, writeBuilt } from '../pipeline.ts';
import { ToolchainError, buildFirmware } from '../toolchain/firmware.ts';
import { TARGETS, type Target } from '../toolchain/targets.ts';
import { type TargetResult, verifyTargets } from '../toolchain/verify.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

const progress = (msg: string) => {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${msg}`);
};
const progressDone = () => {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
};

function parseTarget(v: string): Target {
  if (!(TARGETS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${TARGETS.join(', ')}`);
  return v as Target;
}
function parseTargets(v: string): Target[] {
  return v === 'all' ? [...TARGETS] : [parseTarget(v)];
}

async function codeSize(elf: string, target: Target): Promise<{ text: number; data: number; bss: number } | null> {
  const r = await execa(target === 'host' ? 'size' : 'arm-none-eabi-size', [elf], { reject: false });
  const m = r.stdout?.split('\n')[1]?.trim().split(/\s+/);
  return m ? { text: Number(m[0]), data: Number(m[1]), bss: Number(m[2]) } : null;
}

const rel = (p: string) => relative(process.cwd(), p) || '.';

function printResults(name: string, results: TargetResult[]): void {
  console.log(`verify ${name}: TypeScript reference vs generated C`);
  for (const r of results) {
    const status = r.bitExact ? 'bit-exact' : `MISMATCH (${r.mismatches} samples differ)`;
    console.log(`  ${r.target.padEnd(11)} ${status}, ${r.samples} samples (${r.frames} frames)`);
    const m = r.firstMismatch;
    if (m) {
      console.log(`    first difference at output '${m.output}', frame ${m.frame} (${m.segment}): expected ${m.expected}, got ${m.actual}`);
      if (m.block) {
        console.log(`    first block that differs: '${m.block.id}' (${m.block.kind}), channel ${m.block.channel}, frame ${m.block.frame}: expected ${m.block.expected}, got ${m.block.actual}`);
      }
    }
  }
}

const program = new Command('arrayc')
  .description('Loudspeaker driver-array design to verified fixed-point firmware')
  .showHelpAfterError();

program
  .command('build')
  .description('design, quantize and generate C into generated/<name>/ (no design: the default design, also verified)')
  .argument('[design]', 'design file (JSON)')
  .option('--target <target>', `target to compile for: ${TARGETS.join(', ')}`, parseTarget)
  .option('--out <dir>', 'output root folder instead of generated/')
  .action(async (file: string | undefined, opts: { target?: Target; out?: string }) => {
    const isMainJob = file === undefined;
    const built = buildDesign(file ?? DEFAULT_DESIGN);
    const dir = generatedDir(built.design.name, opts.out);
    writeBuilt(built, dir);
    const target = opts.target ?? built.design.target;
    const work = mkdtempSync(join(tmpdir(), 'arrayc-build-'));
    try {
      progress(`compiling for ${target}`);
      const exe = await buildFirmware(dir, target, join(work, target));
      const size = await codeSize(exe, target);
      progressDone();
      console.log(`built ${built.design.name}: ${built.program.blocks.length} blocks -> ${rel(dir)}/`);
      console.log(`  compiled for ${target}${size ? `: harness + program .text ${size.text} B, .data ${size.data} B, .bss ${size.bss} B` : ''}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    if (isMainJob) {
      const results = await verifyTargets(built.program, dir, [target], { onProgress: progress });
      progressDone();
      printResults(built.design.name, results);
      if (!results.every((r) => r.bitExact)) process.exitCode = 1;
    }
  });

program
  .command('verify')
  .description('generate, compile, run (QEMU or host) and compare every output sample with the reference')
  .argument('[design]', 'design file (JSON)')
  .option('--target <target>', `${TARGETS.join(', ')} or all`, parseTargets)
  .option('--json', 'print one JSON object on stdout')
  .action(async (file: string | undefined, opts: { target?: Target[]; json?: boolean }) => {
    const built = buildDesign(file ?? DEFAULT_DESIGN);
    const work = mkdtempSync(join(tmpdir(), 'arrayc-verify-src-'));
    try {
      // Verify exactly what build would write, without touching generated/.
      const dir = join(work, built.design.name);
      writeBuilt(built, dir);
      const targets = opts.target ?? [built.design.target];
      const results = await verifyTargets(built.program, dir, targets, { onProgress: progress });
      progressDone();
      if (opts.json) console.log(JSON.stringify({ design: built.design.name, results }));
      else printResults(built.design.name, results);
      if (!results.every((r) => r.bitExact)) process.exitCode = 1;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  progressDone();
  if (e instanceof DesignFileError || e instanceof ProgramError || e instanceof ToolchainError) {
    console.error(`arrayc: ${e.message.split('\n').join('\narrayc: ')}`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
