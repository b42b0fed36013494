// FIR kernels specialized per block instance, for the Arm cores. The generator knows every tap
// count, so it emits each FIR's inner product unrolled in assembly, with the registers allocated
// here (which register holds which sample and tap at every instruction), instead of a loop over
// a generic kernel. QEMU counts instructions: what matters is instructions per tap.
//
// Cortex-M4/M7/M33 (ARMv7E-M / ARMv8-M Mainline with the DSP extension): two outputs per pass,
// their 64-bit accumulators in r0:r1 and r2:r3. Taps and samples share the eight registers
// r4-r11: LDM of five taps, and five steps later LDM of five samples into whatever registers are
// then free (the register lists ascend, so the words land in the free registers in order). Per
// five steps: 10 SMLAL (SMLALD for Q15 tap pairs) and 2 LDM, 1.2 instructions per product.
// Pointers in r12 (taps) and lr (samples); the rest on the stack.
// Q15 reads word-aligned sample pairs only: an output at an odd history index uses a second tap
// table, shifted by one tap behind a zero.
//
// Cortex-M55 (Helium): six outputs per pass, n, n+L, ..., n+5L (L = lanes: 4 for Q31, 8 for
// Q15), each a 64-bit accumulator in a register pair r0:r1 .. r10:r11. Output n+mL at tap vector
// j reads sample vector V(m+j), so a pass loads each tap vector once and one new sample vector
// per step, and issues six VMLALDAVA: 8 instructions per 6L products (0.33 per Q31 tap).
//
// Filters longer than FIR_UNROLL_MAX_TAPS loop over a block of unrolled steps (the register
// rotation repeats), for code of bounded size.
//
// Every sum is exact (the validators bound it below 2^63), so this order of accumulation gives
// the reference's result bit for bit.

/**
 * Longest inner product unrolled in full, in taps (about 10 bytes of code per tap on the DSP
 * cores, 8 on Helium). Longer filters loop over a block of unrolled steps: a few instructions
 * per 95 tap words more, and code of bounded size.
 */
export const FIR_UNROLL_MAX_TAPS = 1024;

export type DspMac = 'smlal' | 'smlald';

/** One C statement: a top-level basic asm block with the given lines. */
export function asmBlock(lines: string[]): string {
  const q = (l: string) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  return `__asm__(\n${lines.map((l) => `    "${q(l)}\\n"`).join('\n')}\n);`;
}

export function funcHeader(sym: string): string[] {
  return [
    '.syntax unified',
    '.thumb',
    `.pushsection .text.${sym},"ax",%progbits`,
    '.balign 4',
    '.thumb_func',
    `.type ${sym}, %function`,
    `${sym}:`,
  ];
}

export function funcFooter(sym: string): string[] {
  return [`.size ${sym}, .-${sym}`, '.popsection'];
}

const regNum = (r: string) => (r === 'lr' ? 14 : Number(r.slice(1)));

/** Loads consecutive words at [ptr] (post-incremented) into regs, lowest address first. */
function loadWords(ptr: string, regs: string[]): string {
  if (regs.length === 1) return `ldr ${regs[0]}, [${ptr}], #4`;
  for (let k = 1; k < regs.length; k++) if (regNum(regs[k]) <= regNum(regs[k - 1])) throw new Error(`LDM list not ascending: ${regs.join(',')}`);
  return `ldmia ${ptr}!, {${regs.join(', ')}}`;
}

/** Adds a constant to a register into dst (dst may be the source). */
function addConst(dst: string, src: string, value: number): string[] {
  if (value >= 0 && value <= 4095) return [`addw ${dst}, ${src}, #${value}`];
  if (dst === src) throw new Error('addConst: needs a scratch register');
  const lines = [`movw ${dst}, #${value & 0xffff}`];
  if (value > 0xffff) lines.push(`movt ${dst}, #${value >>> 16}`);
  lines.push(`add ${dst}, ${dst}, ${src}`);
  return lines;
}

