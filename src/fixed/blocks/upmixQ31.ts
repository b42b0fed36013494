// Adaptive stereo -> L/R/C upmix, Q31 (the fixed-point twin of src/design/upmix.ts). Inputs L, R;
// outputs 0 = L', 1 = R', 2 = C. Every step is an exactly defined integer operation (64 bits at
// most, no floating point, no division), identical in the TypeScript reference and the C kernel.
// "round(v / 2^s)" below means floor((v + 2^(s-1)) / 2^s) (round half up, arithmetic shift).
//
// Program block size B (1..4096), guard shift h = ceil(log2 B) (0 for B = 1, 6 for B = 48).
// One call processes n <= B frames; the estimator updates ONCE PER CALL, from that call's frames:
// the statistics are per processed block (the generated C always processes whole blocks of B; a
// shorter call uses the same smoothing coefficient, as if it were a whole block).
//
// Per frame (L, R int32 Q31):
//   M = (L + R + 1) >> 1                      in 64 bits; always in [-2^31, 2^31 - 1]       Q31
//   S = sat32((L - R + 1) >> 1)               only L - R = 2^32 - 1 saturates (to 2^31 - 1)  Q31
// Block sums over the n frames of the call (each product Q62, |product| <= 2^62):
//   P_MM = sum round(M M / 2^h),  P_MS = sum round(M S / 2^h),  P_SS = sum round(S S / 2^h)
//   (for h = 0 no rounding: the plain products). int64; n <= 2^h, so P_MM, P_SS in [0, 2^62] and
//   |P_MS| <= 2^61 (|M S| = |L^2 - R^2| / 4 <= ~2^60).
// Smoothing, one pole per call, beta = smoothingQ31 (1 - alpha, Q31 in [1, 2^31 - 1]),
// E_XY int64, starting at 0:
//   E_XY += mulQ31(P_XY - E_XY, beta),   mulQ31(x, c) = floor((x c + 2^30) / 2^31)
//   |x c| reaches 2^93, so C forms it from 32-bit halves: x = xh 2^32 + xl (xh = x >> 32,
//   xl = x & (2^32 - 1) unsigned), mulQ31(x, c) = 2 xh c + ((xl c + 2^30) >> 31) in uint64 (exact:
//   xh c 2^32 is a multiple of 2^31). Since |mulQ31(d, beta)| <= |d|, each E stays within the hull
//   of its P values: E_MM, E_SS in [0, 2^62], |E_MS| <= 2^61, |P - E| <= 2^62, |xh| <= 2^30.
//   (E stops moving once |P - E| beta < 2^30, i.e. within ~1/(2 beta) LSB of P: after a long
//   pause the statistics rest a few LSB of Q62 above 0 and g at a few 1e-4 instead of 0.)
// Denominator (lambda = relativeFloorQ31, Q31 in [1, 2^30]; eps = absoluteFloor in block-sum
// units, an integer in [1, 2^53 - 1]):
//   D = E_SS + mulQ31(E_MM, lambda) + eps,    1 <= D <= 2^62 + 2^61 + 2^53 < 2^63
// Reciprocal by normalisation and Newton (all int64, every intermediate below 2^62):
//   k = bitlength(D) - 31 (in [-30, 32]);  d = D >> k (k >= 0, truncating) or D << -k;
//   d in [2^30, 2^31) is the Q31 mantissa (D ~ d 2^k, d / 2^31 in [0.5, 1)).
//   y = 3031741621 - round(2021161080 d / 2^31)          Q2.30 seed 48/17 - 32/17 (d / 2^31)
//   3 times:  t = 2^62 - d y  (Q61, "2 - d y");   y = round(y round(t / 2^31) / 2^30)
//   y ~ 2^61 / d (Q2.30, within 2 LSB, so y < 2^31 + 3: held in an int64, not an int32).
// Gain, Q4.27 (g = E_MS / D):
//   sh = k + 4 (in [-26, 36]);  N = sat32(round(E_MS / 2^sh)) for sh > 0, sat32(E_MS) for sh = 0,
//   sat32(E_MS 2^-sh) for sh < 0 (compared before shifting: no overflow);
//   g_k = clamp(round(N y / 2^30), -gMax, gMax),   gMax = maxGainQ27 (Q4.27 in [1, 2^31 - 1]).
//   (N ~ g 2^27 d / 2^31; a saturated N means |g| >= 16 > gMax, so the clamp decides either way.)
// Gain per frame i (0-based) of the call, g_prev = the previous call's g_k (0 at reset):
//   'hold':   g_i = g_k
//   'linear': g_i = g_prev + round((g_k - g_prev) f_i / 2^30), f_i = (i + 1) r, r = round(2^30 / B)
//             (|g_k - g_prev| < 2^32, f_i <= 2^30 + B/2: the product is below 2^63);
//             the last frame of the call takes g_k exactly (g_{n-1} = g_k).
// Outputs:
//   C  = sat32(round((M 2^27 - g_i S) / 2^27))     |g S| < 2^62, |M 2^27| <= 2^58
//   L' = sat32(L - C),  R' = sat32(R - C)          (L = L' + C unless an output saturates)
//
// The reference keeps the per-frame path in exact doubles (16-bit splits as in arith.ts) and uses
// BigInt only once per chunk of 32 frames (block sums) and once per call (the estimator).
import { INT32_MAX, INT32_MIN } from '../arith.ts';
import type { BlockKindDef } from '../blockKind.ts';
import { isInt } from '../blockKind.ts';
import type { SignalRef, UpmixQ31Block } from '../program.ts';
import { type UpmixParams, checkUpmixParams, upmixMaxGain } from '../../design/upmix.ts';

