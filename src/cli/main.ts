// arrayc command line: a thin layer over the pipeline and the toolchain.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { execa } from 'execa';
import { cName } from '../codegen/generate.ts';
import { type EvalReport, evaluateDesign, plainPlaybackFilters } from '../design/evaluate.ts';
import { parseSofa, resampleSet } from '../design/hrtf/sofa.ts';
import type { HeadModel } from '../design/plant.ts';
import { designSpatial, designedFilters, realizationSummary } from '../design/spatial.ts';
import { DesignFileError } from '../designfile/errors.ts';
import { loadDesign } from '../designfile/load.ts';
import { quantizedSnrDb } from '../export/filtersJson.ts';
import { ProgramError } from '../fixed/validate.ts';
import { DEFAULT_DESIGN, buildDesign, buildDesignWithReport, generatedDir, writeBuilt } from '../pipeline.ts';
import { benchProgram } from '../toolchain/bench.ts';
import { ToolchainError, buildFirmware } from '../toolchain/firmware.ts';
import { TARGETS, type Target } from '../toolchain/targets.ts';
import { type TargetResult, verifyTargets } from '../toolchain/verify.ts';
import { registerRenderCommand } from './render.ts';

// `arrayc eval ... | head` closes stdout early: that is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

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
    console.log(`  ${r.target.padEnd(11)} ${status}, ${r.samples} samples (${r.frames} frames)${r.fullScaleSamples ? `; ${r.fullScaleSamples} block-output samples at full scale in the reference` : ''}`);
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
    const built = await buildDesignWithReport(file ?? DEFAULT_DESIGN);
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
      if (built.spatial) {
        const r = realizationSummary(built.spatial);
        console.log(`  latency ${r.latencySamples} samples (${r.latencyMs.toFixed(1)} ms): CTC modelling delay ${r.modellingDelaySamples} + RTF delay ${r.rtfDelaySamples}`);
        console.log(`  CTC L: ${r.ctcForm.L}`);
        console.log(`  CTC R: ${r.ctcForm.R}`);
        console.log(`  virtualizer: ${r.virtualizer.ipsiSections} all-pass + ${r.virtualizer.contraSections} low-pass sections, ITD delay ${r.virtualizer.contraDelaySamples} samples, fit within ${r.virtualizer.maxMagnitudeErrorDb.toFixed(2)} dB`);
        for (const f of r.filters) console.log(`  FIR ${f.path}: ${f.taps} taps${f.errorDb === null ? '' : `, realization error ${f.errorDb.toFixed(1)} dB (worst 1/3-octave band)`}`);
      }
      console.log(`  compiled for ${target}${size ? `: harness + program .text ${size.text} B, .data ${size.data} B, .bss ${size.bss} B` : ''}`);
      if (built.ns) {
        const net = built.ns.network;
        console.log(`  noise suppressor: 48 kHz, 20 ms window, 10 ms hop (latency 20 ms), 34 ERB bands; network ${net.weightCount} int8 weights (conv ${net.convOutSize}, GRU ${net.gruSizes.map((g) => g.hiddenSize).join(' + ')}), weights from ${rel(built.design.kind === 'noise-suppressor' ? built.design.weightsFile : '')}`);
      }
      const irs = built.reportInput?.impulseResponses;
      if (irs) {
        const snr = quantizedSnrDb({ channels: irs.float, quantized: { channels: irs.quantized } });
        const worst = snr.perPath.find((p) => p.snrDb === snr.worstDb);
        if (worst) console.log(`  fixed point vs float, channel impulse responses: worst path ${worst.channel} -> ${worst.driver} ${snr.worstDb.toFixed(1)} dB SNR`);
      }
      const idle = built.reportInput?.idleNoise ?? [];
      const db = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} dBFS` : 'digital silence');
      if (idle.length) console.log(`  noise floor with silent input (from reset / after full-scale noise): ${idle.map((n) => `${n.output} ${db(n.fromResetDbfs)} / ${db(n.afterSignalDbfs)}`).join(', ')}`);
      console.log(`  sources: ${rel(dir)}/arrayc_${cName(built.program.name)}.c, .h; report: ${rel(dir)}/report.html${built.spatial ? `; filters: ${rel(dir)}/filters.json` : ''}`);
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

const HEAD_MODELS = ['sphere', 'brown-duda', 'free-field'] as const;

async function loadHeadModel(opts: { hrtf?: string; head?: string }, sampleRate: number): Promise<HeadModel> {
  if (opts.hrtf) {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(opts.hrtf);
    } catch (e) {
      throw new DesignFileError(opts.hrtf, [{ path: '', message: `cannot read the SOFA file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }]);
    }
    let set;
    try {
      set = await parseSofa(bytes, opts.hrtf);
    } catch (e) {
      throw new DesignFileError(opts.hrtf, [{ path: '', message: (e as Error).message }]);
    }
    return { kind: 'hrtf', set: set.sampleRateHz === sampleRate ? set : resampleSet(set, sampleRate), label: basename(opts.hrtf) };
  }
  return { kind: (opts.head ?? 'sphere') as 'sphere' | 'brown-duda' | 'free-field' };
}