/** Subtracts a byte count from a register (scratch: a free register for large values). */
function subConst(reg: string, bytes: number, scratch: string): string[] {
  if (bytes === 0) return [];
  if (bytes <= 4095) return [`subw ${reg}, ${reg}, #${bytes}`];
  const lines = [`movw ${scratch}, #${bytes & 0xffff}`];
  if (bytes > 0xffff) lines.push(`movt ${scratch}, #${bytes >>> 16}`);
  lines.push(`sub ${reg}, ${reg}, ${scratch}`);
  return lines;
}

/**
 * A loop over identical blocks of steps: steps[s0 .. s0 + r*b) repeated r times as one block of
 * b steps, when the generated text of every block is the same (the register rotation has a
 * period dividing b). Leaves at least `tail` steps after the loop (the last steps load less).
 */
function rollLoop(steps: string[][], s0: number, b: number, tail: number): { pre: string[]; body: string[]; count: number; post: string[] } | null {
  const count = Math.floor((steps.length - s0 - tail) / b);
  if (count < 2) return null;
  const text = (r: number) => steps.slice(s0 + r * b, s0 + (r + 1) * b).flat();
  const body = text(0);
  for (let r = 1; r < count; r++) {
    if (text(r).join('\n') !== body.join('\n')) throw new Error(`FIR loop: block ${r} differs from block 0 (register rotation period does not divide ${b})`);
  }
  return { pre: steps.slice(0, s0).flat(), body, count, post: steps.slice(s0 + count * b).flat() };
}

/**
 * The multiply-accumulate steps of one DSP pass: `steps` tap words (one SMLAL or SMLALD each per
 * output), output A = sum_k tap[k] * x[k], output B = sum_k tap[k] * x[k + 1] (x and tap in
 * words, streamed from lr and r12). Taps and samples share the eight registers r4-r11: a group of
 * up to five taps loads (one LDM) when the next tap is not in a register, a group of up to five
 * samples between the two products of the step that first needs one, after output A's last use
 * of x[k], into the registers then free. With the loads of taps and samples five steps apart
 * every pool register is busy at each load: per five steps 10 products, 2 LDM, 1.2 instructions
 * per product. Returns the lines of each step and the sample words loaded.
 */
export function dspSteps(steps: number, mac: DspMac): { steps: string[][]; sampleWords: number } {
  const POOL = ['r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11'];
  const GROUP = 5;
  const out: string[][] = [];
  const coefReg = new Map<number, string>();
  const sampleReg = new Map<number, string>();
  const nSamples = steps + 1;
  let coefNext = 0;
  let sampleNext = 0;
  // Registers of taps >= firstTap and samples >= firstSample are live; the others are free.
  const load = (ptr: string, regOf: Map<number, string>, next: number, limit: number, firstTap: number, firstSample: number): [string, number] => {
    const live = new Set([...[...coefReg].filter(([i]) => i >= firstTap), ...[...sampleReg].filter(([i]) => i >= firstSample)].map(([, r]) => r));
    const regs = POOL.filter((r) => !live.has(r)).slice(0, Math.min(GROUP, limit - next));
    if (regs.length === 0) throw new Error('FIR pass: no free register');
    for (const m of [coefReg, sampleReg]) for (const [i, r] of [...m]) if (regs.includes(r)) m.delete(i);
    regs.forEach((r, q) => regOf.set(next + q, r));
    return [loadWords(ptr, regs), next + regs.length];
  };
  for (let k = 0; k < steps; k++) {
    const lines: string[] = [];
    if (k >= coefNext) {
      const [l, n] = load('r12', coefReg, coefNext, steps, k, k);
      lines.push(l);
      coefNext = n;
    }
    if (k >= sampleNext) {
      const [l, n] = load('lr', sampleReg, sampleNext, nSamples, k, k);
      lines.push(l);
      sampleNext = n;
    }
    const c = coefReg.get(k)!;
    lines.push(`${mac} r0, r1, ${c}, ${sampleReg.get(k)}`);
    if (k + 1 >= sampleNext) {
      const [l, n] = load('lr', sampleReg, sampleNext, nSamples, k, k + 1);
      lines.push(l);
      sampleNext = n;
    }
    lines.push(`${mac} r2, r3, ${c}, ${sampleReg.get(k + 1)}`);
    out.push(lines);
  }
  return { steps: out, sampleWords: sampleNext };
}

