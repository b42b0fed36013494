/* Noise suppressor, stage 2: streaming pitch tracker. Bit-exact with src/fixed/ns/pitch.ts, which
 * defines the arithmetic and documents the method (decimation to 8 kHz, coarse normalized
 * cross-correlation on a half-lag grid, Viterbi over the coarse lags, refinement at 48 kHz).
 *
 * arrayc_ns_pitch_analyze_hop(hop, state, lowpassPairsQ15, rsqrtQ15, stepCostQ15, lagWeightQ15,
 *                             halfLagQ15, result)
 *   hop[480]      48 kHz input samples (int16, any alignment)
 *   state[1372]   int32 words, zero-filled before the first call; layout ARRAYC_NS_PITCH_S_*
 *   tables        from pitchTables() in the TS module, all const int32_t * (PITCH_TABLE_CTYPES):
 *                 lowpassPairsQ15[16], rsqrtQ15[193], stepCostQ15[118], lagWeightQ15[119],
 *                 halfLagQ15[4]
 *   result[2]     out: periodSamples (60..768, 0 = nothing correlates), correlationQ15 (0..32767)
 *
 * Every sum is an exact integer sum (int16 x int16 products in 64-bit accumulators), so the order of
 * accumulation is free. The histories hold sample pairs, so the inner loops multiply two pairs per
 * instruction on the DSP cores (SMLALD/SMLALDX, ACLE); elsewhere the same pair primitives are plain C.
 * Odd lags read a pair straddling two words, built with PKHBT and multiplied crosswise. */

#define ARRAYC_NS_PITCH_HOP 480
#define ARRAYC_NS_PITCH_WINDOW 960
#define ARRAYC_NS_PITCH_MIN_PERIOD 60
#define ARRAYC_NS_PITCH_MAX_PERIOD 768
#define ARRAYC_NS_PITCH_TAP_PAIRS 16
#define ARRAYC_NS_PITCH_HOP_D 80
#define ARRAYC_NS_PITCH_WINDOW_D 160
#define ARRAYC_NS_PITCH_LOBE_LAG_D 5
#define ARRAYC_NS_PITCH_MIN_LAG_D 10
#define ARRAYC_NS_PITCH_LAGS 119
#define ARRAYC_NS_PITCH_GRID 237
#define ARRAYC_NS_PITCH_HIST 1728
#define ARRAYC_NS_PITCH_HIST_D 288
#define ARRAYC_NS_PITCH_FULL_HOPS 4
/* State layout (int32 words). Histories hold two int16 samples per word: sample 2k in the low
 * half, 2k+1 in the high half. */
#define ARRAYC_NS_PITCH_S_HIST 0          /* 864: 48 kHz history, 1728 samples, oldest first */
#define ARRAYC_NS_PITCH_S_HIST_D 864      /* 144: 8 kHz history, 288 samples, oldest first */
#define ARRAYC_NS_PITCH_S_XC 1008         /* 119 x 2: previous half of xc per lag (lo, hi) */
#define ARRAYC_NS_PITCH_S_XC_LOBE 1246    /* 2: previous half of xc at lag 5 */
#define ARRAYC_NS_PITCH_S_E_D 1248        /* 2: previous half-window energy, 8 kHz */
#define ARRAYC_NS_PITCH_S_E_48 1250       /* 2: previous half-window energy, 48 kHz */
#define ARRAYC_NS_PITCH_S_COST 1252       /* 119: Viterbi accumulated costs */
#define ARRAYC_NS_PITCH_S_HOPS 1371       /* 1: hops seen, saturating at 4 */
#define ARRAYC_NS_PITCH_STATE_WORDS 1372

/* Halves of a sample-pair word (GCC: conversions wrap, >> of negatives is arithmetic). */
static inline int32_t arrayc_ns_pitch_lo(int32_t w)
{
    return (int32_t)(int16_t)(uint16_t)(uint32_t)w;
}

static inline int32_t arrayc_ns_pitch_hi(int32_t w)
{
    return w >> 16;
}

static inline int32_t arrayc_ns_pitch_sample(const int32_t *w, int i)
{
    return i & 1 ? arrayc_ns_pitch_hi(w[i >> 1]) : arrayc_ns_pitch_lo(w[i >> 1]);
}