/** Q2.30 constants of the reciprocal seed 48/17 - 32/17 x (round(48/17 2^30), round(32/17 2^30)). */
export const UPMIX_SEED_C1 = 3031741621n;
export const UPMIX_SEED_C2 = 2021161080n;
export const UPMIX_NEWTON_STEPS = 3;
/** Limits of the integer parameters. */
export const UPMIX_MAX_RELATIVE_FLOOR_Q31 = 2 ** 30;
export const UPMIX_MAX_ABSOLUTE_FLOOR = Number.MAX_SAFE_INTEGER;
/** Multiplies per call outside the per-frame path: smoothing 3 x 2, lambda E_MM 2, seed 1, Newton 3 x 2, N y 1. */
export const UPMIX_MULS_PER_CALL = 16;

/** h = ceil(log2 blockSize): the guard shift of the block sums. */
export function upmixGuardShift(blockSize: number): number {
  let h = 0;
  while (2 ** h < blockSize) h++;
  return h;
}

/** r = round(2^30 / blockSize): the ramp step (f_i = (i + 1) r), computed in integers. */
export function upmixRampStep(blockSize: number): number {
  return Number(((1n << 31n) / BigInt(blockSize) + 1n) >> 1n);
}

/** floor((x c + 2^30) / 2^31): x int64 (|x| <= 2^62), c a positive Q31 coefficient. */
export function upmixMulQ31(x: bigint, c: bigint): bigint {
  return (x * c + (1n << 30n)) >> 31n;
}

function bitLength(v: bigint): number {
  // v > 0, v < 2^63. A double estimate (Number() may round up to the next power of two), corrected.
  let bl = Math.floor(Math.log2(Number(v))) + 1;
  if (bl > 1 && v < 1n << BigInt(bl - 1)) bl--;
  else if (v >= 1n << BigInt(bl)) bl++;
  return bl;
}

/** The Q2.30 reciprocal y ~ 2^61 / d of a Q31 mantissa d in [2^30, 2^31). */
export function upmixReciprocal(d: bigint): bigint {
  let y = UPMIX_SEED_C1 - ((UPMIX_SEED_C2 * d + (1n << 30n)) >> 31n);
  for (let it = 0; it < UPMIX_NEWTON_STEPS; it++) {
    const t = (1n << 62n) - d * y;
    y = (y * ((t + (1n << 30n)) >> 31n) + (1n << 29n)) >> 30n;
  }
  return y;
}

