// Biquad cascades (DF1, Q31) specialized per block instance, for the Arm cores with the DSP
// extension (M4/M7/M33, and the M55, which has the same scalar instructions). The generator
// knows the section count, the error-feedback flags and the block size, and emits each section's
// loop over the block unrolled, with the registers allocated here.
//
// The sections run one after another over the output buffer, in place (the input is copied
// there first): one pointer, so per section the five coefficients (r8-r12), the pointer (lr) and
// eight registers r0-r7 for the samples x0 (two at a time, LDRD), x1, x2, y1, y2 and the 64-bit
// accumulator. The roles of r0-r7 rotate from sample to sample: nothing is moved.
//
// Per sample: five SMLAL, the result acc >> s in three instructions (LSR, ORR, and SSAT on the
// high word, which only sets the sticky Q flag when the result would saturate), half an LDRD
// and half an STRD, and without error feedback one LDRD of (round, 0) to start the accumulator:
// 10 instructions, 9 with error feedback, where the accumulator is never restarted:
//   acc[n] = sum[n] + e[n-1] + round, e[n-1] + round = acc[n-1] & (2^s - 1)
//          = acc[n-1] - 2^s * floor(acc[n-1] / 2^s) = acc[n-1] - 2^s * y[n-1]   (y not saturated)
// so acc[n] = acc[n-1] + b0 x0 + b1 x1 + b2 x2 + (na1 - 2^s) y1 + na2 y2: the residual carries
// itself, with na1 - 2^s in the table (when it fits in 32 bits; else the accumulator's low bits
// are masked each sample, two instructions more).
// Sections proven never to saturate (saturationFreeSections in blocks/biquadDf1Q31.ts: an L1 bound
// on the output for any int32 input, rounding errors included) leave the SSAT out: 9 instructions
// per sample, 8 with error feedback.
// Saturation is the exception: when the Q flag is set at the end, the kernel reports it and the
// block is computed again by the portable kernel from the untouched state (the asm commits the
// new state only when Q is clear), so every result equals the reference.

import { asmBlock, funcFooter, funcHeader } from './armFir.ts';

const POOL = ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'];
/** Sections the kernel handles (immediate offsets of the state and its stack copy). */
export const BIQUAD_ASM_MAX_SECTIONS = 40;
/** Longest block unrolled in full; longer blocks loop over a few pairs of samples. */
export const BIQUAD_UNROLL_MAX_FRAMES = 64;

export type SectionMode = 'plain' | 'ef' | 'efMask';

/** How the asm realizes each section: error feedback folded into na1 when na1 - 2^s fits. */
export function sectionModes(coefs: readonly number[], errorFeedback: readonly boolean[], shift: number): SectionMode[] {
  return errorFeedback.map((ef, k) => (!ef ? 'plain' : coefs[5 * k + 3] - 2 ** shift >= -(2 ** 31) ? 'ef' : 'efMask'));
}

/** The coefficient table (the asm's and the portable kernel's): na1 - 2^s in sections in mode
 *  'ef' (the portable kernel adds 2^s back). The asm also leaves out the products of the
 *  coefficients that are zero here: it is specialized for them, like everything generated. */
export function asmCoefs(coefs: readonly number[], modes: SectionMode[], shift: number): number[] {
  return coefs.map((c, i) => (i % 5 === 3 && modes[Math.floor(i / 5)] === 'ef' ? c - 2 ** shift : c));
}

interface Alloc {
  free: string[];
  take(): string;
  give(...r: string[]): void;
}
function alloc(used: string[]): Alloc {
  const free = POOL.filter((r) => !used.includes(r));
  return {
    free,
    take() {
      free.sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)));
      const r = free.shift();
      if (!r) throw new Error('biquad: out of registers');
      return r;
    },
    give(...r: string[]) {
      free.push(...r);
    },
  };
}

/**
 * o.coefs: the asm's coefficient table (see asmCoefs), for the products it can leave out.
 * int sym(const int32_t *in, int32_t *buf, const int32_t *stateIn, int32_t *stateOut,
 * const int32_t *coefs): processes `frames` samples of in through the cascade into buf, the new
 * state into stateOut; returns nonzero when a result saturated (buf and stateOut are then wrong).
 */