function printEval(r: EvalReport): void {
  const f = (v: number) => `${v >= 0 ? ' ' : ''}${v.toFixed(1)}`;
  console.log(`eval ${r.design}: ${r.filters}, head model ${r.headModel}`);
  console.log(`  separation at the ears, 1/3-octave bands 300 Hz-6 kHz: median ${r.ctc.separationMedianDb.toFixed(1)} dB`);
  console.log(`    ${r.ctc.bandsDb.map((b) => `${Math.round(b.hz)}:${f(b.db)}`).join('  ')}`);
  console.log(`  robustness (median separation per listener pose): worst ${r.ctc.worstOffsetDb.toFixed(1)} dB (${r.ctc.worstOffsetPose})`);
  for (const p of r.ctc.robustness) console.log(`    ${p.label.padEnd(22)} ${f(p.medianDb)} dB`);
  if (r.beam) {
    const b = r.beam;
    console.log(`  centre beam ${b.bandHz[0]}-${b.bandHz[1]} Hz (spatial aliasing above ${Math.round(b.spatialAliasingHz)} Hz), omni point sources / piston directivity:`);
    console.log(`    null depth at the null directions, median over bands: ${b.nullDepthMedianDb.toFixed(1)} / ${b.withDriverDirectivity.nullDepthMedianDb.toFixed(1)} dB`);
    console.log(`    main-lobe droop within +/-${45} deg, median over bands: ${b.mainLobeDroopMaxDb.toFixed(1)} / ${b.withDriverDirectivity.mainLobeDroopMaxDb.toFixed(1)} dB`);
    console.log(`    white-noise gain, min over bands: ${b.whiteNoiseGainMinDb.toFixed(1)} / ${b.withDriverDirectivity.whiteNoiseGainMinDb.toFixed(1)} dB`);
    console.log(`    directivity index, median over bands: ${b.directivityIndexMedianDb.toFixed(1)} / ${b.withDriverDirectivity.directivityIndexMedianDb.toFixed(1)} dB`);
  }
  console.log(`  maximum filter gain (driver effort): ${r.effort.maxFilterGainDb.toFixed(1)} dB (limit ${r.effort.limitDb} dB)`);
}

program
  .command('eval')
  .description('acoustic metrics of a geometry design: separation at the ears, robustness, beam pattern, effort')
  .argument('[design]', 'design file (JSON)')
  .option('--hrtf <file.sofa>', 'judge with measured HRTFs from a SOFA file instead of a head model')
  .option('--head <model>', `head model: ${HEAD_MODELS.join(', ')} (default sphere)`, (v: string) => {
    if (!(HEAD_MODELS as readonly string[]).includes(v)) throw new InvalidArgumentError(`expected one of ${HEAD_MODELS.join(', ')}`);
    return v;
  })
  .option('--plain', 'evaluate plain playback (each channel through its home drivers) instead of the designed filters')
  .option('--json', 'print one JSON object on stdout')
  .action(async (file: string | undefined, opts: { hrtf?: string; head?: string; plain?: boolean; json?: boolean }) => {
    const design = loadDesign(file ?? DEFAULT_DESIGN);
    if (design.kind !== 'geometry') {
      throw new DesignFileError(design.file, [{ path: 'kind', message: `eval needs a 'geometry' design (driver positions and a listener), got '${design.kind}'` }]);
    }
    progress('loading the head model');
    const head = await loadHeadModel(opts, design.geometry.sampleRate);
    let report: EvalReport;
    if (opts.plain) {
      progress('evaluating');
      report = evaluateDesign(design.geometry, plainPlaybackFilters(design.geometry), 'plain playback (each channel to its home drivers)', head);
    } else {
      progress('designing the filters');
      const spatial = designSpatial(design.geometry, design.spatial, design.blockSize);
      progress('evaluating');
      report = { ...evaluateDesign(design.geometry, designedFilters(spatial), `designed filters (CTC ${design.spatial.ctc.robustness}, ${spatial.centre.kind} centre)`, head), realization: realizationSummary(spatial) };
    }
    progressDone();
    if (opts.json) console.log(JSON.stringify(report));
    else printEval(report);
  });

program
  .command('bench')
  .description('instructions per sample per block counted by QEMU (not cycles), MACs, code and data sizes')
  .argument('[design]', 'design file (JSON)')
  .option('--target <target>', 'cortex-m4, cortex-m7, cortex-m33 or cortex-m55 (default: the design\'s target)', parseTarget)
  .option('--json', 'print one JSON object on stdout')
  .action(async (file: string | undefined, opts: { target?: Target; json?: boolean }) => {
    const built = buildDesign(file ?? DEFAULT_DESIGN);
    const work = mkdtempSync(join(tmpdir(), 'arrayc-bench-src-'));
    try {
      const dir = join(work, built.design.name);
      writeBuilt(built, dir);
      const r = await benchProgram(built.program, dir, opts.target ?? built.design.target, progress);
      progressDone();
      if (opts.json) {
        console.log(JSON.stringify(r));
        return;
      }
      const f = (v: number, d = 1) => v.toFixed(d);
      console.log(`bench ${r.design} on ${r.target}: ${f(r.instructionsPerSample)} instructions per sample, ${r.macsPerSample} MACs per sample, ${f(r.instructionsPerMac, 2)} instructions per MAC, ${f(r.instructionsPerSecond / 1e6, 2)} M instructions per second at ${r.sampleRate} Hz`);
      console.log(`  ${'block'.padEnd(24)} ${'kind'.padEnd(14)} ${'instr/sample'.padStart(12)} ${'MACs/sample'.padStart(11)} ${'instr/MAC'.padStart(9)}`);
      for (const b of r.blocks) {
        console.log(`  ${b.name.padEnd(24)} ${b.kind.padEnd(14)} ${f(b.instructionsPerSample).padStart(12)} ${String(b.macsPerSample).padStart(11)} ${(b.macsPerSample ? f(b.instructionsPerSample / b.macsPerSample, 2) : '-').padStart(9)}`);
      }
      console.log(`  firmware sections: .text ${r.sizes.text} B, .data ${r.sizes.data} B, .bss ${r.sizes.bss} B`);
      console.log(`  ${r.note}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

registerRenderCommand(program, progress, progressDone);

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
