/* Noise suppressor spectral front/back end: analysis window + 1024-point real FFT, inverse FFT +
 * synthesis window + overlap-add, ERB band energies / log energies / comb correlations,
 * band-to-bin interpolation, pitch comb response, per-bin gains (and all three gain steps fused).
 * Bit-exact with src/fixed/ns/spectral.ts, which defines every rounding point; the tables come
 * from spectralTables() there (C types in SPECTRAL_TABLE_CTYPES). rhu(v, s) = (v + 2^(s-1)) >> s.
 *
 * Two implementations of the hot loops compute the same integers:
 * - portable C (host, and any core or build without the conditions below), written so that the
 *   64-bit roundings map onto SMULL/SMLAL;
 * - hand-scheduled Thumb-2 inline assembly on the DSP cores (M4/M7/M33/M55) in optimized builds,
 *   for the instruction budget: LDRD/STRD/LDM/STM with writeback, the twiddle products as
 *   SMULL + SMLAL + one ADD of the low word's top bit (the 64-bit sum rounded once, as the
 *   reference), doublings and roundings folded into shifted operands, SMMLAR for the Q15 gains.
 *   Temporaries are named clobbers and the pointers operands; the larger loops use all 14
 *   allocatable registers, so the functions here omit the frame pointer even in builds with
 *   -fno-omit-frame-pointer (ARRAYC_NS_SPECTRAL_FN; the same code as the -O2 default).
 *   -DARRAYC_NS_SPECTRAL_NO_ASM gives the C everywhere; -Os builds use the C. */
#if defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && !defined(ARRAYC_NS_SPECTRAL_NO_ASM) && defined(__thumb2__) && \
    defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__ARM_FEATURE_SAT)
#define ARRAYC_NS_SPECTRAL_ASM 1
#else
#define ARRAYC_NS_SPECTRAL_ASM 0
#endif

#if ARRAYC_NS_SPECTRAL_ASM && defined(__GNUC__) && !defined(__clang__)
#define ARRAYC_NS_SPECTRAL_FN __attribute__((optimize("omit-frame-pointer")))
#else
#define ARRAYC_NS_SPECTRAL_FN
#endif

/* Signed saturation of an int32 to `bits` bits: one SSAT where the core has it. */
#if defined(__ARM_FEATURE_SAT)
#define ARRAYC_NS_SPECTRAL_SAT(v, bits) __builtin_arm_ssat((v), (bits))
#else
#define ARRAYC_NS_SPECTRAL_SAT(v, bits) arrayc_ns_spectral_sat((v), (bits))
#endif
static inline __attribute__((unused)) int32_t arrayc_ns_spectral_sat(const int32_t v, const int bits)
{
    const int32_t hi = (int32_t)((1u << (bits - 1)) - 1u), lo = -hi - 1;
    return v < lo ? lo : v > hi ? hi : v;
}

/* rhu(a*c + b*d, 32) (Q31 c, d): half the FFT's twiddle product. One SMULL/SMLAL chain whose high
 * word is rounded by the low word's top bit (the 64-bit sum rounded once, as the reference);
 * callers double it inside their adds (free shifted operand). */
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) int32_t arrayc_ns_spectral_mulhi(const int32_t a, const int32_t c, const int32_t b, const int32_t d)
{
    const int64_t p = (int64_t)a * c + (int64_t)b * d;
    return (int32_t)(p >> 32) + (int32_t)((uint32_t)p >> 31);
}

/* Radix-4 butterfly (W_4 = -i) on inputs t0..t3; outputs rhu(., sh) at p + q*stride. */
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) void arrayc_ns_spectral_r4(
    int32_t *p, const int stride,
    const int32_t t0r, const int32_t t0i, const int32_t t1r, const int32_t t1i,
    const int32_t t2r, const int32_t t2i, const int32_t t3r, const int32_t t3i, const int sh)
{
    const int32_t rnd = (1 << sh) >> 1;
    const int32_t s02r = t0r + t2r + rnd, s02i = t0i + t2i + rnd, d02r = t0r - t2r + rnd, d02i = t0i - t2i + rnd;
    const int32_t s13r = t1r + t3r, s13i = t1i + t3i, d13r = t1r - t3r, d13i = t1i - t3i;
    p[0] = (s02r + s13r) >> sh;
    p[1] = (s02i + s13i) >> sh;
    p[stride] = (d02r + d13i) >> sh;
    p[stride + 1] = (d02i - d13r) >> sh;
    p[2 * stride] = (s02r - s13r) >> sh;
    p[2 * stride + 1] = (s02i - s13i) >> sh;
    p[3 * stride] = (d02r - d13i) >> sh;
    p[3 * stride + 1] = (d02i + d13r) >> sh;
}

/* Radix-4 butterfly at p whose inputs 1..3 are twiddled by w = [c1 s1 c2 s2 c3 s3] (W = c - i s):
 * twiddled term t = 2 h with h = mulhi, the doubling folded into the adds. */
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) void arrayc_ns_spectral_r4_tw(int32_t *p, const int stride, const int32_t *w, const int sh)
{
    int32_t br, bi, c, s;
    br = p[stride]; bi = p[stride + 1]; c = w[0]; s = w[1];
    const int32_t h1r = arrayc_ns_spectral_mulhi(br, c, bi, s), h1i = arrayc_ns_spectral_mulhi(bi, c, br, -s);
    br = p[3 * stride]; bi = p[3 * stride + 1]; c = w[4]; s = w[5];
    const int32_t h3r = arrayc_ns_spectral_mulhi(br, c, bi, s), h3i = arrayc_ns_spectral_mulhi(bi, c, br, -s);
    const int32_t s13r = h1r + h3r, s13i = h1i + h3i, d13r = h1r - h3r, d13i = h1i - h3i;
    br = p[2 * stride]; bi = p[2 * stride + 1]; c = w[2]; s = w[3];
    const int32_t h2r = arrayc_ns_spectral_mulhi(br, c, bi, s), h2i = arrayc_ns_spectral_mulhi(bi, c, br, -s);
    const int32_t rnd = (1 << sh) >> 1;
    const int32_t a0r = p[0] + rnd, a0i = p[1] + rnd;
    const int32_t s02r = a0r + 2 * h2r, s02i = a0i + 2 * h2i, d02r = a0r - 2 * h2r, d02i = a0i - 2 * h2i;
    p[0] = (s02r + 2 * s13r) >> sh;
    p[1] = (s02i + 2 * s13i) >> sh;
    p[stride] = (d02r + 2 * d13i) >> sh;
    p[stride + 1] = (d02i - 2 * d13r) >> sh;
    p[2 * stride] = (s02r - 2 * s13r) >> sh;
    p[2 * stride + 1] = (s02i - 2 * s13i) >> sh;
    p[3 * stride] = (d02r - 2 * d13i) >> sh;
    p[3 * stride + 1] = (d02i + 2 * d13r) >> sh;
}

#if ARRAYC_NS_SPECTRAL_ASM
/* One twiddled radix-4 butterfly per iteration: p = a0 (post-incremented), q = p + 2S (a2),
 * w = [c1 s1 c2 s2 c3 s3] (post-incremented); b1 at [p, S], b3 at [q, S]. h = mulhi halves, kept
 * in r11/r12 (1), r9/lr (3) -> s13/d13 in r3, r9 / r11, r12; h2 in lr/r6. ROUND adds the
 * radix-4 rounding to a0 and SHIFT scales the outputs (empty for the unscaled forward). */