export interface DspPassOptions {
  /** Tap words per output (Q31: taps; Q15: tap pairs). */
  steps: number;
  /** Q31: SMLAL, outputs x[0..] and x[1..], stored to out[0], out[1]; Q15: SMLALD, outputs at
   *  sample words 0 and 1 (samples 2 apart), stored to out[0], out[2]. */
  kind: 'q31' | 'q15';
  /** Fraction bits of the taps (the final arithmetic shift). */
  shift: number;
  /** Longest unrolled pass, in steps (default from FIR_UNROLL_MAX_TAPS). */
  unrollMax?: number;
}

/**
 * void sym(const void *x, int32_t *out, int32_t *outEnd, const void *tab): passes while out is
 * below outEnd (at least one). tab = [round, 0, round, 0, taps...] (32-bit words), re-read from
 * the start each pass; x advances by 2 words and out by 2 outputs (Q31) or 4 (Q15) per pass.
 * Result per output: Q31 sat32(acc >> shift); Q15 sat16(acc >> shift) << 16 (acc includes round).
 */
export function dspPassAsm(sym: string, o: DspPassOptions): string[] {
  const { steps, sampleWords } = dspSteps(o.steps, o.kind === 'q31' ? 'smlal' : 'smlald');
  const unrollMax = o.unrollMax ?? (o.kind === 'q31' ? FIR_UNROLL_MAX_TAPS : FIR_UNROLL_MAX_TAPS / 2);
  // Steps 10 + 95r .. start with a tap load into r4-r8 (a multiple of 5, the period of the
  // register rotation): 95 steps per loop block. r4, about to be loaded, ends the loop.
  const [s0, b] = [10, 95];
  const loop = o.steps > unrollMax ? rollLoop(steps, s0, b, 24) : null;
  if (loop && !loop.body[0].startsWith('ldmia r12!, {r4,')) throw new Error('FIR loop block must start with a tap load');
  const L = (s: string) => `.L${sym}_${s}`;
  const s = o.shift;
  const out: string[] = [...funcHeader(sym)];
  // Stack: [sp] out, [sp + 4] outEnd, [sp + 8] tab (, [sp + 44] the tap pointer ending the loop).
  if (loop) out.push(...addConst('r12', 'r3', 16 + 4 * (s0 + b * loop.count)), 'push {r1-r12, lr}');
  else out.push('push {r1-r11, lr}');
  out.push('mov lr, r0', 'mov r12, r3', `${L('pass')}:`, 'ldmia r12!, {r0-r3}');
  if (loop) {
    out.push(...loop.pre, `${L('loop')}:`, ...loop.body, 'ldr r4, [sp, #44]', 'cmp r12, r4', `bne ${L('loop')}`, ...loop.post);
  } else {
    out.push(...steps.flat());
  }
  out.push(...subConst('lr', 4 * (sampleWords - 2), 'r4'));
  const sat: string[] = [];
  for (const [lo, hi, t] of [['r0', 'r1', 'r4'], ['r2', 'r3', 'r5']]) {
    if (o.kind === 'q31') {
      // y = acc >> s (low word); it fits in 32 bits iff hi fits in s bits.
      out.push(`lsrs ${lo}, ${lo}, #${s}`, `orr ${lo}, ${lo}, ${hi}, lsl #${32 - s}`, `ssat ${t}, #${s}, ${hi}`, `cmp ${t}, ${hi}`, `bne ${L(`sat${lo}`)}`, `${L(`ret${lo}`)}:`);
      sat.push(`${L(`sat${lo}`)}:`, `mvn ${lo}, ${hi}, asr #31`, `eor ${lo}, ${lo}, #0x80000000`, `b ${L(`ret${lo}`)}`);
    } else {
      // sat16(acc >> s) << 16 = sat32(acc << k) with the low 16 bits cleared, k = 16 - s
      // (|acc| < 2^45, so acc << k fits in 64 bits).
      const k = 16 - s;
      out.push(`lsl ${t}, ${hi}, #${k}`, `orr ${t}, ${t}, ${lo}, lsr #${32 - k}`, `lsls ${lo}, ${lo}, #${k}`, `cmp ${t}, ${lo}, asr #31`, `bne ${L(`sat${lo}`)}`, `${L(`ret${lo}`)}:`, `bfc ${lo}, #0, #16`);
      sat.push(`${L(`sat${lo}`)}:`, `mvn ${lo}, ${t}, asr #31`, `eor ${lo}, ${lo}, #0x80000000`, `b ${L(`ret${lo}`)}`);
    }
  }
  out.push('ldm sp, {r4, r5, r12}');
  if (o.kind === 'q31') out.push('strd r0, r2, [r4], #8');
  else out.push('str r2, [r4, #8]', 'str r0, [r4], #16');
  out.push('str r4, [sp]', 'cmp r4, r5', `blo ${L('pass')}`, loop ? 'pop {r1-r12, pc}' : 'pop {r1-r11, pc}');
  out.push(...sat, ...funcFooter(sym));
  return out;
}