/** The estimator: g_k in Q4.27 from the smoothed statistics (see the header). */
export function upmixGainQ27(eMM: bigint, eMS: bigint, eSS: bigint, lambdaQ31: bigint, eps: bigint, gMax: bigint): number {
  const D = eSS + upmixMulQ31(eMM, lambdaQ31) + eps;
  const k = bitLength(D) - 31;
  const d = k >= 0 ? D >> BigInt(k) : D << BigInt(-k);
  const y = upmixReciprocal(d);
  const sh = k + 4;
  let N: bigint;
  if (sh > 0) N = (eMS + (1n << BigInt(sh - 1))) >> BigInt(sh);
  else N = eMS << BigInt(-sh); // BigInt: no overflow to guard against; saturated next
  if (N > 2147483647n) N = 2147483647n;
  else if (N < -2147483648n) N = -2147483648n;
  let g = (N * y + (1n << 29n)) >> 30n;
  if (g > gMax) g = gMax;
  else if (g < -gMax) g = -gMax;
  return Number(g);
}

/** Frames per exact partial block sum in the reference: 32 x 2^47 < 2^53. */
const CHUNK = 32;

export const upmixQ31: BlockKindDef<UpmixQ31Block> = {
  kind: 'upmixQ31',
  outputCount: () => 3,
  inputCount: () => [2, 2],
  check(b) {
    const errors: [string, string][] = [];
    if (!isInt(b.smoothingQ31, 1, INT32_MAX)) errors.push(['smoothingQ31', `expected an integer in [1, ${INT32_MAX}] (1 - alpha in Q31), got ${b.smoothingQ31}`]);
    if (!isInt(b.relativeFloorQ31, 1, UPMIX_MAX_RELATIVE_FLOOR_Q31)) {
      errors.push(['relativeFloorQ31', `expected an integer in [1, ${UPMIX_MAX_RELATIVE_FLOOR_Q31}] (lambda in Q31, at most 0.5), got ${b.relativeFloorQ31}`]);
    }
    if (!isInt(b.absoluteFloor, 1, UPMIX_MAX_ABSOLUTE_FLOOR)) errors.push(['absoluteFloor', `expected an integer in [1, 2^53 - 1] (block-sum units), got ${b.absoluteFloor}`]);
    if (!isInt(b.maxGainQ27, 1, INT32_MAX)) errors.push(['maxGainQ27', `expected an integer in [1, ${INT32_MAX}] (Q4.27), got ${b.maxGainQ27}`]);
    if (b.interpolation !== 'linear' && b.interpolation !== 'hold') errors.push(['interpolation', `expected 'linear' or 'hold', got ${String(b.interpolation)}`]);
    return errors;
  },
  // Per frame: M M, M S, S S, g S, and the ramp product in 'linear' mode; plus one for the
  // estimator's 16 multiplies per call (its exact share for blockSize >= 16).
  macsPerFrame: (b) => (b.interpolation === 'linear' ? 5 : 4) + 1,
  createReference(b, blockSize) {
    const h = upmixGuardShift(blockSize);
    const half = h > 0 ? 2 ** (h - 1) : 0;
    const invH = 2 ** -h;
    const up = BigInt(16 - h);
    const beta = BigInt(b.smoothingQ31);
    const lambda = BigInt(b.relativeFloorQ31);
    const eps = BigInt(b.absoluteFloor);
    const gMax = BigInt(b.maxGainQ27);
    const linear = b.interpolation === 'linear';
    // Ramp factors f_i = (i + 1) r, split into 16-bit halves (f_i < 2^31).
    const r = upmixRampStep(blockSize);
    const fH = new Float64Array(blockSize);
    const fL = new Float64Array(blockSize);
    for (let i = 0; i < blockSize; i++) {
      const f = (i + 1) * r;
      fH[i] = Math.floor(f / 65536);
      fL[i] = f % 65536;
    }
    const mBuf = new Int32Array(blockSize);
    const sBuf = new Int32Array(blockSize);
    const gBuf = new Int32Array(blockSize);
    let eMM = 0n, eMS = 0n, eSS = 0n;
    let gPrev = 0;
    const MAX = INT32_MAX, MIN = INT32_MIN; // locals: imported bindings are slow in hot loops
    const inv16 = 2 ** -16, inv11 = 2 ** -11, inv14 = 2 ** -14;
    return {
      process(inputs, outputs, n) {
        const xl = inputs[0], xr = inputs[1];
        // 1. M, S and the block sums: X Y = a 2^16 + b with a = (X >> 16) Y, b = (X & 0xffff) Y,
        //    so round(X Y / 2^h) = a 2^(16-h) + floor((b + 2^(h-1)) / 2^h) (h <= 12 < 16).
        let pMM = 0n, pMS = 0n, pSS = 0n;
        for (let i0 = 0; i0 < n; i0 += CHUNK) {
          const i1 = Math.min(n, i0 + CHUNK);
          let aMM = 0, bMM = 0, aMS = 0, bMS = 0, aSS = 0, bSS = 0;
          for (let i = i0; i < i1; i++) {
            const l = xl[i], rr = xr[i];
            const m = Math.floor((l + rr + 1) * 0.5);
            let s = Math.floor((l - rr + 1) * 0.5);
            if (s > MAX) s = MAX;
            mBuf[i] = m;
            sBuf[i] = s;
            const mh = m >> 16, ml = m & 0xffff, sh = s >> 16, sl = s & 0xffff;
            aMM += mh * m;
            bMM += Math.floor((ml * m + half) * invH);
            aMS += mh * s;
            bMS += Math.floor((ml * s + half) * invH);
            aSS += sh * s;
            bSS += Math.floor((sl * s + half) * invH);
          }
          pMM += (BigInt(aMM) << up) + BigInt(bMM);
          pMS += (BigInt(aMS) << up) + BigInt(bMS);
          pSS += (BigInt(aSS) << up) + BigInt(bSS);
        }
        // 2. Smoothing and the estimator, once per call.
        eMM += upmixMulQ31(pMM - eMM, beta);
        eMS += upmixMulQ31(pMS - eMS, beta);
        eSS += upmixMulQ31(pSS - eSS, beta);
        const g1 = upmixGainQ27(eMM, eMS, eSS, lambda, eps, gMax);
        // 3. The gain per frame.
        const delta = g1 - gPrev;
        if (!linear || delta === 0) {
          gBuf.fill(g1, 0, n);
        } else {
          const g0 = gPrev;
          for (let i = 0; i < n - 1; i++) {
            // g0 + floor((delta fH 2^16 + delta fL + 2^29) / 2^30)
            gBuf[i] = g0 + Math.floor((delta * fH[i] + Math.floor((delta * fL[i] + 536870912) * inv16)) * inv14);
          }
          gBuf[n - 1] = g1;
        }
        gPrev = g1;
        // 4. C = sat32(round((M 2^27 - g S) / 2^27)) with g = gh 2^16 + gl:
        //    M 2^27 - g S + 2^26 = (M 2^11 - S gh) 2^16 + (2^26 - S gl).
        const yl = outputs[0], yr = outputs[1], yc = outputs[2];
        for (let i = 0; i < n; i++) {
          const g = gBuf[i], m = mBuf[i], s = sBuf[i];
          const accH = m * 2048 - s * (g >> 16);
          const t = 67108864 - s * (g & 0xffff);
          const q = Math.floor((accH + Math.floor(t * inv16)) * inv11);
          const c = q > MAX ? MAX : q < MIN ? MIN : q;
          yc[i] = c;
          const a = xl[i] - c;
          yl[i] = a > MAX ? MAX : a < MIN ? MIN : a;
          const z = xr[i] - c;
          yr[i] = z > MAX ? MAX : z < MIN ? MIN : z;
        }
      },
    };
  },
  cTemplate: 'upmixQ31.c.hbs',
  cInstance(b, prefix, blockSize) {
    const h = upmixGuardShift(blockSize);
    const ramp = b.interpolation === 'linear' ? upmixRampStep(blockSize) : 0;
    return {
      tables: [],
      state: [
        // E_MM, E_MS, E_SS as int64, each in two words (low, high).
        { name: `${prefix}_stats`, ctype: 'uint32_t', length: 6 },
        { name: `${prefix}_gain`, ctype: 'int32_t', length: 1 },
      ],
      call: (ctx) =>
        `arrayc_upmix_q31(${ctx.inputs[0]}, ${ctx.inputs[1]}, ${ctx.outputs[0]}, ${ctx.outputs[1]}, ${ctx.outputs[2]}, ${ctx.frames}, ` +
        `${prefix}_stats, ${prefix}_gain, ${h}, ${b.smoothingQ31}, ${b.relativeFloorQ31}, INT64_C(${b.absoluteFloor}), ${b.maxGainQ27}, ${ramp});`,
    };
  },
};