#define ARRAYC_NS_R4TW_ASM(ROUND, SHIFT0, SHIFT1)                                                 \
    "1:\n\t"                                                                                     \
    "ldrd r4, r5, [%[p], %[S]]\n\t"                                                              \
    "ldrd r6, r8, [%[w]], #24\n\t"                                                               \
    "smull r10, r11, r4, r6\n\t"                                                                 \
    "smlal r10, r11, r5, r8\n\t"                                                                 \
    "add r11, r11, r10, lsr #31\n\t"                                                             \
    "rsb r8, r8, #0\n\t"                                                                         \
    "smull r10, r12, r5, r6\n\t"                                                                 \
    "smlal r10, r12, r4, r8\n\t"                                                                 \
    "add r12, r12, r10, lsr #31\n\t"                                                             \
    "ldrd r4, r5, [%[q], %[S]]\n\t"                                                              \
    "ldrd r6, r8, [%[w], #-8]\n\t"                                                               \
    "smull r10, r9, r4, r6\n\t"                                                                  \
    "smlal r10, r9, r5, r8\n\t"                                                                  \
    "add r9, r9, r10, lsr #31\n\t"                                                               \
    "rsb r8, r8, #0\n\t"                                                                         \
    "smull r10, lr, r5, r6\n\t"                                                                  \
    "smlal r10, lr, r4, r8\n\t"                                                                  \
    "add lr, lr, r10, lsr #31\n\t"                                                               \
    "add r3, r11, r9\n\t"                                                                        \
    "sub r11, r11, r9\n\t"                                                                       \
    "add r9, r12, lr\n\t"                                                                        \
    "sub r12, r12, lr\n\t"                                                                       \
    "ldrd r4, r5, [%[q]]\n\t"                                                                    \
    "ldrd r6, r8, [%[w], #-16]\n\t"                                                              \
    "smull r10, lr, r4, r6\n\t"                                                                  \
    "smlal r10, lr, r5, r8\n\t"                                                                  \
    "add lr, lr, r10, lsr #31\n\t"                                                               \
    "rsb r8, r8, #0\n\t"                                                                         \
    "smull r10, r6, r5, r6\n\t"                                                                  \
    "smlal r10, r6, r4, r8\n\t"                                                                  \
    "add r6, r6, r10, lsr #31\n\t"                                                               \
    "ldrd r4, r5, [%[p]], #8\n\t"                                                                \
    ROUND                                                                                        \
    "add r8, r4, lr, lsl #1\n\t"                                                                 \
    "sub r4, r4, lr, lsl #1\n\t"                                                                 \
    "add r10, r5, r6, lsl #1\n\t"                                                                \
    "sub r5, r5, r6, lsl #1\n\t"                                                                 \
    "add r6, r8, r3, lsl #1\n\t"                                                                 \
    "add lr, r10, r9, lsl #1\n\t"                                                                \
    SHIFT0 SHIFT1                                                                                \
    "strd r6, lr, [%[p], #-8]\n\t"                                                               \
    "sub r6, r8, r3, lsl #1\n\t"                                                                 \
    "sub lr, r10, r9, lsl #1\n\t"                                                                \
    SHIFT0 SHIFT1                                                                                \
    "strd r6, lr, [%[q]], #8\n\t"                                                                \
    "add r6, r4, r12, lsl #1\n\t"                                                                \
    "sub lr, r5, r11, lsl #1\n\t"                                                                \
    SHIFT0 SHIFT1                                                                                \
    "strd r6, lr, [%[p], %[S8]]\n\t"                                                             \
    "sub r6, r4, r12, lsl #1\n\t"                                                                \
    "add lr, r5, r11, lsl #1\n\t"                                                                \
    SHIFT0 SHIFT1                                                                                \
    "strd r6, lr, [%[q], %[S8]]\n\t"                                                             \
    "cmp %[p], %[end]\n\t"                                                                       \
    "bne 1b\n\t"
#endif

#if ARRAYC_NS_SPECTRAL_ASM
/* The j = 0 butterfly of a block (unit twiddles, no products), then falls into the loop above:
 * o2 = o0 - 2 s13 and o3 = o1 - 2 d13i, o3i = o1i + 2 d13r keep it in place; ROUND/SHIFT as above. */
#define ARRAYC_NS_R4J0_ASM(ROUND, SHIFTA, SHIFTB)                                                \
    "ldrd r4, r5, [%[p]]\n\t"                                                                    \
    "ldrd r6, r8, [%[p], %[S]]\n\t"                                                              \
    "ldrd r9, r10, [%[q]]\n\t"                                                                   \
    "ldrd r11, r12, [%[q], %[S]]\n\t"                                                            \
    ROUND                                                                                        \
    "add lr, r4, r9\n\t"                                                                         \
    "sub r4, r4, r9\n\t"                                                                         \
    "add r9, r5, r10\n\t"                                                                        \
    "sub r5, r5, r10\n\t"                                                                        \
    "add r10, r6, r11\n\t"                                                                       \
    "sub r6, r6, r11\n\t"                                                                        \
    "add r11, r8, r12\n\t"                                                                       \
    "sub r8, r8, r12\n\t"                                                                        \
    "add r12, r4, r8\n\t"                                                                        \
    "sub r8, r12, r8, lsl #1\n\t"                                                                \
    "sub r4, r5, r6\n\t"                                                                         \
    "add r6, r4, r6, lsl #1\n\t"                                                                 \
    SHIFTA                                                                                       \
    "strd r12, r4, [%[p], %[S]]\n\t"                                                             \
    "strd r8, r6, [%[q], %[S]]\n\t"                                                              \
    "add lr, lr, r10\n\t"                                                                        \
    "sub r10, lr, r10, lsl #1\n\t"                                                               \
    "add r9, r9, r11\n\t"                                                                        \
    "sub r11, r9, r11, lsl #1\n\t"                                                               \
    SHIFTB                                                                                       \
    "strd lr, r9, [%[p]], #8\n\t"                                                                \
    "strd r10, r11, [%[q]], #8\n\t"
#endif