/* Pair multiply-accumulate (exact, so every core agrees):
 *   mac2(acc, a, b)  = acc + lo(a) lo(b) + hi(a) hi(b)        (SMLALD)
 *   mac2x(acc, a, b) = acc + lo(a) hi(b) + hi(a) lo(b)        (SMLALDX)
 *   mac2w(acc, a, b) = mac2 into 32 bits, where no sum can leave int32 (SMLAD)
 *   sat16(v)         = v clamped to [-32768, 32767]                (SSAT)
 *   pkhbt(l, h)      = low half of l, high half of h          (PKHBT) */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#include <arm_acle.h>
static inline int64_t arrayc_ns_pitch_mac2(int64_t acc, int32_t a, int32_t b)
{
    return __smlald(a, b, acc);
}

static inline int64_t arrayc_ns_pitch_mac2x(int64_t acc, int32_t a, int32_t b)
{
    return __smlaldx(a, b, acc);
}

static inline int32_t arrayc_ns_pitch_mac2w(int32_t acc, int32_t a, int32_t b)
{
    return __smlad(a, b, acc);
}

static inline int32_t arrayc_ns_pitch_sat16(int32_t v)
{
    return __ssat(v, 16);
}

static inline int32_t arrayc_ns_pitch_pkhbt(int32_t l, int32_t h)
{
    int32_t r;
    __asm__("pkhbt %0, %1, %2" : "=r"(r) : "r"(l), "r"(h));
    return r;
}
#else
static inline int64_t arrayc_ns_pitch_mac2(int64_t acc, int32_t a, int32_t b)
{
    return acc + (int64_t)(arrayc_ns_pitch_lo(a) * arrayc_ns_pitch_lo(b)) + (int64_t)(arrayc_ns_pitch_hi(a) * arrayc_ns_pitch_hi(b));
}

static inline int64_t arrayc_ns_pitch_mac2x(int64_t acc, int32_t a, int32_t b)
{
    return acc + (int64_t)(arrayc_ns_pitch_lo(a) * arrayc_ns_pitch_hi(b)) + (int64_t)(arrayc_ns_pitch_hi(a) * arrayc_ns_pitch_lo(b));
}

static inline int32_t arrayc_ns_pitch_mac2w(int32_t acc, int32_t a, int32_t b)
{
    return acc + arrayc_ns_pitch_lo(a) * arrayc_ns_pitch_lo(b) + arrayc_ns_pitch_hi(a) * arrayc_ns_pitch_hi(b);
}