export function biquadAsm(sym: string, o: { modes: SectionMode[]; coefs: readonly number[]; shift: number; frames: number; saturationFree?: readonly boolean[] }): string[] {
  const s = o.shift;
  const K = o.modes.length;
  const n = o.frames;
  const round = 2 ** (s - 1);
  const L = (x: string) => `.L${sym}_${x}`;
  // Stack: [0] round, [4] 0, [8] coefficient pointer, [12] state in, [16] buf, [20] loop end,
  // [24] state out.
  const out: string[] = [
    ...funcHeader(sym),
    'push {r4-r11, lr}',
    'sub sp, sp, #32',
    'ldr r4, [sp, #68]',
    'str r4, [sp, #8]',
    'str r2, [sp, #12]',
    'str r1, [sp, #16]',
    'str r3, [sp, #24]',
    `mov r4, #${round}`,
    'movs r5, #0',
    'strd r4, r5, [sp]',
    'msr APSR_nzcvq, r5',
  ];
  // Copy the input into the buffer, eight words per LDM/STM.
  for (let left = n; left > 0; ) {
    const c = Math.min(8, left);
    const regs = ['r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'r10', 'r11'].slice(0, c);
    out.push(c === 1 ? 'ldr r4, [r0], #4' : `ldmia r0!, {${regs.join(', ')}}`, c === 1 ? 'str r4, [r1], #4' : `stmia r1!, {${regs.join(', ')}}`);
    left -= c;
  }
  const pairs = Math.floor(n / 2);
  const looped = n > BIQUAD_UNROLL_MAX_FRAMES;
  for (let k = 0; k < K; k++) {
    const mode = o.modes[k];
    out.push(`@ section ${k}: ${mode}`, 'ldr lr, [sp, #8]', 'ldmia lr!, {r8-r12}', 'str lr, [sp, #8]', 'ldr lr, [sp, #12]');
    // State x1 x2 y1 y2 (e): r0-r3 (r4).
    let X1 = 'r0', X2 = 'r1', Y1 = 'r2', Y2 = 'r3';
    out.push(`ldrd r0, r1, [lr, #${20 * k}]`, `ldrd r2, r3, [lr, #${20 * k + 8}]`);
    const a = alloc(['r0', 'r1', 'r2', 'r3']);
    let lo = '', hi = '';
    if (mode !== 'plain') {
      lo = a.take();
      hi = a.take();
      // acc = e + round (in [0, 2^s)); in mode 'ef' also + 2^s * y1, which the first sample's
      // (na1 - 2^s) * y1 takes away again.
      out.push(`ldr ${lo}, [lr, #${20 * k + 16}]`, `add ${lo}, ${lo}, #${round}`);
      if (mode === 'ef') out.push(`orr ${lo}, ${lo}, ${Y1}, lsl #${s}`, `asr ${hi}, ${Y1}, #${32 - s}`);

    }
    out.push('ldr lr, [sp, #16]');
    // One sample with x0 in X0: returns the register holding y.
    const sample = (X0: string, lines: string[]): string => {
      let l = lo, h = hi;
      if (mode === 'plain') {
        l = a.take();
        h = a.take();
        lines.push(`ldrd ${l}, ${h}, [sp]`);
      } else if (mode === 'efMask') {
        lines.push(`ubfx ${l}, ${l}, #0, #${s}`, `movs ${h}, #0`);
      }
      // A zero coefficient (b2 = na2 = 0 in a first-order section) needs no product.
      [X0, X1, X2, Y1, Y2].forEach((v, j) => {
        if (o.coefs[5 * k + j] !== 0) lines.push(`smlal ${l}, ${h}, r${8 + j}, ${v}`);
      });
      let y: string;
      if (mode === 'plain') {
        // y in the accumulator's low register; its high register and x2, y2 are free after.
        lines.push(`lsr ${l}, ${l}, #${s}`, `orr ${l}, ${l}, ${h}, lsl #${32 - s}`);
        if (!o.saturationFree?.[k]) lines.push(`ssat ${h}, #${s}, ${h}`);
        a.give(h, X2, Y2);
        y = l;
      } else {
        // The accumulator carries on: y goes to x2's or y2's register (SSAT first, as scratch).
        a.give(X2, Y2);
        y = a.take();
        if (!o.saturationFree?.[k]) lines.push(`ssat ${y}, #${s}, ${h}`);
        lines.push(`lsr ${y}, ${l}, #${s}`, `orr ${y}, ${y}, ${h}, lsl #${32 - s}`);
      }
      X2 = X1; X1 = X0; Y2 = Y1; Y1 = y;
      return y;
    };
    const pairSteps: { lines: string[]; free: string }[] = [];
    for (let i = 0; i < pairs; i++) {
      const lines: string[] = [];
      const free = [...a.free].sort().join(',');
      const xa = a.take(), xb = a.take();
      lines.push(`ldrd ${xa}, ${xb}, [lr]`);
      const ya = sample(xa, lines);
      const yb = sample(xb, lines);
      lines.push(`strd ${ya}, ${yb}, [lr], #8`);
      pairSteps.push({ lines, free });
    }
    // A loop over `period` pairs from pair s0 on, where the register rotation repeats.
    let loop: { s0: number; period: number; count: number } | null = null;
    if (looped) {
      const key = (i: number) => `${pairSteps[i].free}|${pairSteps[i].lines.join('\n')}`;
      for (let p = 1; p <= 24 && !loop; p++) {
        for (let s0 = 0; s0 <= 24 && !loop; s0++) {
          const count = Math.floor((pairs - s0) / p);
          if (count < 2) break;
          let ok = true;
          for (let i = s0 + p; i < s0 + count * p && ok; i++) ok = key(i) === key(i - p);
          if (ok) loop = { s0, period: p, count };
        }
      }
      if (!loop) throw new Error('biquad: no loop period');
    }
    if (loop) {
      const body = pairSteps.slice(loop.s0, loop.s0 + loop.period).flatMap((q) => q.lines);
      const f = pairSteps[loop.s0].free.split(',')[0];
      const bytes = 8 * loop.period * loop.count;
      out.push(...pairSteps.slice(0, loop.s0).flatMap((q) => q.lines));
      out.push(...(bytes <= 4095 ? [`addw ${f}, lr, #${bytes}`] : [`movw ${f}, #${bytes & 0xffff}`, ...(bytes > 0xffff ? [`movt ${f}, #${bytes >>> 16}`] : []), `add ${f}, ${f}, lr`]), `str ${f}, [sp, #20]`, `${L(`loop${k}`)}:`, ...body, `ldr ${f}, [sp, #20]`, `cmp lr, ${f}`, `bne ${L(`loop${k}`)}`);
      out.push(...pairSteps.slice(loop.s0 + loop.period * loop.count).flatMap((q) => q.lines));
    } else {
      out.push(...pairSteps.flatMap((q) => q.lines));
    }
    if (n % 2 === 1) {
      const lines: string[] = [];
      const x = a.take();
      lines.push(`ldr ${x}, [lr]`);
      const y = sample(x, lines);
      lines.push(`str ${y}, [lr], #4`);
      out.push(...lines);
    }
    // New state: x1 x2 y1 y2 (e = (acc & mask) - round; a section without error feedback never
    // reads its e).
    out.push('ldr lr, [sp, #24]', `strd ${X1}, ${X2}, [lr, #${20 * k}]`, `strd ${Y1}, ${Y2}, [lr, #${20 * k + 8}]`);
    if (mode !== 'plain') out.push(`ubfx ${lo}, ${lo}, #0, #${s}`, `sub ${lo}, ${lo}, #${round}`, `str ${lo}, [lr, #${20 * k + 16}]`);
  }
  // r0 = the Q flag: nonzero when a result saturated.
  out.push('mrs r0, APSR', 'and r0, r0, #0x08000000', 'add sp, sp, #32', 'pop {r4-r11, pc}', ...funcFooter(sym));
  return out;
}

/** After a block that saturated, blocks computed by the portable kernel before the asm is tried
 *  again: a saturating signal then costs about what the portable kernel costs, not both. */
export const BIQUAD_SATURATED_BACKOFF = 16;

/**
 * Per-instance C: the asm kernel (DSP cores and the M55) and the block function `${prefix}_bq`.
 * State: two copies of the sections' state (the asm reads one and writes the other; a block
 * that saturated leaves the current one alone), ctl[0] = the current copy, ctl[1] = blocks left
 * before the asm is tried again after saturation.
 */
export function biquadInstanceCode(prefix: string, coefs: readonly number[], errorFeedback: readonly boolean[], shift: number, blockSize: number, saturationFree: readonly boolean[] = []): { table: number[]; efTable: number[]; code: string } {
  const K = errorFeedback.length;
  const W = 5 * K;
  const modes = sectionModes(coefs, errorFeedback, shift);
  const sym = `${prefix}_bq_dsp`;
  const useAsm = K <= BIQUAD_ASM_MAX_SECTIONS;
  const code = [
    `/* ${prefix}: biquad cascade, ${K} sections (${modes.join(', ')}), shift ${shift}: kernel generated for this instance. */`,
    ...(useAsm
      ? [
          '#if ARRAYC_BIQUAD_ASM',
          `int ${sym}(const int32_t *in, int32_t *buf, const int32_t *stateIn, int32_t *stateOut, const int32_t *coefs);`,
          asmBlock(biquadAsm(sym, { modes, coefs: asmCoefs(coefs, modes, shift), shift, frames: blockSize, saturationFree })),
          '#endif',
        ]
      : []),
    '',
    `static ARRAYC_BLOCK_FN void ${prefix}_bq(const int32_t *in, int32_t *out, int n)`,
    '{',
    `    int32_t *cur = ${prefix}_state + (${prefix}_ctl[0] ? ${W} : 0);`,
    ...(useAsm
      ? [
          '#if ARRAYC_BIQUAD_ASM',
          `    if (n == ${blockSize}) {`,
          `        if (${prefix}_ctl[1] == 0) {`,
          `            if (${sym}(in, out, cur, ${prefix}_state + (${prefix}_ctl[0] ? 0 : ${W}), ${prefix}_coefs) == 0) {`,
          `                ${prefix}_ctl[0] ^= 1u;`,
          '                return;',
          '            }',
          `            ${prefix}_ctl[1] = ${BIQUAD_SATURATED_BACKOFF}; /* a result saturated: the portable kernel, from the state as it was */`,
          '        } else {',
          `            ${prefix}_ctl[1]--;`,
          '        }',
          '    }',
          '#endif',
        ]
      : []),
    `    arrayc_biquad_df1_q31(${prefix}_coefs, ${prefix}_ef, cur, ${K}, ${shift}, in, out, n);`,
    '}',
  ].join('\n');
  return { table: asmCoefs(coefs, modes, shift), efTable: modes.map((m) => (m === 'plain' ? 0 : m === 'efMask' ? 1 : 2)), code };
}