/**
 * The fixed-point block for float upmix parameters (src/design/upmix.ts), for a program whose
 * blockSize equals params.blockSize:
 *   smoothingQ31     = round((1 - alpha) 2^31), alpha = exp(-B / (tau fs)), clamped to [1, 2^31 - 1]
 *   relativeFloorQ31 = round(lambda 2^31)                      (lambda must be in [2^-31, 0.5])
 *   absoluteFloor    = max(1, round(eps B 2^(62 - h)))         (eps a mean square, full scale 1)
 *   maxGainQ27       = min(2^31 - 1, round(1 / (2 sqrt(lambda)) 2^27))  (binds at ~16 for lambda < 2^-10)
 *   interpolation    = gainInterpolation
 * Throws a RangeError naming the field when a value cannot be represented.
 */
export function upmixBlockFromParams(id: string, inputs: [SignalRef, SignalRef], params: UpmixParams): UpmixQ31Block {
  checkUpmixParams(params);
  const B = params.blockSize;
  if (B > 4096) throw new RangeError(`upmix: blockSize: expected at most 4096 (the program's limit), got ${B}`);
  const bad = (field: string, why: string, v: number) => new RangeError(`upmix: ${field}: ${why}, got ${v}`);
  // 1 - exp(-x) without cancellation.
  const beta = -Math.expm1(-B / (params.timeConstantS * params.sampleRate));
  const smoothingQ31 = Math.min(INT32_MAX, Math.max(1, Math.round(beta * 2 ** 31)));
  const relativeFloorQ31 = Math.round(params.relativeFloor * 2 ** 31);
  if (relativeFloorQ31 < 1 || relativeFloorQ31 > UPMIX_MAX_RELATIVE_FLOOR_Q31) {
    throw bad('relativeFloor', 'expected a value in [2^-31, 0.5] (Q31 in the fixed-point upmix)', params.relativeFloor);
  }
  const h = upmixGuardShift(B);
  const absoluteFloor = Math.max(1, Math.round(params.absoluteFloor * B * 2 ** (62 - h)));
  if (absoluteFloor > UPMIX_MAX_ABSOLUTE_FLOOR) {
    throw bad('absoluteFloor', `expected a mean square of at most ${(UPMIX_MAX_ABSOLUTE_FLOOR / (B * 2 ** (62 - h))).toExponential(3)} for blockSize ${B}`, params.absoluteFloor);
  }
  const maxGainQ27 = Math.min(INT32_MAX, Math.round(upmixMaxGain(params.relativeFloor) * 2 ** 27));
  return {
    kind: 'upmixQ31',
    id,
    inputs,
    smoothingQ31,
    relativeFloorQ31,
    absoluteFloor,
    maxGainQ27,
    interpolation: params.gainInterpolation,
  };
}