/* One radix-4 stage combining sub-DFTs of length L (blocks of 4L complex values); j = 0 has unit
 * twiddles and is done without products. tw: [c1 s1 c2 s2 c3 s3] per j (W = c - i s, Q31). */
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) void arrayc_ns_spectral_r4_stage(int32_t *buf, const int L, const int32_t *tw, const int sh)
{
    const int stride = 2 * L;
    for (int32_t *blk = buf; blk < buf + 1024; blk += 4 * stride) {
#if ARRAYC_NS_SPECTRAL_ASM
        int32_t *p = blk, *q = blk + 2 * stride;
        const int32_t *w = tw + 6;
        if (sh == 0)
            __asm__ volatile(ARRAYC_NS_R4J0_ASM("", "", "") ARRAYC_NS_R4TW_ASM("", "", "")
                             : [p] "+&r"(p), [q] "+&r"(q), [w] "+&r"(w)
                             : [end] "r"(blk + stride), [S] "i"(8 * L), [S8] "i"(8 * L - 8)
                             : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
        else
            __asm__ volatile(ARRAYC_NS_R4J0_ASM("add r4, r4, #2\n\tadd r5, r5, #2\n\t",
                                 "asr r12, r12, #2\n\tasr r4, r4, #2\n\tasr r8, r8, #2\n\tasr r6, r6, #2\n\t",
                                 "asr lr, lr, #2\n\tasr r9, r9, #2\n\tasr r10, r10, #2\n\tasr r11, r11, #2\n\t")
                                 ARRAYC_NS_R4TW_ASM("add r4, r4, #2\n\tadd r5, r5, #2\n\t", "asr r6, r6, #2\n\t", "asr lr, lr, #2\n\t")
                             : [p] "+&r"(p), [q] "+&r"(q), [w] "+&r"(w)
                             : [end] "r"(blk + stride), [S] "i"(8 * L), [S8] "i"(8 * L - 8)
                             : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
#else
        arrayc_ns_spectral_r4(blk, stride, blk[0], blk[1], blk[stride], blk[stride + 1],
            blk[2 * stride], blk[2 * stride + 1], blk[3 * stride], blk[3 * stride + 1], sh);
        const int32_t *w = tw + 6;
        for (int32_t *p = blk + 2; p < blk + stride; p += 2, w += 6) arrayc_ns_spectral_r4_tw(p, stride, w, sh);
#endif
    }
}

/* Radix-2 butterfly of the last stage at p (p[0..1] and p[512..513]), twiddle w = [c s]. */
#define ARRAYC_NS_R2_HALVES(p, w, hr, hi)                                                     \
    const int32_t hr = arrayc_ns_spectral_mulhi((p)[512], (w)[0], (p)[513], (w)[1]);          \
    const int32_t hi = arrayc_ns_spectral_mulhi((p)[513], (w)[0], (p)[512], -(w)[1])

/* The same in the assembly loops of the last stage, [p] and [q] = [p] + 512 words, [w] advancing
 * by one twiddle: hr in r11, hi in r12, and p[0], p[1] loaded into r4, r5. */
#define ARRAYC_NS_R2_HALVES_ASM \
    "1:\n\t" \
    "ldrd r4, r5, [%[q]]\n\t" \
    "ldrd r6, r8, [%[w]], #8\n\t" \
    "smull r10, r11, r4, r6\n\t" \
    "smlal r10, r11, r5, r8\n\t" \
    "add r11, r11, r10, lsr #31\n\t" \
    "rsb r8, r8, #0\n\t" \
    "smull r10, r12, r5, r6\n\t" \
    "smlal r10, r12, r4, r8\n\t" \
    "add r12, r12, r10, lsr #31\n\t" \
    "ldrd r4, r5, [%[p]]\n\t"

/* The rest of a first-stage butterfly (x[0], x[256] and the outputs), shared by the loop whose
 * fourth input x[384] is a sample and the one where it is zero padding. */
#define ARRAYC_NS_SPECTRAL_FWD_R4_REST \
    "ldr r4, [%[x], #1024]\n\t" \
    "ldr r5, [%[w], #1024]\n\t" \
    "smlabb r10, r4, r5, %[k]\n\t"     /* t2 (x 2^11) */ \
    "smlatt r12, r4, r5, %[k]\n\t" \
    "ldr r4, [%[x]], #4\n\t" \
    "ldr r5, [%[w]], #4\n\t" \
    "smlabb lr, r4, r5, %[k]\n\t" \
    "smlatt r4, r4, r5, %[k]\n\t" \
    "asr lr, lr, #11\n\t"              /* t0r */ \
    "asr r4, r4, #11\n\t"              /* t0i */ \
    "add r5, lr, r10, asr #11\n\t"     /* s02r */ \
    "sub lr, lr, r10, asr #11\n\t"     /* d02r */ \
    "add r10, r4, r12, asr #11\n\t"    /* s02i */ \
    "sub r4, r4, r12, asr #11\n\t"     /* d02i */ \
    "ldrh r12, [%[sc]], #2\n\t" \
    "add r12, %[X], r12, lsl #3\n\t" \
    "add r11, r5, r11\n\t"             /* o0r = s02r + s13r */ \
    "rsb r5, r11, r5, lsl #1\n\t"      /* o2r = 2 s02r - o0r */ \
    "add r9, r10, r9\n\t"              /* o0i */ \
    "rsb r10, r9, r10, lsl #1\n\t"     /* o2i */ \
    "add r8, lr, r8\n\t"               /* o1r = d02r + d13i */ \
    "rsb lr, r8, lr, lsl #1\n\t"       /* o3r */ \
    "sub r6, r4, r6\n\t"               /* o1i = d02i - d13r */ \
    "rsb r4, r6, r4, lsl #1\n\t"       /* o3i */ \
    "strd r11, r9, [r12]\n\t" \
    "strd r8, r6, [r12, #8]\n\t" \
    "strd r5, r10, [r12, #16]\n\t" \
    "strd lr, r4, [r12, #24]\n\t" \
    "ldr r4, %[end]\n\t" \
    "cmp %[sc], r4\n\t" \
    "bne 1b\n\t"

/* frame: 960 int16 (oldest first) -> X: 1026 int32 (bins 0..512, re/im), unnormalized
 * DFT_1024 of frame * window / 2^15 (|X| < 2^24.26 for any input). */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_forward_spectrum(const int16_t *frame, int32_t *X,
    const int16_t *window_q15, const uint16_t *fft_scatter, const int32_t *fft_twiddles_q31,
    const int32_t *cos_quarter_q31)
{
    /* Windowing fused with the first radix-4 stage: the butterfly at buffer position scatter[r]
     * (r < 128) takes z[r + 128 q], q = 0..3, i.e. frame samples 2r + 256 q and 2r + 256 q + 1;
     * z[n] = 0 for n >= 480 (q = 3, r >= 96). */
#if ARRAYC_NS_SPECTRAL_ASM
    /* frame/window pairs as words (SMLABB/SMLATT take the halves), outputs with o2 = 2 s02 - o0
     * (in place, no spare register) */
    const int16_t *x = frame, *w = window_q15;
    const uint16_t *sc = fft_scatter;
    const uint16_t *sc_end = fft_scatter + 96;
    __asm__ volatile(
        "1:\n\t"
        "ldr r4, [%[x], #512]\n\t"
        "ldr r5, [%[w], #512]\n\t"
        "smlabb r6, r4, r5, %[k]\n\t"
        "smlatt r8, r4, r5, %[k]\n\t"
        "asr r6, r6, #11\n\t"              /* t1r */
        "asr r8, r8, #11\n\t"              /* t1i */
        "ldr r4, [%[x], #1536]\n\t"
        "ldr r5, [%[w], #1536]\n\t"
        "smlabb r9, r4, r5, %[k]\n\t"
        "smlatt r10, r4, r5, %[k]\n\t"
        "add r11, r6, r9, asr #11\n\t"     /* s13r */
        "sub r6, r6, r9, asr #11\n\t"      /* d13r */
        "add r9, r8, r10, asr #11\n\t"     /* s13i */
        "sub r8, r8, r10, asr #11\n\t"     /* d13i */
        ARRAYC_NS_SPECTRAL_FWD_R4_REST
        : [x] "+&r"(x), [w] "+&r"(w), [sc] "+&r"(sc)
        : [X] "r"(X), [k] "r"(1024), [end] "m"(sc_end)
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
    sc_end = fft_scatter + 128;
    __asm__ volatile(
        "1:\n\t"
        "ldr r4, [%[x], #512]\n\t"
        "ldr r5, [%[w], #512]\n\t"
        "smlabb r6, r4, r5, %[k]\n\t"
        "smlatt r8, r4, r5, %[k]\n\t"
        "asr r6, r6, #11\n\t"              /* t1r */
        "asr r8, r8, #11\n\t"              /* t1i */
        "mov r11, r6\n\t"                  /* s13r = d13r = t1r */
        "mov r9, r8\n\t"                   /* s13i = d13i = t1i */
        ARRAYC_NS_SPECTRAL_FWD_R4_REST
        : [x] "+&r"(x), [w] "+&r"(w), [sc] "+&r"(sc)
        : [X] "r"(X), [k] "r"(1024), [end] "m"(sc_end)
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
#else
    const int16_t *x = frame, *w = window_q15;
    int r;
#define ARRAYC_NS_WIN(o) (((int32_t)x[o] * w[o] + 1024) >> 11)
    for (r = 0; r < 96; r++, x += 2, w += 2)
        arrayc_ns_spectral_r4(X + 2 * fft_scatter[r], 2, ARRAYC_NS_WIN(0), ARRAYC_NS_WIN(1), ARRAYC_NS_WIN(256),
            ARRAYC_NS_WIN(257), ARRAYC_NS_WIN(512), ARRAYC_NS_WIN(513), ARRAYC_NS_WIN(768), ARRAYC_NS_WIN(769), 0);
    for (; r < 128; r++, x += 2, w += 2)
        arrayc_ns_spectral_r4(X + 2 * fft_scatter[r], 2, ARRAYC_NS_WIN(0), ARRAYC_NS_WIN(1), ARRAYC_NS_WIN(256),
            ARRAYC_NS_WIN(257), ARRAYC_NS_WIN(512), ARRAYC_NS_WIN(513), 0, 0, 0);
#undef ARRAYC_NS_WIN
#endif
    arrayc_ns_spectral_r4_stage(X, 4, fft_twiddles_q31, 0);
    arrayc_ns_spectral_r4_stage(X, 16, fft_twiddles_q31 + 24, 0);
    arrayc_ns_spectral_r4_stage(X, 64, fft_twiddles_q31 + 120, 0);
    {
        int32_t *p = X, *q = X + 512;
        const int32_t *w2 = fft_twiddles_q31 + 504;
#if ARRAYC_NS_SPECTRAL_ASM
        __asm__ volatile(
            ARRAYC_NS_R2_HALVES_ASM
            "add r6, r4, r11, lsl #1\n\t"
            "add r8, r5, r12, lsl #1\n\t"
            "strd r6, r8, [%[p]], #8\n\t"
            "sub r4, r4, r11, lsl #1\n\t"
            "sub r5, r5, r12, lsl #1\n\t"
            "strd r4, r5, [%[q]], #8\n\t"
            "cmp %[p], %[end]\n\t"
            "bne 1b\n\t"
            : [p] "+&r"(p), [q] "+&r"(q), [w] "+&r"(w2)
            : [end] "r"(X + 512)
            : "r4", "r5", "r6", "r8", "r10", "r11", "r12", "cc", "memory");
#else
        for (; p < X + 512; p += 2, w2 += 2) {
            ARRAYC_NS_R2_HALVES(p, w2, hr, hi);
            const int32_t a0r = p[0], a0i = p[1];
            p[0] = a0r + 2 * hr;
            p[1] = a0i + 2 * hi;
            p[512] = a0r - 2 * hr;
            p[513] = a0i - 2 * hi;
        }
        (void)q;
#endif
    }
    /* Real split pass, in place: X[k] and X[512-k] from Z[k] and Z[512-k] (Z[512] = Z[0]). */
    {
        const int32_t zr = X[0], zi = X[1];
        X[0] = (2 * zr + 2 * zi + 16) >> 5; /* k = 0: p = 2 zi, q = 0 */
        X[1] = (0 + 16) >> 5;
        X[1024] = (2 * zr - 2 * zi + 16) >> 5;
        X[1025] = (0 + 16) >> 5;
    }
    int32_t *pk = X + 2, *pj = X + 1022;
    const int32_t *ck = cos_quarter_q31 + 1, *sk = cos_quarter_q31 + 255;
#if ARRAYC_NS_SPECTRAL_ASM
    /* k = 1..256 while pk <= pj (k = 256: pk = pj, the j values are stored last, as in the C) */
    __asm__ volatile(
        "1:\n\t"
        "ldrd r4, r5, [%[pk]]\n\t"
        "ldrd r6, r8, [%[pj]]\n\t"
        "ldr r9, [%[ck]], #4\n\t"
        "ldr r10, [%[sk]], #-4\n\t"
        "add r11, r4, r6\n\t"          /* er */
        "sub r4, r4, r6\n\t"           /* or */
        "sub r6, r5, r8\n\t"           /* ei */
        "add r5, r5, r8\n\t"           /* oi */
        "smull r8, r12, r4, r9\n\t"
        "smlal r8, r12, r5, r10\n\t"
        "add r12, r12, r8, lsr #31\n\t" /* qh = rhu(or c + oi s, 32) */
        "rsb r10, r10, #0\n\t"
        "smull r8, lr, r5, r9\n\t"
        "smlal r8, lr, r4, r10\n\t"
        "add lr, lr, r8, lsr #31\n\t"   /* ph = rhu(oi c - or s, 32) */
        "add r11, r11, #16\n\t"
        "add r4, r11, lr, lsl #1\n\t"
        "asr r4, r4, #5\n\t"
        "add r8, r6, #16\n\t"
        "sub r5, r8, r12, lsl #1\n\t"
        "asr r5, r5, #5\n\t"
        "strd r4, r5, [%[pk]], #8\n\t"
        "sub r4, r11, lr, lsl #1\n\t"
        "asr r4, r4, #5\n\t"
        "rsb r8, r6, #16\n\t"
        "sub r5, r8, r12, lsl #1\n\t"
        "asr r5, r5, #5\n\t"
        "strd r4, r5, [%[pj]], #-8\n\t"
        "cmp %[pk], %[pj]\n\t"
        "bls 1b\n\t"
        : [pk] "+&r"(pk), [pj] "+&r"(pj), [ck] "+&r"(ck), [sk] "+&r"(sk)
        :
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
#else
    for (int k = 1; k <= 256; k++, pk += 2, pj -= 2, ck++, sk--) {
        const int32_t zkr = pk[0], zki = pk[1], zjr = pj[0], zji = pj[1];
        const int32_t er = zkr + zjr + 16, ei = zki - zji, orr = zkr - zjr, oi = zki + zji;
        const int32_t c = *ck, s = *sk;
        const int32_t ph = arrayc_ns_spectral_mulhi(oi, c, orr, -s);
        const int32_t qh = arrayc_ns_spectral_mulhi(orr, c, oi, s);
        const int32_t ei16 = ei + 16, mei16 = 16 - ei;
        pk[0] = (er + 2 * ph) >> 5;
        pk[1] = (ei16 - 2 * qh) >> 5;
        pj[0] = (er - 2 * ph) >> 5;
        pj[1] = (mei16 - 2 * qh) >> 5;
    }
#endif
}

/* Y: 1026 int32 (im of bins 0 and 512 ignored; components clamped to [-2^25, 2^25-1]) -> 480
 * output samples: inverse FFT (x4 guard), synthesis window, overlap-add with ola (480, Q4,
 * updated). work: 1024 int32 of scratch. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_synthesize_hop(const int32_t *Y, int32_t *ola, int16_t *out,
    int32_t *work, const int32_t *synthesis_window_q30, const uint16_t *fft_scatter,
    const int32_t *fft_twiddles_q31, const int32_t *cos_quarter_q31)
{
    /* Inverse split pass. With a = 4 clamp(Y) every E/O term is a multiple of 4 and p, q are even,
     * so the reference's rhu(., 1) halvings are exact: with A = clamp(Y) (Er = Akr + Ajr, ...),
     *   Z[k] = 2 Er - ph + i (2 Ei + qh),  Z[j] = 2 Er + ph + i (qh - 2 Ei)
     * where ph = p/2 = rhu(4 Or s + 4 Oi c, 32), qh = q/2 = rhu(4 Or c - 4 Oi s, 32); conj(Z) is
     * stored at the scattered positions. */
#define ARRAYC_NS_CLAMP25(v) ARRAYC_NS_SPECTRAL_SAT((v), 26)
    {
        /* k = 0: Z[0] = (A0 + A512)/2 + i (A0 - A512)/2 (imaginary parts of bins 0, 512 ignored) */
        const int32_t a0 = ARRAYC_NS_CLAMP25(Y[0]), a512 = ARRAYC_NS_CLAMP25(Y[1024]);
        int32_t *d = work + 2 * fft_scatter[0];
        d[0] = 2 * (a0 + a512);
        d[1] = -2 * (a0 - a512);
    }
    const int32_t *yk = Y + 2, *yj = Y + 1022;
    const int32_t *ck = cos_quarter_q31 + 1, *sk = cos_quarter_q31 + 255;
    const uint16_t *sck = fft_scatter + 1, *scj = fft_scatter + 511;
#if ARRAYC_NS_SPECTRAL_ASM
    /* k = 1..256 while yk <= yj; work and scj live in memory (ran out of registers) */
    int32_t *work_m = work;
    __asm__ volatile(
        "1:\n\t"
        "ldrd r4, r5, [%[yk]], #8\n\t"
        "ldrd r6, r8, [%[yj]], #-8\n\t"
        "ssat r4, #26, r4\n\t"
        "ssat r5, #26, r5\n\t"
        "ssat r6, #26, r6\n\t"
        "ssat r8, #26, r8\n\t"
        "add r9, r4, r6\n\t"           /* Er */
        "sub r4, r4, r6\n\t"
        "lsl r4, r4, #2\n\t"           /* 4 Or */
        "sub r6, r5, r8\n\t"           /* Ei */
        "add r5, r5, r8\n\t"
        "lsl r5, r5, #2\n\t"           /* 4 Oi */
        "ldr r8, [%[ck]], #4\n\t"      /* c */
        "ldr r10, [%[sk]], #-4\n\t"    /* s */
        "smull r11, r12, r4, r10\n\t"
        "smlal r11, r12, r5, r8\n\t"
        "add r12, r12, r11, lsr #31\n\t" /* ph */
        "rsb r10, r10, #0\n\t"
        "smull r11, lr, r4, r8\n\t"
        "smlal r11, lr, r5, r10\n\t"
        "add lr, lr, r11, lsr #31\n\t"   /* qh */
        "ldr r11, %[work]\n\t"
        "ldrh r4, [%[sck]], #2\n\t"
        "add r4, r11, r4, lsl #3\n\t"
        "rsb r8, r12, r9, lsl #1\n\t"
        "add r10, lr, r6, lsl #1\n\t"
        "rsb r10, r10, #0\n\t"
        "strd r8, r10, [r4]\n\t"
        "ldr r10, %[scj]\n\t"
        "ldrh r5, [r10], #-2\n\t"
        "str r10, %[scj]\n\t"
        "add r5, r11, r5, lsl #3\n\t"
        "add r8, r12, r9, lsl #1\n\t"
        "rsb r10, lr, r6, lsl #1\n\t"
        "strd r8, r10, [r5]\n\t"
        "cmp %[yk], %[yj]\n\t"
        "bls 1b\n\t"
        : [yk] "+&r"(yk), [yj] "+&r"(yj), [ck] "+&r"(ck), [sk] "+&r"(sk), [sck] "+&r"(sck), [scj] "+m"(scj)
        : [work] "m"(work_m)
        : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
#else
    for (int k = 1; k <= 256; k++, yk += 2, yj -= 2, ck++, sk--, sck++, scj--) {
        const int32_t akr = ARRAYC_NS_CLAMP25(yk[0]), aki = ARRAYC_NS_CLAMP25(yk[1]);
        const int32_t ajr = ARRAYC_NS_CLAMP25(yj[0]), aji = ARRAYC_NS_CLAMP25(yj[1]);
        const int32_t er = akr + ajr, ei = aki - aji, or4 = 4 * (akr - ajr), oi4 = 4 * (aki + aji);
        const int32_t c = *ck, s = *sk;
        const int32_t ph = arrayc_ns_spectral_mulhi(or4, s, oi4, c);
        const int32_t qh = arrayc_ns_spectral_mulhi(or4, c, oi4, -s);
        int32_t *d = work + 2 * *sck;
        d[0] = 2 * er - ph;
        d[1] = -2 * ei - qh;
        d = work + 2 * *scj;
        d[0] = 2 * er + ph;
        d[1] = 2 * ei - qh;
    }
#endif
#undef ARRAYC_NS_CLAMP25
#if ARRAYC_NS_SPECTRAL_ASM
    {
        /* first radix-4 stage (adjacent quadruples, no twiddles, rhu(., 2)): LDM/STM of 8 words */
        int32_t *p = work;
        __asm__ volatile(
            "1:\n\t"
            "ldm %[p], {r3, r4, r5, r6, r8, r9, r10, r11}\n\t"
            "add r3, r3, #2\n\t"
            "add r4, r4, #2\n\t"
            "add r12, r3, r8\n\t"   /* s02r */
            "sub r3, r3, r8\n\t"    /* d02r */
            "add r8, r4, r9\n\t"    /* s02i */
            "sub r4, r4, r9\n\t"    /* d02i */
            "add r9, r5, r10\n\t"   /* s13r */
            "sub r5, r5, r10\n\t"   /* d13r */
            "add r10, r6, r11\n\t"  /* s13i */
            "sub r6, r6, r11\n\t"   /* d13i */
            "add lr, r12, r9\n\t"   /* o0r */
            "sub r12, r12, r9\n\t"  /* o2r */
            "add r9, r8, r10\n\t"   /* o0i */
            "sub r8, r8, r10\n\t"   /* o2i */
            "add r10, r3, r6\n\t"   /* o1r = d02r + d13i */
            "sub r3, r3, r6\n\t"    /* o3r = d02r - d13i */
            "sub r11, r4, r5\n\t"   /* o1i = d02i - d13r */
            "add r4, r4, r5\n\t"    /* o3i = d02i + d13r */
            "asr r5, r10, #2\n\t"
            "asr r6, r11, #2\n\t"
            "asr r10, r3, #2\n\t"
            "asr r11, r4, #2\n\t"
            "asr r3, lr, #2\n\t"
            "asr r4, r9, #2\n\t"
            "asr r9, r8, #2\n\t"
            "asr r8, r12, #2\n\t"
            "stmia %[p]!, {r3, r4, r5, r6, r8, r9, r10, r11}\n\t"
            "cmp %[p], %[end]\n\t"
            "bne 1b\n\t"
            : [p] "+&r"(p)
            : [end] "r"(work + 1024)
            : "r3", "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
    }
#else
    for (int32_t *p = work; p < work + 1024; p += 8)
        arrayc_ns_spectral_r4(p, 2, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 2);
#endif
    arrayc_ns_spectral_r4_stage(work, 4, fft_twiddles_q31, 2);
    arrayc_ns_spectral_r4_stage(work, 16, fft_twiddles_q31 + 24, 2);
    arrayc_ns_spectral_r4_stage(work, 64, fft_twiddles_q31 + 120, 2);
#if ARRAYC_NS_SPECTRAL_ASM
    {
        /* Last (radix-2, rhu(., 1)) stage: work[2j..] = v[2j], v[2j+1] and work[512+2j..] =
         * v[512+2j], v[513+2j], the odd (imaginary) words already negated:
         * -((x + 1) >> 1) = (-x) >> 1. */
        int32_t *p = work, *q = work + 512;
        const int32_t *w2 = fft_twiddles_q31 + 504;
        __asm__ volatile(
            ARRAYC_NS_R2_HALVES_ASM
            "add r4, r4, #1\n\t"
            "rsb r5, r5, #0\n\t"
            "add r6, r4, r11, lsl #1\n\t"
            "asr r6, r6, #1\n\t"
            "sub r8, r5, r12, lsl #1\n\t"
            "asr r8, r8, #1\n\t"
            "strd r6, r8, [%[p]], #8\n\t"
            "sub r4, r4, r11, lsl #1\n\t"
            "asr r4, r4, #1\n\t"
            "add r5, r5, r12, lsl #1\n\t"
            "asr r5, r5, #1\n\t"
            "strd r4, r5, [%[q]], #8\n\t"
            "cmp %[p], %[end]\n\t"
            "bne 1b\n\t"
            : [p] "+&r"(p), [q] "+&r"(q), [w] "+&r"(w2)
            : [end] "r"(work + 512)
            : "r4", "r5", "r6", "r8", "r10", "r11", "r12", "cc", "memory");
    }
    {
        /* Synthesis window and overlap-add, two samples per iteration:
         *   out[i] = sat16(hi32(ola[i] 2^28 + 2^31 + 2^27 + v[i] ws[i]))   (= rhu(ola + rhu(v ws, 28), 4))
         *   ola[i] = (v[480+i] ws[480+i] + 2^27) >> 28 */
        const int32_t *v = work, *ws = synthesis_window_q30;
        int32_t *o = ola;
        int16_t *y = out;
        __asm__ volatile(
            "1:\n\t"
            "ldrd r4, r5, [%[v]], #8\n\t"
            "ldrd r6, r8, [%[ws]], #8\n\t"
            "ldrd r9, r10, [%[o]]\n\t"
            "mov r11, #0x88000000\n\t"
            "mov r12, #0\n\t"
            "smlal r11, r12, r9, %[c28]\n\t"
            "smlal r11, r12, r4, r6\n\t"
            "ssat r12, #16, r12\n\t"
            "strh r12, [%[y]], #2\n\t"
            "mov r11, #0x88000000\n\t"
            "mov r12, #0\n\t"
            "smlal r11, r12, r10, %[c28]\n\t"
            "smlal r11, r12, r5, r8\n\t"
            "ssat r12, #16, r12\n\t"
            "strh r12, [%[y]], #2\n\t"
            "ldr r4, [%[v], #1912]\n\t"
            "ldr r5, [%[v], #1916]\n\t"
            "ldr r6, [%[ws], #1912]\n\t"
            "ldr r8, [%[ws], #1916]\n\t"
            "mov r9, #0x08000000\n\t"
            "mov r10, #0\n\t"
            "smlal r9, r10, r4, r6\n\t"
            "lsr r9, r9, #28\n\t"
            "orr r9, r9, r10, lsl #4\n\t"
            "mov r10, #0x08000000\n\t"
            "mov r12, #0\n\t"
            "smlal r10, r12, r5, r8\n\t"
            "lsr r10, r10, #28\n\t"
            "orr r10, r10, r12, lsl #4\n\t"
            "strd r9, r10, [%[o]], #8\n\t"
            "cmp %[o], %[end]\n\t"
            "bne 1b\n\t"
            : [v] "+&r"(v), [ws] "+&r"(ws), [o] "+&r"(o), [y] "+&r"(y)
            : [end] "r"(ola + 480), [c28] "r"(1 << 28)
            : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "cc", "memory");
    }
#else
    /* Last (radix-2, rhu(., 1)) stage fused with the synthesis window and the overlap-add. Butterfly
     * j gives v[2j], v[2j+1] (= re, -im) and v[2j+512], v[2j+513]; with
     *   out[i] = sat16(rhu(ola[i] + rhu(v[i] ws[i], 28), 4)) = sat16(hi32((ola[i] + 8) 2^28 + 2^27 + v[i] ws[i]))
     *   ola'[i] = rhu(v[480+i] ws[480+i], 28),
     * j < 240 produces out[2j..2j+1] (reads the old ola[2j..]), j < 224 also ola'[2j+32..] and
     * j >= 240 ola'[2j-480..] (v >= 960 is dropped). Running j downward, every old ola word is
     * read before it is overwritten; ola'[0..31] wait in work[480..511] until the end. */
    {
        const int32_t *w2 = fft_twiddles_q31 + 504;
        const int32_t *ws = synthesis_window_q30;
#define ARRAYC_NS_OLA_NEW(v, wsv) ((int32_t)(((int64_t)(v) * (wsv) + (1 << 27)) >> 28))
#define ARRAYC_NS_OUT(o, v, wsv) \
    ((int16_t)ARRAYC_NS_SPECTRAL_SAT((int32_t)(((int64_t)((o) + 8) * 268435456 + (1 << 27) + (int64_t)(v) * (wsv)) >> 32), 16))
        int j;
        for (j = 255; j >= 240; j--) {
            int32_t *p = work + 2 * j;
            ARRAYC_NS_R2_HALVES(p, w2 + 2 * j, hr, hi);
            const int32_t v0 = (p[0] + 1 + 2 * hr) >> 1, v1 = -((p[1] + 1 + 2 * hi) >> 1);
            p[0] = ARRAYC_NS_OLA_NEW(v0, ws[2 * j]);
            p[1] = ARRAYC_NS_OLA_NEW(v1, ws[2 * j + 1]);
        }
        for (; j >= 224; j--) {
            const int32_t *p = work + 2 * j;
            ARRAYC_NS_R2_HALVES(p, w2 + 2 * j, hr, hi);
            const int32_t v0 = (p[0] + 1 + 2 * hr) >> 1, v1 = -((p[1] + 1 + 2 * hi) >> 1);
            out[2 * j] = ARRAYC_NS_OUT(ola[2 * j], v0, ws[2 * j]);
            out[2 * j + 1] = ARRAYC_NS_OUT(ola[2 * j + 1], v1, ws[2 * j + 1]);
        }
        for (; j >= 0; j--) {
            const int32_t *p = work + 2 * j;
            ARRAYC_NS_R2_HALVES(p, w2 + 2 * j, hr, hi);
            const int32_t a0r = p[0] + 1, a0i = p[1] + 1;
            const int32_t v0 = (a0r + 2 * hr) >> 1, v1 = -((a0i + 2 * hi) >> 1);
            const int32_t u0 = (a0r - 2 * hr) >> 1, u1 = -((a0i - 2 * hi) >> 1);
            out[2 * j] = ARRAYC_NS_OUT(ola[2 * j], v0, ws[2 * j]);
            out[2 * j + 1] = ARRAYC_NS_OUT(ola[2 * j + 1], v1, ws[2 * j + 1]);
            ola[2 * j + 32] = ARRAYC_NS_OLA_NEW(u0, ws[2 * j + 512]);
            ola[2 * j + 33] = ARRAYC_NS_OLA_NEW(u1, ws[2 * j + 513]);
        }
        memcpy(ola, work + 480, 32 * sizeof(int32_t));
#undef ARRAYC_NS_OLA_NEW
#undef ARRAYC_NS_OUT
    }
#endif
}

/* Band sums over bin segments [e_b, e_{b+1}) (the last one to 512): the lower band b gets weight
 * wLo, the upper band b+1 32768 - wLo, so its sum is 32768*sum(p) - sum(wLo p), carried to the
 * next band; the comb-weighted sums likewise with wc = rhu(wLo C, 15) for the lower band and
 * C - wc for the upper (num[b] = sum_seg(b) wc p + sum_seg(b-1) (C - wc) p).
 * p = rhu(|X|^2, 3) is computed once per bin into a chunk buffer (pass 1: sum p, sum wLo p),
 * then read back for the comb sums (pass 2). Sums are mod 2^64 (the true values fit int64). On the
 * DSP cores p is kept as hs 2^32 + ls with ls its low word read as signed (hs = high word +
 * ls < 0): a 16-bit weight times p is then one SMLAL (UMLAL for the unsigned wLo on the plain low
 * word) plus one MLA of the high part straight into the sum's high word. */
#define ARRAYC_NS_BAND_CHUNK 96
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) void arrayc_ns_spectral_band_sums(const int32_t *X, const int16_t *comb_q15,
    int64_t *den, int64_t *num, const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    uint64_t den_carry = 0, num_carry = 0;
    const int32_t *x = X;
    const uint16_t *wl = bin_weight_lo_q15;
    const int16_t *c = comb_q15;
#if ARRAYC_NS_SPECTRAL_ASM
    int32_t pbuf[2 * ARRAYC_NS_BAND_CHUNK];
#else
    uint64_t pbuf[ARRAYC_NS_BAND_CHUNK];
#endif
    for (int b = 0; b < 34; b++) {
        int n_left = (b < 33 ? band_edges_bins[b + 1] : 513) - (int)(wl - bin_weight_lo_q15);
        uint64_t sum_p, sum_wp, sum_cp, sum_wcp;
#if ARRAYC_NS_SPECTRAL_ASM
        /* acc: sum p, sum wLo p, sum C p, sum wc p (lo, hi words), kept in memory between the
         * passes and chunks so that the compiler holds nothing across them */
        uint32_t acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        while (n_left > 0) {
            const int n = n_left < ARRAYC_NS_BAND_CHUNK ? n_left : ARRAYC_NS_BAND_CHUNK;
            const uint16_t *wl2 = wl;
            int32_t *pb = pbuf;
            __asm__ volatile(
                "ldrd r10, r11, [%[acc]]\n\t"
                "ldrd r12, lr, [%[acc], #8]\n\t"
                "1:\n\t"
                "ldrd r4, r5, [%[x]], #8\n\t"
                "ldrh r6, [%[wl]], #2\n\t"
                "mov r8, #4\n\t"
                "mov r9, #0\n\t"
                "smlal r8, r9, r4, r4\n\t"
                "smlal r8, r9, r5, r5\n\t"
                "lsr r8, r8, #3\n\t"
                "orr r8, r8, r9, lsl #29\n\t"   /* p low word */
                "lsr r9, r9, #3\n\t"            /* p high word */
                "adds r10, r10, r8\n\t"
                "adc r11, r11, r9\n\t"
                "umlal r12, lr, r6, r8\n\t"
                "mla lr, r6, r9, lr\n\t"
                "add r9, r9, r8, lsr #31\n\t"   /* hs */
                "strd r8, r9, [%[pb]], #8\n\t"
                "cmp %[pb], %[end]\n\t"
                "bne 1b\n\t"
                "strd r10, r11, [%[acc]]\n\t"
                "strd r12, lr, [%[acc], #8]\n\t"
                : [x] "+&r"(x), [wl] "+&r"(wl), [pb] "+&r"(pb)
                : [end] "r"(pbuf + 2 * n), [acc] "r"(acc)
                : "r4", "r5", "r6", "r8", "r9", "r10", "r11", "r12", "lr", "cc", "memory");
            pb = pbuf;
            __asm__ volatile(
                "ldrd r10, r11, [%[acc], #16]\n\t"
                "ldrd r12, lr, [%[acc], #24]\n\t"
                "1:\n\t"
                "ldrd r4, r5, [%[pb]], #8\n\t"  /* ls, hs */
                "ldrsh r6, [%[c]], #2\n\t"      /* C */
                "ldrh r8, [%[wl]], #2\n\t"
                "mla r8, r8, r6, %[k14]\n\t"
                "asr r8, r8, #15\n\t"           /* wc */
                "smlal r10, r11, r6, r4\n\t"
                "mla r11, r6, r5, r11\n\t"
                "smlal r12, lr, r8, r4\n\t"
                "mla lr, r8, r5, lr\n\t"
                "cmp %[pb], %[end]\n\t"
                "bne 1b\n\t"
                "strd r10, r11, [%[acc], #16]\n\t"
                "strd r12, lr, [%[acc], #24]\n\t"
                : [pb] "+&r"(pb), [c] "+&r"(c), [wl] "+&r"(wl2)
                : [end] "r"(pbuf + 2 * n), [k14] "r"(16384), [acc] "r"(acc)
                : "r4", "r5", "r6", "r8", "r10", "r11", "r12", "lr", "cc", "memory");
            n_left -= n;
        }
        sum_p = ((uint64_t)acc[1] << 32) | acc[0];
        sum_wp = ((uint64_t)acc[3] << 32) | acc[2];
        sum_cp = ((uint64_t)acc[5] << 32) | acc[4];
        sum_wcp = ((uint64_t)acc[7] << 32) | acc[6];
#else
        sum_p = sum_wp = sum_cp = sum_wcp = 0;
        while (n_left > 0) {
            const int n = n_left < ARRAYC_NS_BAND_CHUNK ? n_left : ARRAYC_NS_BAND_CHUNK;
            for (int i = 0; i < n; i++, x += 2) {
                const uint64_t p = (uint64_t)(((int64_t)x[0] * x[0] + (int64_t)x[1] * x[1] + 4) >> 3);
                pbuf[i] = p;
                sum_p += p;
                sum_wp += (uint64_t)wl[i] * p;
            }
            for (int i = 0; i < n; i++) {
                const int32_t ci = c[i], wc = ((int32_t)wl[i] * ci + 16384) >> 15;
                sum_cp += (uint64_t)(int64_t)ci * pbuf[i];
                sum_wcp += (uint64_t)(int64_t)wc * pbuf[i];
            }
            wl += n;
            c += n;
            n_left -= n;
        }
#endif
        den[b] = (int64_t)(den_carry + sum_wp);
        den_carry = (sum_p << 15) - sum_wp;
        num[b] = (int64_t)(num_carry + sum_wcp);
        num_carry = sum_cp - sum_wcp;
    }
}

/* den-only variant (energies). */
static inline ARRAYC_NS_SPECTRAL_FN __attribute__((always_inline)) void arrayc_ns_spectral_band_den(const int32_t *X, int64_t *den,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    uint64_t carry = 0;
    int k = 0;
    for (int b = 0; b < 34; b++) {
        const int k_end = b < 33 ? band_edges_bins[b + 1] : 513;
        uint64_t sum_p = 0, sum_wp = 0;
        uint32_t sum_wp_hi = 0;
        for (; k < k_end; k++) {
            const uint64_t p = (uint64_t)(((int64_t)X[2 * k] * X[2 * k] + (int64_t)X[2 * k + 1] * X[2 * k + 1] + 4) >> 3);
            const uint32_t wl = bin_weight_lo_q15[k];
            sum_p += p;
            sum_wp += (uint64_t)wl * (uint32_t)p;
            sum_wp_hi += wl * (uint32_t)(p >> 32);
        }
        sum_wp += (uint64_t)sum_wp_hi << 32;
        den[b] = (int64_t)(carry + sum_wp);
        carry = (sum_p << 15) - sum_wp;
    }
}

/* energy[b] = sum_k w_b(k) rhu(|X_k|^2, 3): 34 int64, band energy in 2^-12 |X|^2 units. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_band_energies(const int32_t *X, int64_t *energy,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    arrayc_ns_spectral_band_den(X, energy, band_edges_bins, bin_weight_lo_q15);
}

/* 256 * log2(e / 2^12) by leading bit and 257-entry mantissa table; 0 for e < 2^12. The top ten
 * bits e >> (n - 9) come from the high word of e shifted to put its leading bit at bit 63. */
static inline int16_t arrayc_ns_spectral_log2_q8(const int64_t e, const uint16_t *log2_mantissa_q8)
{
    if (e < 4096) return 0;
    const uint32_t hi = (uint32_t)((uint64_t)e >> 32), lo = (uint32_t)e;
    int n;
    uint32_t top;
    if (hi) { /* e < 2^63, so z >= 1 */
        const int z = __builtin_clz(hi);
        n = 63 - z;
        top = ((hi << z) | (lo >> (32 - z))) >> 22;
    } else {
        const int z = __builtin_clz(lo);
        n = 31 - z;
        top = (lo << z) >> 22;
    }
    return (int16_t)((n - 12) * 256 + log2_mantissa_q8[(top - 511) >> 1]);
}

/* floor(x / 2^r) of an int64 as int32, 0 < r < 32, when the result fits. */
static inline int32_t arrayc_ns_spectral_shr64(const int64_t x, const int r)
{
    return (int32_t)(((uint32_t)x >> r) | ((uint32_t)((uint64_t)x >> 32) << (32 - r)));
}

/* round-half-up(num * 2^15 / den) after scaling both so den < 2^46, clamped to int16; 0 if den = 0:
 * q = floor(a / dd) with a = num 2^16 + den, dd = 2 den. |num| <= den (|wc| <= wLo and
 * |C - wc| <= 32768 - wLo per bin), so |num >> s| <= d + 1 and |q| <= 2^16 + 1. A 32-bit division
 * estimates q: d and num scaled together so d lands in [2^29, 2^30) (num then fits int32), divided
 * by d >> 15 (a 2^-14 relative error: within ~6 units of q); a 64-bit remainder fixes it (no 64-bit
 * division). */
static inline int16_t arrayc_ns_spectral_ratio_q15(int64_t num, int64_t den)
{
    if (den <= 0) return 0; /* den >= 0 always (a sum of non-negative terms) */
    const uint32_t dh = (uint32_t)((uint64_t)den >> 32);
    if (dh >= (1u << 14)) { /* bitlen(den) > 46: s = bitlen - 46 */
        const int s = 18 - __builtin_clz(dh);
        den >>= s;
        num >>= s;
    }
    const uint32_t h = (uint32_t)((uint64_t)den >> 32), l = (uint32_t)den;
    const int z = h ? 63 - __builtin_clz(h) : 31 - __builtin_clz(l); /* bitlen(den) - 1, 0..45 */
    int32_t dn, nn;
    if (z <= 29) {
        dn = (int32_t)(l << (29 - z));
        nn = (int32_t)((uint32_t)num << (29 - z));
    } else {
        dn = arrayc_ns_spectral_shr64(den, z - 29);
        nn = arrayc_ns_spectral_shr64(num, z - 29);
    }
    int32_t q = nn / (dn >> 15);
    const int64_t dd = 2 * den;
    int64_t rem = num * 65536 + den - (int64_t)q * dd;
    /* a few steps at most for sums that fit int64; bounded so that nothing else can hang */
    for (int i = 0; rem < 0 && i < 16; i++) {
        q--;
        rem += dd;
    }
    for (int i = 0; rem >= dd && i < 16; i++) {
        q++;
        rem -= dd;
    }
    return (int16_t)ARRAYC_NS_SPECTRAL_SAT(q, 16);
}

/* log2 of each band energy in |X|^2 units, Q8.8 (34 int16), floor 0. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_band_log_energy_q8(const int32_t *X, int16_t *log_energy_q8,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15, const uint16_t *log2_mantissa_q8)
{
    int64_t e[34];
    arrayc_ns_spectral_band_den(X, e, band_edges_bins, bin_weight_lo_q15);
    for (int b = 0; b < 34; b++) log_energy_q8[b] = arrayc_ns_spectral_log2_q8(e[b], log2_mantissa_q8);
}

/* rho_b = sum w C |X|^2 / sum w |X|^2 per band, Q15 (34 int16), 0 for a silent band. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_band_comb_correlation_q15(const int32_t *X, const int16_t *comb_q15,
    int16_t *rho_q15, const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    int64_t den[34], num[34];
    arrayc_ns_spectral_band_sums(X, comb_q15, den, num, band_edges_bins, bin_weight_lo_q15);
    for (int b = 0; b < 34; b++) rho_q15[b] = arrayc_ns_spectral_ratio_q15(num[b], den[b]);
}

/* All three band features in one pass: energy (34 int64), log energy Q8 and comb correlation Q15. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_band_features(const int32_t *X, const int16_t *comb_q15,
    int64_t *energy, int16_t *log_energy_q8, int16_t *rho_q15, const uint16_t *band_edges_bins,
    const uint16_t *bin_weight_lo_q15, const uint16_t *log2_mantissa_q8)
{
    int64_t num[34];
    arrayc_ns_spectral_band_sums(X, comb_q15, energy, num, band_edges_bins, bin_weight_lo_q15);
    for (int b = 0; b < 34; b++) {
        log_energy_q8[b] = arrayc_ns_spectral_log2_q8(energy[b], log2_mantissa_q8);
        rho_q15[b] = arrayc_ns_spectral_ratio_q15(num[b], energy[b]);
    }
}

/* 34 band values (Q15) -> 513 bins: g(k) = gHi + rhu(wLo (g[b] - gHi), 15) with gHi = g[b+1]
 * (g[33] above the last edge), i.e. rhu(wLo g[b] + (32768 - wLo) gHi, 15), computed as
 * (wLo (g[b] - gHi) + gHi 2^15 + 2^14) >> 15 (the same integer: gHi 2^15 is a multiple of 2^15). */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_interpolate_band_gains_q15(const int16_t *band_q15, int16_t *bin_q15,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    const uint16_t *wl = bin_weight_lo_q15;
    int16_t *y = bin_q15;
    for (int b = 0; b < 34; b++) {
        const int n = (b < 33 ? band_edges_bins[b + 1] : 513) - (int)(wl - bin_weight_lo_q15);
        if (n <= 0) continue;
        const int32_t g_hi = band_q15[b < 33 ? b + 1 : b], diff = band_q15[b] - g_hi, base = g_hi * 32768 + 16384;
#if ARRAYC_NS_SPECTRAL_ASM
        __asm__ volatile(
            "1:\n\t"
            "ldrh r4, [%[wl]], #2\n\t"
            "mla r4, r4, %[d], %[b]\n\t"
            "asr r4, r4, #15\n\t"
            "strh r4, [%[y]], #2\n\t"
            "cmp %[y], %[end]\n\t"
            "bne 1b\n\t"
            : [wl] "+&r"(wl), [y] "+&r"(y)
            : [d] "r"(diff), [b] "r"(base), [end] "r"(y + n)
            : "r4", "cc", "memory");
#else
        for (int i = 0; i < n; i++) *y++ = (int16_t)((*wl++ * diff + base) >> 15);
#endif
    }
}

/* Zero-phase 5-tap Hann comb at period_samples (48 kHz samples): C[k], 513 Q15; 0 = unvoiced. */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_comb_response_q15(const int32_t period_samples, int16_t *comb_q15,
    const int16_t *comb_taps_q15, const int16_t *cos1024_q15)
{
    int k;
    if (period_samples == 0) {
        /* 513 x 32767: word stores (two halfwords each) from the first word boundary */
        int16_t *p = comb_q15;
        const uint32_t pair = 0x7fff7fffu;
        k = 513;
        if ((uintptr_t)p & 2u) {
            *p++ = 32767;
            k--;
        }
        for (; k >= 8; k -= 8, p += 8) {
            memcpy(p, &pair, 4);
            memcpy(p + 2, &pair, 4);
            memcpy(p + 4, &pair, 4);
            memcpy(p + 6, &pair, 4);
        }
        for (; k > 0; k--) *p++ = 32767;
        return;
    }
    const int32_t base = comb_taps_q15[0] * 32768 + 16384;
    const int32_t h1 = 2 * comb_taps_q15[1], h2 = 2 * comb_taps_q15[2];
    const uint32_t step = (uint32_t)period_samples;
    /* phase k T: cos index (k T) mod 1024, and (2 k T) mod 1024 = 2 ((k T) mod 512) */
#if ARRAYC_NS_SPECTRAL_ASM
    int16_t *y = comb_q15;
    uint32_t ph = 0;
    __asm__ volatile(
        "1:\n\t"
        "ubfx r4, %[ph], #0, #10\n\t"
        "ldrsh r4, [%[cs], r4, lsl #1]\n\t"
        "ubfx r5, %[ph], #0, #9\n\t"
        "ldrsh r5, [%[cs], r5, lsl #2]\n\t"
        "add %[ph], %[ph], %[step]\n\t"
        "mla r4, r4, %[h1], %[base]\n\t"
        "mla r4, r5, %[h2], r4\n\t"
        "ssat r4, #16, r4, asr #15\n\t"
        "strh r4, [%[y]], #2\n\t"
        "cmp %[y], %[end]\n\t"
        "bne 1b\n\t"
        : [y] "+&r"(y), [ph] "+&r"(ph)
        : [cs] "r"(cos1024_q15), [step] "r"(step), [h1] "r"(h1), [h2] "r"(h2), [base] "r"(base), [end] "r"(comb_q15 + 513)
        : "r4", "r5", "cc", "memory");
    (void)k;
#else
    uint32_t ph = 0;
    for (k = 0; k < 513; k++, ph += step) {
        const int32_t v = (base + h1 * cos1024_q15[ph & 1023u] + h2 * cos1024_q15[2 * (ph & 511u)]) >> 15;
        comb_q15[k] = (int16_t)ARRAYC_NS_SPECTRAL_SAT(v, 16);
    }
#endif
}

/* Y = sat32(rhu(X * g[bin], 15)) for all 1026 components (only X = -2^31, g = -32768 saturates).
 * On the DSP cores: SMMLAR with g << 17 and delta = rhu(g, 15), as in arrayc_ns_apply_band_gains;
 * g = -32768 (g << 17 = 0, delta = -1) is the saturating -X (QSUB). */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_apply_bin_gains_q15(const int32_t *X, const int16_t *gain_q15, int32_t *Y)
{
#if ARRAYC_NS_SPECTRAL_ASM
    const int16_t *g = gain_q15;
    __asm__ volatile(
        "1:\n\t"
        "ldrsh r4, [%[g]], #2\n\t"
        "ldrd r5, r6, [%[x]], #8\n\t"
        "cmn r4, #32768\n\t"
        "beq 2f\n\t"
        "lsl r8, r4, #17\n\t"
        "add r4, r4, #16384\n\t"
        "asr r4, r4, #15\n\t"
        "mul r9, r4, r5\n\t"
        "mul r4, r4, r6\n\t"
        "smmlar r5, r5, r8, r9\n\t"
        "smmlar r6, r6, r8, r4\n\t"
        "strd r5, r6, [%[y]], #8\n\t"
        "cmp %[y], %[end]\n\t"
        "bne 1b\n\t"
        "b 3f\n\t"
        "2:\n\t"
        "mov r9, #0\n\t"
        "qsub r5, r9, r5\n\t"
        "qsub r6, r9, r6\n\t"
        "strd r5, r6, [%[y]], #8\n\t"
        "cmp %[y], %[end]\n\t"
        "bne 1b\n\t"
        "3:\n\t"
        : [x] "+&r"(X), [y] "+&r"(Y), [g] "+&r"(g)
        : [end] "r"(Y + 1026)
        : "r4", "r5", "r6", "r8", "r9", "cc", "memory");
#else
    for (int k = 0; k < 513; k++, X += 2, Y += 2) {
        const int32_t g = gain_q15[k], xr = X[0], xi = X[1];
        if (g == -32768) { /* rhu(-32768 x, 15) = -x: saturate the one overflow, x = -2^31 */
            Y[0] = xr == -2147483647 - 1 ? 2147483647 : -xr;
            Y[1] = xi == -2147483647 - 1 ? 2147483647 : -xi;
        } else { /* |result| < 2^31 */
            Y[0] = (int32_t)(((int64_t)xr * g + 16384) >> 15);
            Y[1] = (int32_t)(((int64_t)xi * g + 16384) >> 15);
        }
    }
#endif
}

/* The per-bin gain path in one pass over the bins, no intermediate arrays: the band gains g and
 * comb strengths r interpolated to bin k (as arrayc_ns_interpolate_band_gains_q15), the gain
 *   mix = clamp(32768 - r + rhu(r C[k], 15), 0, 32767),  G = rhu(g mix, 15)   (|G| <= 32767)
 * (src/fixed/ns/suppressor.ts binGainsQ15) and Y = rhu(X G, 15) per component
 * (arrayc_ns_apply_bin_gains_q15; no saturation since |G| < 32768). Y may be X (in place, the
 * pipeline's use; otherwise the DSP-core path first copies X to Y).
 * g(k) = (wLo (g[b] - gHi) + gHi 2^15 + 2^14) >> 15, the interpolation with the rounding folded into
 * the per-band constant. On the DSP cores rhu(X G, 15) is one SMMLAR: G << 17 wraps modulo 2^32 by
 * delta = rhu(G, 15) in {-1, 0, 1} times 2^32, so rhu(X (G << 17), 32) + delta X = rhu(X G, 15). */
static ARRAYC_NOINLINE ARRAYC_NS_SPECTRAL_FN __attribute__((unused)) void arrayc_ns_apply_band_gains(const int32_t *X, const int16_t *gain_bands_q15,
    const int16_t *strength_bands_q15, const int16_t *comb_q15, int32_t *Y, const uint16_t *band_edges_bins,
    const uint16_t *bin_weight_lo_q15)
{
    const uint16_t *wl = bin_weight_lo_q15;
    const int16_t *c = comb_q15;
#if ARRAYC_NS_SPECTRAL_ASM
    /* the loop works in place (one data pointer: registers are short) */
    if (Y != X) memmove(Y, X, 1026 * sizeof(int32_t));
    int32_t *x = Y;
#else
    const int32_t *x = X;
    int32_t *y = Y;
#endif
    for (int b = 0; b < 34; b++) {
        const int n = (b < 33 ? band_edges_bins[b + 1] : 513) - (int)(wl - bin_weight_lo_q15);
        if (n <= 0) continue;
        const int32_t g_hi = gain_bands_q15[b < 33 ? b + 1 : b], g_diff = gain_bands_q15[b] - g_hi;
        const int32_t r_hi = strength_bands_q15[b < 33 ? b + 1 : b], r_diff = strength_bands_q15[b] - r_hi;
        const int32_t g_base = g_hi * 32768 + 16384, r_base = r_hi * 32768 + 16384;
#if ARRAYC_NS_SPECTRAL_ASM
        const int32_t *x_end = x + 2 * n;
        __asm__ volatile(
            "1:\n\t"
            "ldrh r4, [%[wl]], #2\n\t"
            "mla r5, r4, %[gd], %[gb]\n\t"
            "asr r5, r5, #15\n\t"              /* g */
            "mla r6, r4, %[rd], %[rb]\n\t"
            "asr r6, r6, #15\n\t"              /* r */
            "ldrsh r4, [%[c]], #2\n\t"
            "mla r4, r6, r4, %[k14]\n\t"       /* r C + 2^14 */
            "rsb r6, r6, #32768\n\t"
            "add r6, r6, r4, asr #15\n\t"
            "usat r6, #15, r6\n\t"             /* mix */
            "mla r4, r5, r6, %[k14]\n\t"       /* g mix + 2^14 */
            "asr r5, r4, #15\n\t"
            "lsl r5, r5, #17\n\t"              /* G << 17 (mod 2^32) */
            "add r4, r4, #0x20000000\n\t"
            "asr r4, r4, #30\n\t"              /* delta = rhu(G, 15) */
            "ldrd r6, r8, [%[x]], #8\n\t"
            "mul r9, r4, r6\n\t"
            "mul r4, r4, r8\n\t"
            "smmlar r6, r6, r5, r9\n\t"
            "smmlar r8, r8, r5, r4\n\t"
            "strd r6, r8, [%[x], #-8]\n\t"
            "ldr r4, %[end]\n\t"
            "cmp %[x], r4\n\t"
            "bne 1b\n\t"
            : [wl] "+&r"(wl), [c] "+&r"(c), [x] "+&r"(x)
            : [gd] "r"(g_diff), [gb] "r"(g_base), [rd] "r"(r_diff), [rb] "r"(r_base), [k14] "r"(16384), [end] "m"(x_end)
            : "r4", "r5", "r6", "r8", "r9", "cc", "memory");
#else
        for (int i = 0; i < n; i++, x += 2, y += 2) {
            const int32_t w = *wl++;
            const int32_t g = (w * g_diff + g_base) >> 15, r = (w * r_diff + r_base) >> 15;
            int32_t mix = 32768 - r + ((r * *c++ + 16384) >> 15);
            mix = mix < 0 ? 0 : mix > 32767 ? 32767 : mix;
            const int32_t G = (g * mix + 16384) >> 15;
            const int32_t xr = x[0], xi = x[1];
            y[0] = (int32_t)(((int64_t)xr * G + 16384) >> 15);
            y[1] = (int32_t)(((int64_t)xi * G + 16384) >> 15);
        }
#endif
    }
}