export interface MvePassOptions {
  /** Tap vectors per output (Q31: ceil(taps / 4); Q15: ceil(taps / 8)); the table is zero-padded. */
  steps: number;
  kind: 'q31' | 'q15';
  shift: number;
  /** Longest unrolled pass, in steps (default from FIR_UNROLL_MAX_TAPS). */
  unrollMax?: number;
}

/** Outputs per Helium pass (64-bit accumulators in the register pairs r0:r1 .. r10:r11). */
export const MVE_OUTPUTS = 6;

/** [round, 0] words at the start of every FIR table: one per Helium accumulator. */
export const MVE_ROUND_WORDS = MVE_OUTPUTS;

/**
 * void sym(const void *x, int32_t *out, const void *tab): six outputs y[m] = out[m * lanes],
 * m = 0..5, output m = sum_k tab[k] * x[m * lanes + k]. tab = [round, 0] x 6 (32-bit words) then
 * the taps (zero-padded to whole vectors).
 * Unrolled: taps from r12, samples from lr, sample vector t in q(t mod 7), taps in q7.
 * Looped (long filters): no scalar register is left for a third pointer, so the tap vectors come
 * through a gather with writeback, [q7, #16]! (q7 holds the addresses of the four words), into
 * q6; samples from r12, the loop count in lr; sample vector t in q(t mod 6), loaded into the
 * register of vector t - 6 right after its last use.
 */
export function mvePassAsm(sym: string, o: MvePassOptions): string[] {
  const lanes = o.kind === 'q31' ? 4 : 8;
  const ld = o.kind === 'q31' ? 'vldrw.32' : 'vldrh.16';
  const mac = o.kind === 'q31' ? 'vmlaldava.s32' : 'vmlaldava.s16';
  const A = MVE_OUTPUTS;
  const T = o.steps;
  const looped = T > (o.unrollMax ?? FIR_UNROLL_MAX_TAPS / lanes);
  const L = (s: string) => `.L${sym}_${s}`;
  const out: string[] = [...funcHeader(sym)];
  out.push('push {r1, r4-r11, lr}', 'vpush {d8-d15}', 'mov lr, r0', 'mov r12, r2', 'ldmia r12!, {r0-r11}');
  const nVec = T + A - 1;
  const steps: string[][] = [];
  if (!looped) {
    const q = (t: number) => `q${t % 7}`;
    for (let t = 0; t < Math.min(A, nVec); t++) out.push(`${ld} ${q(t)}, [lr], #16`);
    for (let j = 0; j < T; j++) {
      const lines = [`${ld} q7, [r12], #16`];
      if (j + A < nVec) lines.push(`${ld} ${q(j + A)}, [lr], #16`);
      for (let m = 0; m < A; m++) lines.push(`${mac} r${2 * m}, r${2 * m + 1}, q7, ${q(j + m)}`);
      steps.push(lines);
    }
    out.push(...steps.flat());
  } else {
    const q = (t: number) => `q${t % 6}`;
    out.push('sub r12, r12, #16', 'vidup.u32 q7, r12, #4', 'mov r12, lr');
    for (let t = 0; t < Math.min(A, nVec); t++) out.push(`${ld} ${q(t)}, [r12], #16`);
    for (let j = 0; j < T; j++) {
      const lines = ['vldrw.u32 q6, [q7, #16]!', `${mac} r0, r1, q6, ${q(j)}`];
      if (j + A < nVec) lines.push(`${ld} ${q(j + A)}, [r12], #16`);
      for (let m = 1; m < A; m++) lines.push(`${mac} r${2 * m}, r${2 * m + 1}, q6, ${q(j + m)}`);
      steps.push(lines);
    }
    // 48 steps per loop block: a multiple of the rotation period 6.
    const loop = rollLoop(steps, 0, 48, 1);
    if (!loop) throw new Error('Helium FIR loop: too few steps');
    out.push(`movw lr, #${loop.count}`, ...loop.pre, `${L('loop')}:`, ...loop.body, 'subs lr, lr, #1', `bne ${L('loop')}`, ...loop.post);
  }
  out.push('ldr r12, [sp, #64]');
  // SQSHLL by 32 - s: the high word is acc >> s saturated to 32 bits.
  for (let m = 0; m < A; m++) {
    const hi = `r${2 * m + 1}`;
    out.push(`sqshll r${2 * m}, ${hi}, #${32 - o.shift}`);
    if (o.kind === 'q15') out.push(`ssat ${hi}, #16, ${hi}`, `lsls ${hi}, ${hi}, #16`);
    out.push(`str ${hi}, [r12, #${4 * lanes * m}]`);
  }
  out.push('vpop {d8-d15}', 'pop {r1, r4-r11, pc}', ...funcFooter(sym));
  return out;
}

