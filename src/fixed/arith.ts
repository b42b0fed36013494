// Exact integer arithmetic in plain Numbers (doubles are exact up to 2^53).
//
// A 32x32-bit product is up to 2^62, too wide for a double. Each int32 coefficient c is split
// into c = hi * 2^16 + lo with hi signed (|hi| <= 2^15) and lo in [0, 2^16): x*hi and x*lo are
// both below 2^47, so sums of up to 64 such products stay exact. The 64-bit accumulator
// value is then accH * 2^16 + accL, and the round-half-up shift is done on the two parts.

export const INT32_MAX = 2147483647;
export const INT32_MIN = -2147483648;
export const INT16_MAX = 32767;
export const INT16_MIN = -32768;
export const TWO16 = 65536;

export function sat32(v: number): number {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
}

export function sat16(v: number): number {
  return v > INT16_MAX ? INT16_MAX : v < INT16_MIN ? INT16_MIN : v;
}

/** High (signed) half of an int32: c = splitHi(c) * 2^16 + splitLo(c). */
export function splitHi(c: number): number {
  return c >> 16;
}

/** Low (unsigned) half of an int32. */
export function splitLo(c: number): number {
  return c & 0xffff;
}

/**
 * floor((accH * 2^16 + accL + 2^(shift-1)) / 2^shift), i.e. round-half-up arithmetic shift
 * of the 64-bit accumulator, for 16 <= shift <= 46. Caller keeps |accL| < 2^52, |accH| < 2^52.
 */
export function roundShiftSplit(accH: number, accL: number, shift: number): number {
  const t = accL + 2 ** (shift - 1);
  const tq = Math.floor(t / TWO16);
  return Math.floor((accH + tq) / 2 ** (shift - 16));
}

/** Q31 sample to Q15 with round-half-up and saturation (the Q15 FIR's input conversion). */
export function q31ToQ15(x: number): number {
  return sat16(Math.floor((x + 32768) / 65536));
}