static inline int32_t arrayc_ns_pitch_sat16(int32_t v)
{
    return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

static inline int32_t arrayc_ns_pitch_pkhbt(int32_t l, int32_t h)
{
    return (int32_t)(((uint32_t)l & 0xffffu) | ((uint32_t)h & 0xffff0000u));
}
#endif

static inline int64_t arrayc_ns_pitch_get64(const int32_t *p)
{
    return (int64_t)(((uint64_t)(uint32_t)p[1] << 32) | (uint32_t)p[0]);
}

static inline void arrayc_ns_pitch_set64(int32_t *p, int64_t v)
{
    p[0] = (int32_t)(uint32_t)(uint64_t)v;
    p[1] = (int32_t)(v >> 32);
}

/* Top bits of a positive 64-bit value: its bit length n and v / 2^sh for the shift sh = f(n)
 * chosen by the caller (sh may be negative: a left shift), done on the two 32-bit halves. */
static inline int arrayc_ns_pitch_bitlen(uint64_t v)
{
    const uint32_t hi = (uint32_t)(v >> 32);
    return hi ? 64 - __builtin_clz(hi) : 32 - __builtin_clz((uint32_t)v | 1u) - ((uint32_t)v == 0);
}

static inline uint32_t arrayc_ns_pitch_shr(uint64_t v, int sh)
{
    const uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
    if (sh <= 0) return lo << -sh; /* only when hi == 0 and the result fits */
    if (sh >= 32) return hi >> (sh - 32);
    return (lo >> sh) | (hi << (32 - sh));
}

/* 1/sqrt(e) ~= r / 2^p for e >= 1 (see rsqrtQ15 in the TS): m = e / 4^j in [2^22, 2^24), linear
 * interpolation in the 193-entry table over [1, 4). */
static inline int32_t arrayc_ns_pitch_rsqrt(int64_t e, const int32_t *tab, int *p)
{
    const int n = arrayc_ns_pitch_bitlen((uint64_t)e);
    const int j = (n - 23) >> 1; /* floor */
    const int32_t m = (int32_t)arrayc_ns_pitch_shr((uint64_t)e, 2 * j);
    const int32_t i = (m >> 16) - 64;
    const int32_t f = m & 0xffff;
    const int32_t r0 = tab[i];
    *p = 26 + j;
    return r0 - (((r0 - tab[i + 1]) * f) >> 16);
}

/* rho = c / sqrt(E0 e) in Q15 for c >= 0, given r0, p0 = rsqrt(E0) (see normRhoQ15 in the TS):
 * c cut to 15 bits, then 32-bit products and shifts only. */
static inline int32_t arrayc_ns_pitch_norm(int64_t c, int64_t e, int32_t r0, int p0, const int32_t *tab)
{
    if (c <= 0 || e <= 0) return 0;
    int p;
    const int32_t r = arrayc_ns_pitch_rsqrt(e, tab, &p);
    const int s = arrayc_ns_pitch_bitlen((uint64_t)c) - 15;
    const int32_t cm = (int32_t)arrayc_ns_pitch_shr((uint64_t)c, s);
    const int32_t t = (cm * r) >> 15;
    const int32_t q = t * r0;
    const int z = p0 + p - s - 30;
    if (z <= 0) return 32767;
    if (z > 31) return 0;
    const int32_t v = q >> z;
    return v > 32767 ? 32767 : v;
}

static inline int32_t arrayc_ns_pitch_norm_signed(int64_t c, int64_t e, int32_t r0, int p0, const int32_t *tab)
{
    return c >= 0 ? arrayc_ns_pitch_norm(c, e, r0, p0, tab) : -arrayc_ns_pitch_norm(-c, e, r0, p0, tab);
}

/* Lags tau .. tau + 3 (tau even) of n sample pairs A[0..n) (aligned, n even), B = A - tau/2 (word
 * offset). Lag tau pairs A[p] with B[p]; lag tau + 2 with B[p-1]; the odd lags with the pair that
 * straddles two words, X[p] = pkhbt(B[p], B[p-1]) (lag tau + 1) and X[p-1] (lag tau + 3),
 * multiplied crosswise. Every A and B word is loaded once; the statement order keeps the live
 * values within the M4's registers (8 for the sums, 4 temporaries, 3 pointers). */
static ARRAYC_NOINLINE void arrayc_ns_pitch_xcorr4(const int32_t *A, const int32_t *B, int n, int64_t *s)
{
    int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int32_t bp = B[-1];
    int32_t x = arrayc_ns_pitch_pkhbt(bp, B[-2]);
    const int32_t *end = A + n;
    do {
        int32_t a = A[0];
        s3 = arrayc_ns_pitch_mac2x(s3, a, x);
        s2 = arrayc_ns_pitch_mac2(s2, a, bp);
        const int32_t b = B[0];
        x = arrayc_ns_pitch_pkhbt(b, bp);
        s0 = arrayc_ns_pitch_mac2(s0, a, b);
        s1 = arrayc_ns_pitch_mac2x(s1, a, x);
        a = A[1];
        s3 = arrayc_ns_pitch_mac2x(s3, a, x);
        s2 = arrayc_ns_pitch_mac2(s2, a, b);
        bp = B[1];
        x = arrayc_ns_pitch_pkhbt(bp, b);
        s0 = arrayc_ns_pitch_mac2(s0, a, bp);
        s1 = arrayc_ns_pitch_mac2x(s1, a, x);
        A += 2;
        B += 2;
    } while (A != end);
    s[0] = s0;
    s[1] = s1;
    s[2] = s2;
    s[3] = s3;
}

/* One lag of any parity: W is the pair array, A = W + aWord, n pairs (n even). */
static inline int64_t arrayc_ns_pitch_xcorr1(const int32_t *W, int aWord, int tau, int n)
{
    const int32_t *A = W + aWord;
    int64_t s0 = 0, s1 = 0;
    if ((tau & 1) == 0) {
        const int32_t *B = A - tau / 2;
        for (int p = 0; p < n; p += 2) {
            s0 = arrayc_ns_pitch_mac2(s0, A[p], B[p]);
            s1 = arrayc_ns_pitch_mac2(s1, A[p + 1], B[p + 1]);
        }
    } else {
        const int32_t *B = A - (tau - 1) / 2;
        int32_t bPrev = B[-1];
        for (int p = 0; p < n; p += 2) {
            const int32_t b0 = B[p], b1 = B[p + 1];
            s0 = arrayc_ns_pitch_mac2x(s0, A[p], arrayc_ns_pitch_pkhbt(b0, bPrev));
            s1 = arrayc_ns_pitch_mac2x(s1, A[p + 1], arrayc_ns_pitch_pkhbt(b1, b0));
            bPrev = b1;
        }
    }
    return s0 + s1;
}

/* w[0 .. n-by) = w[by .. n): copied in non-overlapping chunks of `by` words (memcpy is the fast
 * copy of the C library). */
static inline void arrayc_ns_pitch_shift(int32_t *w, int n, int by)
{
    for (int i = 0; i < n - by; i += by) {
        const int len = n - by - i < by ? n - by - i : by;
        memcpy(w + i, w + i + by, (size_t)len * sizeof *w);
    }
}

/* Energy of samples [s, s + len) of the pair array W. */
static inline int64_t arrayc_ns_pitch_energy(const int32_t *W, int s, int len)
{
    int64_t e0 = 0, e1 = 0;
    if (s & 1) {
        const int32_t v = arrayc_ns_pitch_sample(W, s);
        e0 += (int64_t)(v * v);
        s++;
        len--;
    }
    const int32_t *p = W + (s >> 1);
    const int n = len >> 1;
    int k = 0;
    for (; k + 1 < n; k += 2) {
        e0 = arrayc_ns_pitch_mac2(e0, p[k], p[k]);
        e1 = arrayc_ns_pitch_mac2(e1, p[k + 1], p[k + 1]);
    }
    if (k < n) e0 = arrayc_ns_pitch_mac2(e0, p[k], p[k]);
    if (len & 1) {
        const int32_t v = arrayc_ns_pitch_sample(W, s + len - 1);
        e1 += (int64_t)(v * v);
    }
    return e0 + e1;
}

/* Step 2: decimation by 6, 80 new 8 kHz samples from the newest hop, four per pass (two output
 * words). Output m is at the odd input sample n = 1253 + 6m, whose pair word (n-1)/2 matches the tap
 * pairs. The sums stay inside int32 (|sum| <= (sum |h|) 2^15 + 2^14 < 2^31, checked on the table by
 * the tests), so they accumulate in 32 bits. Returns the energy of the new samples. */
static ARRAYC_NOINLINE int64_t arrayc_ns_pitch_decimate(const int32_t *X, int32_t *Y, const int32_t *taps)
{
    int64_t eNew = 0;
    const int32_t *x = X + (ARRAYC_NS_PITCH_HIST - ARRAYC_NS_PITCH_HOP) / 2 + 2;
    int32_t *yn = Y + (ARRAYC_NS_PITCH_HIST_D - ARRAYC_NS_PITCH_HOP_D) / 2;
    for (int m = 0; m < ARRAYC_NS_PITCH_HOP_D / 4; m++, x += 12) {
        int32_t a0 = 16384, a1 = 16384, a2 = 16384, a3 = 16384;
        for (int k = 0; k < ARRAYC_NS_PITCH_TAP_PAIRS; k += 2) {
            const int32_t h = taps[k], g = taps[k + 1];
            a0 = arrayc_ns_pitch_mac2w(a0, h, x[-k]);
            a1 = arrayc_ns_pitch_mac2w(a1, h, x[3 - k]);
            a2 = arrayc_ns_pitch_mac2w(a2, h, x[6 - k]);
            a3 = arrayc_ns_pitch_mac2w(a3, h, x[9 - k]);
            a0 = arrayc_ns_pitch_mac2w(a0, g, x[-k - 1]);
            a1 = arrayc_ns_pitch_mac2w(a1, g, x[2 - k]);
            a2 = arrayc_ns_pitch_mac2w(a2, g, x[5 - k]);
            a3 = arrayc_ns_pitch_mac2w(a3, g, x[8 - k]);
        }
        a0 = arrayc_ns_pitch_sat16(a0 >> 15);
        a1 = arrayc_ns_pitch_sat16(a1 >> 15);
        a2 = arrayc_ns_pitch_sat16(a2 >> 15);
        a3 = arrayc_ns_pitch_sat16(a3 >> 15);
        const int32_t w0 = (int32_t)((uint32_t)(uint16_t)a0 | ((uint32_t)(uint16_t)a1 << 16));
        const int32_t w1 = (int32_t)((uint32_t)(uint16_t)a2 | ((uint32_t)(uint16_t)a3 << 16));
        yn[2 * m] = w0;
        yn[2 * m + 1] = w1;
        eNew = arrayc_ns_pitch_mac2(eNew, w0, w0);
        eNew = arrayc_ns_pitch_mac2(eNew, w1, w1);
    }
    return eNew;
}

/* Step 3: coarse normalized correlation rs[k] (signed Q15) at the decimated lags 10..128 over the
 * 160-sample window, and rho at lag 5 (returned). */
static ARRAYC_NOINLINE int32_t arrayc_ns_pitch_coarse(int32_t *state, int64_t eNewD, const int32_t *rsqrtQ15, int32_t *rs)
{
    const int32_t *Y = state + ARRAYC_NS_PITCH_S_HIST_D;
    int32_t *xcPrev = state + ARRAYC_NS_PITCH_S_XC;
    const int bWord = (ARRAYC_NS_PITCH_HIST_D - ARRAYC_NS_PITCH_HOP_D) / 2; /* newest hop */
    const int w0 = ARRAYC_NS_PITCH_HIST_D - ARRAYC_NS_PITCH_WINDOW_D;       /* window start (sample) */
    int64_t xc[ARRAYC_NS_PITCH_LAGS + 1];

    const int64_t e0 = arrayc_ns_pitch_get64(state + ARRAYC_NS_PITCH_S_E_D) + eNewD;
    arrayc_ns_pitch_set64(state + ARRAYC_NS_PITCH_S_E_D, eNewD);
    /* Newest half of xc per lag (groups of 4 lags; the last group also computes the unused lag 129),
     * plus the previous hop's half kept in the state. */
    for (int k0 = 0; k0 < ARRAYC_NS_PITCH_LAGS; k0 += 4) {
        const int tau0 = ARRAYC_NS_PITCH_MIN_LAG_D + k0;
        arrayc_ns_pitch_xcorr4(Y + bWord, Y + bWord - tau0 / 2, ARRAYC_NS_PITCH_HOP_D / 2, xc + k0);
    }
    for (int k = 0; k < ARRAYC_NS_PITCH_LAGS; k++) {
        const int64_t h = xc[k];
        xc[k] += arrayc_ns_pitch_get64(xcPrev + 2 * k);
        arrayc_ns_pitch_set64(xcPrev + 2 * k, h);
    }
    int64_t eLag = arrayc_ns_pitch_energy(Y, w0 - ARRAYC_NS_PITCH_LOBE_LAG_D, ARRAYC_NS_PITCH_WINDOW_D);
    const int64_t xcLobeNew = arrayc_ns_pitch_xcorr1(Y, bWord, ARRAYC_NS_PITCH_LOBE_LAG_D, ARRAYC_NS_PITCH_HOP_D / 2);
    const int64_t xcLobe = arrayc_ns_pitch_get64(state + ARRAYC_NS_PITCH_S_XC_LOBE) + xcLobeNew;
    arrayc_ns_pitch_set64(state + ARRAYC_NS_PITCH_S_XC_LOBE, xcLobeNew);
    if (e0 <= 0) {
        for (int k = 0; k < ARRAYC_NS_PITCH_LAGS; k++) rs[k] = 0;
        return 0;
    }
    int p0;
    const int32_t r0 = arrayc_ns_pitch_rsqrt(e0, rsqrtQ15, &p0);
    const int32_t rhoLobe = arrayc_ns_pitch_norm_signed(xcLobe, eLag, r0, p0, rsqrtQ15);
    /* Lagged energies: slide from lag 5 (samples w0 - tau and w0 + 160 - tau, the low halves for
     * even tau, the high halves for odd). */
    for (int tau = ARRAYC_NS_PITCH_LOBE_LAG_D + 1; tau <= ARRAYC_NS_PITCH_MIN_LAG_D; tau++) {
        const int32_t a = arrayc_ns_pitch_sample(Y, w0 - tau);
        const int32_t b = arrayc_ns_pitch_sample(Y, w0 + ARRAYC_NS_PITCH_WINDOW_D - tau);
        eLag += (int64_t)(a * a) - (int64_t)(b * b);
    }
    rs[0] = arrayc_ns_pitch_norm_signed(xc[0], eLag, r0, p0, rsqrtQ15);
    for (int k = 1; k < ARRAYC_NS_PITCH_LAGS; k += 2) {
        /* k odd: tau = 10 + k odd, then tau + 1 even */
        const int32_t wa = Y[(w0 - ARRAYC_NS_PITCH_MIN_LAG_D - k) >> 1];
        const int32_t wb = Y[(w0 + ARRAYC_NS_PITCH_WINDOW_D - ARRAYC_NS_PITCH_MIN_LAG_D - k) >> 1];
        int32_t a = arrayc_ns_pitch_hi(wa), b = arrayc_ns_pitch_hi(wb);
        eLag += (int64_t)(a * a) - (int64_t)(b * b);
        rs[k] = arrayc_ns_pitch_norm_signed(xc[k], eLag, r0, p0, rsqrtQ15);
        a = arrayc_ns_pitch_lo(wa);
        b = arrayc_ns_pitch_lo(wb);
        eLag += (int64_t)(a * a) - (int64_t)(b * b);
        rs[k + 1] = arrayc_ns_pitch_norm_signed(xc[k + 1], eLag, r0, p0, rsqrtQ15);
    }
    return rhoLobe;
}

/* The half-lag grid g[2k] = max(0, rs[k]), g[2k+1] = sum_{i<4} h[i] (rs[k-3+i] + rs[k+4-i])
 * (indices clamped), rounded, clamped to [0, 32767]; then the lobe around lag 0 loses its credit. */
static ARRAYC_NOINLINE void arrayc_ns_pitch_grid(int32_t *rs, int32_t rhoLobe, const int32_t *halfLagQ15, int32_t *g)
{
    const int32_t h0 = halfLagQ15[0], h1 = halfLagQ15[1], h2 = halfLagQ15[2], h3 = halfLagQ15[3];
    /* rs[-3 .. -1] and rs[119 .. 122] are padding: the clamped indices become plain ones */
    rs[-3] = rs[-2] = rs[-1] = rs[0];
    rs[ARRAYC_NS_PITCH_LAGS] = rs[ARRAYC_NS_PITCH_LAGS + 1] = rs[ARRAYC_NS_PITCH_LAGS + 2] = rs[ARRAYC_NS_PITCH_LAGS + 3] =
        rs[ARRAYC_NS_PITCH_LAGS - 1];
    for (int k = 0; k < ARRAYC_NS_PITCH_LAGS - 1; k++) {
        const int32_t *r = rs + k - 3;
        const int32_t a = h0 * (r[0] + r[7]) + h1 * (r[1] + r[6]) + h2 * (r[2] + r[5]) + h3 * (r[3] + r[4]);
        const int32_t v = (a + 16384) >> 15;
        g[2 * k] = rs[k] > 0 ? rs[k] : 0;
        g[2 * k + 1] = v < 0 ? 0 : v > 32767 ? 32767 : v;
    }
    g[ARRAYC_NS_PITCH_GRID - 1] = rs[ARRAYC_NS_PITCH_LAGS - 1] > 0 ? rs[ARRAYC_NS_PITCH_LAGS - 1] : 0;
    if (rhoLobe > rs[0]) {
        int q = 0;
        while (q < ARRAYC_NS_PITCH_GRID - 1 && g[q] > g[q + 1]) q++;
        for (int i = 0; i < q; i++) g[i] = 0;
    }
}

/* Step 4: Viterbi forward step over the accumulated costs acc (L1 distance transform, then the
 * observation); returns the decision (first argmin). Costs are renormalized to min 0, or cleared
 * while the history is short (keep == 0). */
static ARRAYC_NOINLINE int arrayc_ns_pitch_viterbi(int32_t *acc, const int32_t *g, const int32_t *stepCostQ15,
                                                  const int32_t *lagWeightQ15, int keep)
{
    int32_t prev = acc[0];
    for (int k = 1; k < ARRAYC_NS_PITCH_LAGS; k++) {
        const int32_t t = prev + stepCostQ15[k - 1];
        int32_t v = acc[k];
        if (t < v) v = t;
        acc[k] = v;
        prev = v;
    }
    for (int k = ARRAYC_NS_PITCH_LAGS - 2; k >= 0; k--) {
        const int32_t t = prev + stepCostQ15[k];
        int32_t v = acc[k];
        if (t < v) v = t;
        acc[k] = v;
        prev = v;
    }
    int best = 0;
    int32_t bestCost = INT32_MAX;
    int32_t gl = 0; /* g[2k - 1] */
    for (int k = 0; k < ARRAYC_NS_PITCH_LAGS; k++) {
        int32_t pk = g[2 * k];
        const int32_t gr = g[2 * k + 1]; /* g[GRID] is a 0 pad */
        if (gl > pk) pk = gl;
        if (gr > pk) pk = gr;
        gl = gr;
        const int32_t c = acc[k] + 32767 - ((pk * lagWeightQ15[k]) >> 15);
        acc[k] = c;
        if (c < bestCost) {
            bestCost = c;
            best = k;
        }
    }
    if (keep) {
        for (int k = 0; k < ARRAYC_NS_PITCH_LAGS; k++) acc[k] -= bestCost;
    } else {
        for (int k = 0; k < ARRAYC_NS_PITCH_LAGS; k++) acc[k] = 0;
    }
    return best;
}

/* Step 5: 48 kHz normalized correlation over the last 960 samples at the four lags lo..lo+3
 * (lo even); the best (ties: shorter) into result. */
static ARRAYC_NOINLINE void arrayc_ns_pitch_refine(const int32_t *X, int lo, int64_t e0, const int32_t *rsqrtQ15,
                                                  int32_t *result)
{
    int32_t period = 0, corr = 0;
    if (e0 > 0) {
        const int aWord = (ARRAYC_NS_PITCH_HIST - ARRAYC_NS_PITCH_WINDOW) / 2;
        const int w0 = ARRAYC_NS_PITCH_HIST - ARRAYC_NS_PITCH_WINDOW;
        int p0;
        const int32_t r0 = arrayc_ns_pitch_rsqrt(e0, rsqrtQ15, &p0);
        int64_t xc[4];
        arrayc_ns_pitch_xcorr4(X + aWord, X + aWord - lo / 2, ARRAYC_NS_PITCH_WINDOW / 2, xc);
        int64_t e = arrayc_ns_pitch_energy(X, w0 - lo, ARRAYC_NS_PITCH_WINDOW);
        for (int j = 0; j < 4; j++) {
            const int tau = lo + j;
            if (j > 0) {
                const int32_t a = arrayc_ns_pitch_sample(X, w0 - tau);
                const int32_t b = arrayc_ns_pitch_sample(X, w0 - tau + ARRAYC_NS_PITCH_WINDOW);
                e += (int64_t)(a * a) - (int64_t)(b * b);
            }
            const int32_t r = arrayc_ns_pitch_norm(xc[j], e, r0, p0, rsqrtQ15);
            if (r > corr) {
                corr = r;
                period = tau;
            }
        }
    }
    result[0] = period;
    result[1] = corr;
}

static ARRAYC_NOINLINE void arrayc_ns_pitch_analyze_hop(const int16_t *hop, int32_t *state,
                                                       const int32_t *lowpassPairsQ15, const int32_t *rsqrtQ15,
                                                       const int32_t *stepCostQ15, const int32_t *lagWeightQ15,
                                                       const int32_t *halfLagQ15, int32_t *result)
{
    int32_t *X = state + ARRAYC_NS_PITCH_S_HIST;   /* 48 kHz sample pairs */
    int32_t *Y = state + ARRAYC_NS_PITCH_S_HIST_D; /* 8 kHz sample pairs */
    int32_t rsPadded[ARRAYC_NS_PITCH_LAGS + 7];
    int32_t *rs = rsPadded + 3;
    int32_t g[ARRAYC_NS_PITCH_GRID + 1];
    g[ARRAYC_NS_PITCH_GRID] = 0;

    /* 1. Append the hop (pairs); its energy. */
    arrayc_ns_pitch_shift(X, ARRAYC_NS_PITCH_HIST / 2, ARRAYC_NS_PITCH_HOP / 2);
    {
        int32_t *xn = X + (ARRAYC_NS_PITCH_HIST - ARRAYC_NS_PITCH_HOP) / 2;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* little-endian: two consecutive int16 are exactly the pair word */
        memcpy(xn, hop, ARRAYC_NS_PITCH_HOP * sizeof *hop);
#else
        for (int k = 0; k < ARRAYC_NS_PITCH_HOP / 2; k++)
            xn[k] = (int32_t)((uint32_t)(uint16_t)hop[2 * k] | ((uint32_t)(uint16_t)hop[2 * k + 1] << 16));
#endif
    }
    const int64_t eNew48 = arrayc_ns_pitch_energy(X, ARRAYC_NS_PITCH_HIST - ARRAYC_NS_PITCH_HOP, ARRAYC_NS_PITCH_HOP);

    /* 2. Decimate. */
    arrayc_ns_pitch_shift(Y, ARRAYC_NS_PITCH_HIST_D / 2, ARRAYC_NS_PITCH_HOP_D / 2);
    const int64_t eNewD = arrayc_ns_pitch_decimate(X, Y, lowpassPairsQ15);

    /* 3. Coarse correlation and the half-lag grid. */
    const int32_t rhoLobe = arrayc_ns_pitch_coarse(state, eNewD, rsqrtQ15, rs);
    arrayc_ns_pitch_grid(rs, rhoLobe, halfLagQ15, g);

    /* 4. Viterbi. */
    int32_t hops = state[ARRAYC_NS_PITCH_S_HOPS];
    if (hops < ARRAYC_NS_PITCH_FULL_HOPS) state[ARRAYC_NS_PITCH_S_HOPS] = ++hops;
    const int best = arrayc_ns_pitch_viterbi(state + ARRAYC_NS_PITCH_S_COST, g, stepCostQ15, lagWeightQ15,
                                             hops >= ARRAYC_NS_PITCH_FULL_HOPS);

    /* 5. Refinement centre on the half grid, then the 48 kHz search. */
    int gc = 2 * best;
    {
        static const int8_t dgs[4] = { -1, 1, -2, 2 };
        for (int i = 0; i < 4; i++) {
            const int q = 2 * best + dgs[i];
            if (q >= 0 && q < ARRAYC_NS_PITCH_GRID && g[q] > g[gc]) gc = q;
        }
    }
    int32_t delta = 0;
    if (gc > 0 && gc < ARRAYC_NS_PITCH_GRID - 1) {
        const int32_t rm = g[gc - 1], rp = g[gc + 1];
        const int32_t d = 2 * g[gc] - rm - rp;
        if (d > 0) {
            /* round(1.5 (rp - rm) / d) half up, as a floor division */
            const int32_t num = 3 * (rp - rm) + d, den = 2 * d;
            delta = num >= 0 ? num / den : -((-num + den - 1) / den);
            if (delta > 2) delta = 2;
            if (delta < -2) delta = -2;
        }
    }
    int32_t centre = 3 * (2 * ARRAYC_NS_PITCH_MIN_LAG_D + gc) + delta;
    /* four lags from the even lo = 2 floor((centre - 1) / 2): centre - 1 .. centre + 1 and one more */
    int lo = (centre - 1) & ~1;
    if (lo < ARRAYC_NS_PITCH_MIN_PERIOD) lo = ARRAYC_NS_PITCH_MIN_PERIOD;
    if (lo > ARRAYC_NS_PITCH_MAX_PERIOD - 4) lo = ARRAYC_NS_PITCH_MAX_PERIOD - 4;

    const int64_t e048 = arrayc_ns_pitch_get64(state + ARRAYC_NS_PITCH_S_E_48) + eNew48;
    arrayc_ns_pitch_set64(state + ARRAYC_NS_PITCH_S_E_48, eNew48);
    arrayc_ns_pitch_refine(X, lo, e048, rsqrtQ15, result);
}