/**
 * Samples of room after the kept nTaps - 1 inputs: the history moves back once every cap / n
 * blocks instead of every block. Half the filter length (whole blocks, at least one): the move,
 * about 0.6 instructions per word, then costs about 1.2 instructions per output sample, for RAM
 * of 1.5 times the filter length instead of 2 times (up to 2048 extra samples).
 */
export function historyCap(nTaps: number, blockSize: number): number {
  return blockSize * Math.max(1, Math.ceil(Math.min(nTaps - 1, 4096) / (2 * blockSize)));
}

export interface FirInstance {
  /** Table values (ctype per kind) and length of the history state. */
  table: number[];
  histLength: number;
  code: string;
}

/**
 * FIR Q31 instance: table [round, 0] x 6, then the taps reversed, zero-padded to whole 4-lane
 * vectors; the history; the instance's kernels and its block function `${prefix}_fir`.
 */
export function firQ31Instance(prefix: string, taps: readonly number[], shift: number, blockSize: number): FirInstance {
  const N = taps.length;
  const T = Math.ceil(N / 4);
  const round = 2 ** (shift - 1);
  const table = [...Array.from({ length: MVE_ROUND_WORDS }, () => [round, 0]).flat(), ...[...taps].reverse(), ...new Array(4 * T - N).fill(0)];
  const cap = historyCap(N, blockSize);
  // Helium passes read up to 4T + 19 words past the start of the last output's window.
  const histLength = N - 1 + cap + 4 * T - N + 20;
  const dsp = `${prefix}_fir_dsp`;
  const mve = `${prefix}_fir_mve`;
  const mveOpt: MvePassOptions = { steps: T, kind: 'q31', shift };
  const code = [
    `/* ${prefix}: FIR Q31, ${N} taps, shift ${shift}: kernels generated for this instance. */`,
    '#if ARRAYC_FIR_ASM == 1',
    `void ${dsp}(const int32_t *x, int32_t *out, int32_t *outEnd, const int32_t *tab);`,
    asmBlock(dspPassAsm(dsp, { steps: N, kind: 'q31', shift })),
    '#elif ARRAYC_FIR_ASM == 2',
    `void ${mve}(const int32_t *x, int32_t *out, const int32_t *tab);`,
    asmBlock(mvePassAsm(mve, mveOpt)),
    '#endif',
    '',
    `static ARRAYC_BLOCK_FN void ${prefix}_fir(const int32_t *in, int32_t *out, int n)`,
    '{',
    `    const int32_t *x = arrayc_fir_q31_window(${prefix}_hist, ${prefix}_pos, ${N}, ${cap}, in, n);`,
    '#if ARRAYC_FIR_ASM == 1',
    `    if (n >= 2) ${dsp}(x, out, out + (n & ~1), ${prefix}_taps + ${2 * MVE_ROUND_WORDS - 4});`,
    `    if (n & 1) arrayc_fir_q31(${prefix}_taps + ${2 * MVE_ROUND_WORDS}, ${N}, ${shift}, x + n - 1, out + n - 1, 1);`,
    '#elif ARRAYC_FIR_ASM == 2',
    `    arrayc_fir_q31_mve(${mve}, ${MVE_OUTPUTS}, ${prefix}_taps, x, out, n);`,
    '#else',
    `    arrayc_fir_q31(${prefix}_taps + ${2 * MVE_ROUND_WORDS}, ${N}, ${shift}, x, out, n);`,
    '#endif',
    '}',
  ].join('\n');
  return { table, histLength, code };
}

/**
 * FIR Q15 instance (int16 table): [round, 0] x 6 as 32-bit words, the taps reversed zero-padded
 * to P halfwords (whole 8-lane vectors, and at least the DSP pairs), then [round, 0] x 2 and the
 * odd-parity pairs: a zero, the taps reversed, zero-padded to the same pair count.
 */
export function firQ15Instance(prefix: string, taps: readonly number[], shift: number, blockSize: number): FirInstance {
  const N = taps.length;
  const T = Math.ceil(N / 8);
  const K = Math.ceil((N + 1) / 2);
  const P = Math.max(8 * T, 2 * K);
  const round = 2 ** (shift - 1);
  const rev = [...taps].reverse();
  const pad = (v: number[], n: number) => [...v, ...new Array(n - v.length).fill(0)];
  const word = (lo: number) => [lo, 0]; // little-endian 32-bit word [lo, 0] as two int16
  const prefix6 = Array.from({ length: MVE_ROUND_WORDS }, () => [...word(round), ...word(0)]).flat();
  const prefix2 = [...word(round), ...word(0), ...word(round), ...word(0)];
  const table = [...prefix6, ...pad(rev, P), ...prefix2, ...pad([0, ...rev], 2 * K)];
  const offRev = 4 * MVE_ROUND_WORDS;
  const offE = offRev - 8;
  const offO = offRev + P + 8 - 8;
  const cap = historyCap(N, blockSize);
  // Helium passes read up to 8T + 39 halfwords past the start of the last output's window.
  const histLength = N - 1 + cap + 8 * T - N + 40;
  const dsp = `${prefix}_fir_dsp`;
  const mve = `${prefix}_fir_mve`;
  const mveOpt: MvePassOptions = { steps: T, kind: 'q15', shift };
  const code = [
    `/* ${prefix}: FIR Q15, ${N} taps, shift ${shift}: kernels generated for this instance. */`,
    '#if ARRAYC_FIR_ASM == 1',
    `void ${dsp}(const int16_t *xw, int32_t *out, int32_t *outEnd, const int16_t *tab);`,
    asmBlock(dspPassAsm(dsp, { steps: K, kind: 'q15', shift })),
    '#elif ARRAYC_FIR_ASM == 2',
    `void ${mve}(const int16_t *x, int32_t *out, const int16_t *tab);`,
    asmBlock(mvePassAsm(mve, mveOpt)),
    '#endif',
    '',
    `static ARRAYC_BLOCK_FN void ${prefix}_fir(const int32_t *in, int32_t *out, int n)`,
    '{',
    `    const int16_t *x = arrayc_fir_q15_window(${prefix}_hist, ${prefix}_pos, ${N}, ${cap}, in, n);`,
    '#if ARRAYC_FIR_ASM == 1',
    `    arrayc_fir_q15_dsp(${dsp}, ${prefix}_taps + ${offE}, ${prefix}_taps + ${offO}, x, out, n);`,
    `    if (n & 3) arrayc_fir_q15(${prefix}_taps + ${offRev}, ${N}, ${shift}, x + (n & ~3), out + (n & ~3), n & 3);`,
    '#elif ARRAYC_FIR_ASM == 2',
    `    arrayc_fir_q15_mve(${mve}, ${MVE_OUTPUTS}, ${prefix}_taps, x, out, n);`,
    '#else',
    `    arrayc_fir_q15(${prefix}_taps + ${offRev}, ${N}, ${shift}, x, out, n);`,
    '#endif',
    '}',
  ].join('\n');
  return { table, histLength, code };
}
