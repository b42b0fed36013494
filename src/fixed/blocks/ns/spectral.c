/* Noise suppressor spectral front/back end: analysis window + 1024-point real FFT, inverse FFT +
 * synthesis window + overlap-add, ERB band energies / log energies / comb correlations,
 * band-to-bin interpolation, pitch comb response, per-bin gains. Bit-exact with
 * src/fixed/ns/spectral.ts, which defines every rounding point; the tables come from
 * spectralTables() there (C types in SPECTRAL_TABLE_CTYPES). rhu(v, s) = (v + 2^(s-1)) >> s.
 * Written for the instruction count on Cortex-M4 (SMULL/SMLAL, LDRD/STRD, shifted operands);
 * where a DSP instruction does the work (SMMLAR, SSAT/USAT, halfword multiplies) it sits behind
 * __ARM_FEATURE_DSP / __ARM_FEATURE_SAT with a portable C twin computing the same integers. */

/* Signed saturation of an int32 to `bits` bits: one SSAT where the core has it. */
#if defined(__ARM_FEATURE_SAT)
#define ARRAYC_NS_SPECTRAL_SAT(v, bits) __builtin_arm_ssat((v), (bits))
#define ARRAYC_NS_SPECTRAL_USAT(v, bits) ((int32_t)__builtin_arm_usat((v), (bits)))
#else
#define ARRAYC_NS_SPECTRAL_SAT(v, bits) arrayc_ns_spectral_sat((v), (bits))
#define ARRAYC_NS_SPECTRAL_USAT(v, bits) arrayc_ns_spectral_usat((v), (bits))
#endif
static inline __attribute__((unused)) int32_t arrayc_ns_spectral_sat(const int32_t v, const int bits)
{
    const int32_t hi = (int32_t)((1u << (bits - 1)) - 1u), lo = -hi - 1;
    return v < lo ? lo : v > hi ? hi : v;
}
static inline __attribute__((unused)) int32_t arrayc_ns_spectral_usat(const int32_t v, const int bits)
{
    const int32_t hi = (int32_t)((1u << bits) - 1u);
    return v < 0 ? 0 : v > hi ? hi : v;
}

/* smmlar(a, b, acc) = acc + rhu(a*b, 32), the 64-bit sum taken mod 2^32 (SMMLAR). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline __attribute__((always_inline, unused)) int32_t arrayc_ns_spectral_smmlar(const int32_t a, const int32_t b, const int32_t acc)
{
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}
#endif

/* Two adjacent int16 (p[0] low, p[1] high) as one word: one LDR on the DSP cores (little-endian
 * M-profile; memcpy keeps it legal at any alignment). ..._LO/_HI take the halves back. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
static inline __attribute__((always_inline, unused)) int32_t arrayc_ns_spectral_ld2(const int16_t *p)
{
    int32_t v;
    memcpy(&v, p, 4);
    return v;
}
typedef int32_t arrayc_ns_spectral_pair;
#define ARRAYC_NS_PAIR_LD(p) arrayc_ns_spectral_ld2(p)
#define ARRAYC_NS_PAIR_LO(v) ((int32_t)(int16_t)(v))
#define ARRAYC_NS_PAIR_HI(v) ((v) >> 16)
#else
typedef const int16_t *arrayc_ns_spectral_pair;
#define ARRAYC_NS_PAIR_LD(p) (p)
#define ARRAYC_NS_PAIR_LO(v) ((int32_t)(v)[0])
#define ARRAYC_NS_PAIR_HI(v) ((int32_t)(v)[1])
#endif

/* rhu(a*c + b*d, 32) (Q31 c, d): half the FFT's twiddle product. One SMULL/SMLAL chain whose high
 * word is rounded by the low word's top bit (the 64-bit sum rounded once, as the reference);
 * callers double it inside their adds (free shifted operand). */
static inline __attribute__((always_inline)) int32_t arrayc_ns_spectral_mulhi(const int32_t a, const int32_t c, const int32_t b, const int32_t d)
{
    const int64_t p = (int64_t)a * c + (int64_t)b * d;
    return (int32_t)(p >> 32) + (int32_t)((uint32_t)p >> 31);
}

/* Radix-4 butterfly (W_4 = -i) on inputs t0..t3; outputs rhu(., sh) at p + q*stride. */
static inline __attribute__((always_inline)) void arrayc_ns_spectral_r4(
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
static inline __attribute__((always_inline)) void arrayc_ns_spectral_r4_tw(int32_t *p, const int stride, const int32_t *w, const int sh)
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

/* One radix-4 stage combining sub-DFTs of length L (blocks of 4L complex values); j = 0 has unit
 * twiddles and is done without products. tw: [c1 s1 c2 s2 c3 s3] per j (W = c - i s, Q31). */
static inline __attribute__((always_inline)) void arrayc_ns_spectral_r4_stage(int32_t *buf, const int L, const int32_t *tw, const int sh)
{
    const int stride = 2 * L;
    for (int32_t *blk = buf; blk < buf + 1024; blk += 4 * stride) {
        arrayc_ns_spectral_r4(blk, stride, blk[0], blk[1], blk[stride], blk[stride + 1],
            blk[2 * stride], blk[2 * stride + 1], blk[3 * stride], blk[3 * stride + 1], sh);
        const int32_t *w = tw + 6;
        for (int32_t *p = blk + 2; p < blk + stride; p += 2, w += 6) arrayc_ns_spectral_r4_tw(p, stride, w, sh);
    }
}

/* Radix-2 butterfly of the last stage at p (p[0..1] and p[512..513]), twiddle w = [c s]. */
#define ARRAYC_NS_R2_HALVES(p, w, hr, hi)                                                     \
    const int32_t hr = arrayc_ns_spectral_mulhi((p)[512], (w)[0], (p)[513], (w)[1]);          \
    const int32_t hi = arrayc_ns_spectral_mulhi((p)[513], (w)[0], (p)[512], -(w)[1])

/* frame: 960 int16 (oldest first) -> X: 1026 int32 (bins 0..512, re/im), unnormalized
 * DFT_1024 of frame * window / 2^15 (|X| < 2^24.26 for any input). */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_forward_spectrum(const int16_t *frame, int32_t *X,
    const int16_t *window_q15, const uint16_t *fft_scatter, const int32_t *fft_twiddles_q31,
    const int32_t *cos_quarter_q31)
{
    /* Windowing fused with the first radix-4 stage: the butterfly at buffer position scatter[r]
     * (r < 128) takes z[r + 128 q], q = 0..3, i.e. frame samples 2r + 256 q and 2r + 256 q + 1;
     * z[n] = 0 for n >= 480 (q = 3, r >= 96). */
    const int16_t *x = frame, *w = window_q15;
    int r;
#define ARRAYC_NS_WIN_LO(xv, wv) ((ARRAYC_NS_PAIR_LO(xv) * ARRAYC_NS_PAIR_LO(wv) + 1024) >> 11)
#define ARRAYC_NS_WIN_HI(xv, wv) ((ARRAYC_NS_PAIR_HI(xv) * ARRAYC_NS_PAIR_HI(wv) + 1024) >> 11)
    for (r = 0; r < 96; r++, x += 2, w += 2) {
        const arrayc_ns_spectral_pair x0 = ARRAYC_NS_PAIR_LD(x), w0 = ARRAYC_NS_PAIR_LD(w);
        const arrayc_ns_spectral_pair x1 = ARRAYC_NS_PAIR_LD(x + 256), w1 = ARRAYC_NS_PAIR_LD(w + 256);
        const arrayc_ns_spectral_pair x2 = ARRAYC_NS_PAIR_LD(x + 512), w2 = ARRAYC_NS_PAIR_LD(w + 512);
        const arrayc_ns_spectral_pair x3 = ARRAYC_NS_PAIR_LD(x + 768), w3 = ARRAYC_NS_PAIR_LD(w + 768);
        arrayc_ns_spectral_r4(X + 2 * fft_scatter[r], 2, ARRAYC_NS_WIN_LO(x0, w0), ARRAYC_NS_WIN_HI(x0, w0),
            ARRAYC_NS_WIN_LO(x1, w1), ARRAYC_NS_WIN_HI(x1, w1), ARRAYC_NS_WIN_LO(x2, w2), ARRAYC_NS_WIN_HI(x2, w2),
            ARRAYC_NS_WIN_LO(x3, w3), ARRAYC_NS_WIN_HI(x3, w3), 0);
    }
    for (; r < 128; r++, x += 2, w += 2) {
        const arrayc_ns_spectral_pair x0 = ARRAYC_NS_PAIR_LD(x), w0 = ARRAYC_NS_PAIR_LD(w);
        const arrayc_ns_spectral_pair x1 = ARRAYC_NS_PAIR_LD(x + 256), w1 = ARRAYC_NS_PAIR_LD(w + 256);
        const arrayc_ns_spectral_pair x2 = ARRAYC_NS_PAIR_LD(x + 512), w2 = ARRAYC_NS_PAIR_LD(w + 512);
        arrayc_ns_spectral_r4(X + 2 * fft_scatter[r], 2, ARRAYC_NS_WIN_LO(x0, w0), ARRAYC_NS_WIN_HI(x0, w0),
            ARRAYC_NS_WIN_LO(x1, w1), ARRAYC_NS_WIN_HI(x1, w1), ARRAYC_NS_WIN_LO(x2, w2), ARRAYC_NS_WIN_HI(x2, w2),
            0, 0, 0);
    }
#undef ARRAYC_NS_WIN_LO
#undef ARRAYC_NS_WIN_HI
    arrayc_ns_spectral_r4_stage(X, 4, fft_twiddles_q31, 0);
    arrayc_ns_spectral_r4_stage(X, 16, fft_twiddles_q31 + 24, 0);
    arrayc_ns_spectral_r4_stage(X, 64, fft_twiddles_q31 + 120, 0);
    {
        const int32_t *w2 = fft_twiddles_q31 + 504;
        for (int32_t *p = X; p < X + 512; p += 2, w2 += 2) {
            ARRAYC_NS_R2_HALVES(p, w2, hr, hi);
            const int32_t a0r = p[0], a0i = p[1];
            p[0] = a0r + 2 * hr;
            p[1] = a0i + 2 * hi;
            p[512] = a0r - 2 * hr;
            p[513] = a0i - 2 * hi;
        }
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
}

/* Y: 1026 int32 (im of bins 0 and 512 ignored; components clamped to [-2^25, 2^25-1]) -> 480
 * output samples: inverse FFT (x4 guard), synthesis window, overlap-add with ola (480, Q4,
 * updated). work: 1024 int32 of scratch. */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_synthesize_hop(const int32_t *Y, int32_t *ola, int16_t *out,
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
#undef ARRAYC_NS_CLAMP25
    for (int32_t *p = work; p < work + 1024; p += 8)
        arrayc_ns_spectral_r4(p, 2, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], 2);
    arrayc_ns_spectral_r4_stage(work, 4, fft_twiddles_q31, 2);
    arrayc_ns_spectral_r4_stage(work, 16, fft_twiddles_q31 + 24, 2);
    arrayc_ns_spectral_r4_stage(work, 64, fft_twiddles_q31 + 120, 2);
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
}

/* Band sums over bin segments [e_b, e_{b+1}) (the last one to 512): the lower band b gets weight
 * wLo, the upper band b+1 32768 - wLo, so its sum is 32768*sum(p) - sum(wLo p), carried to the
 * next band; the comb-weighted sums likewise with wc = rhu(wLo C, 15) and C - wc.
 * p = rhu(|X|^2, 3) is computed once per bin into a chunk buffer. Sums are mod 2^64 (the true
 * values fit int64): a 64-bit p times a 16-bit unsigned weight is one UMLAL on p's low word plus
 * one MLA of p's high word into a 32-bit sum added to the high word at the end of the segment.
 * The signed weights C and wc go in as C + 32768 and wc + 32768 (unsigned), and 32768 sum(p) is
 * taken back out. */
#define ARRAYC_NS_BAND_CHUNK 64
static inline __attribute__((always_inline)) void arrayc_ns_spectral_band_sums(const int32_t *X, const int16_t *comb_q15,
    int64_t *den, int64_t *num, const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    uint32_t pbuf[2 * ARRAYC_NS_BAND_CHUNK];
    uint64_t den_carry = 0, num_carry = 0;
    int k = 0;
    for (int b = 0; b < 34; b++) {
        const int k_end = b < 33 ? band_edges_bins[b + 1] : 513;
        uint64_t sum_p = 0, sum_wp = 0, sum_cp = 0, sum_wcp = 0;
        uint32_t sum_wp_hi = 0, sum_cp_hi = 0, sum_wcp_hi = 0;
        while (k < k_end) {
            const int n = k_end - k < ARRAYC_NS_BAND_CHUNK ? k_end - k : ARRAYC_NS_BAND_CHUNK;
            {
                const int32_t *x = X + 2 * k;
                const uint16_t *wl = bin_weight_lo_q15 + k;
                uint32_t *pb = pbuf;
                for (int i = 0; i < n; i++, x += 2, pb += 2) {
                    const uint64_t p = (uint64_t)(((int64_t)x[0] * x[0] + (int64_t)x[1] * x[1] + 4) >> 3);
                    const uint32_t plo = (uint32_t)p, phi = (uint32_t)(p >> 32), w = wl[i];
                    pb[0] = plo;
                    pb[1] = phi;
                    sum_p += p;
                    sum_wp += (uint64_t)w * plo;
                    sum_wp_hi += w * phi;
                }
            }
            {
                const int16_t *c = comb_q15 + k;
                const uint16_t *wl = bin_weight_lo_q15 + k;
                const uint32_t *pb = pbuf;
                for (int i = 0; i < n; i++, pb += 2) {
                    const int32_t ci = c[i];
                    const uint32_t cu = (uint32_t)(ci + 32768);
                    const uint32_t wcu = (uint32_t)((int32_t)wl[i] * ci + (1 << 30) + (1 << 14)) >> 15;
                    const uint32_t plo = pb[0], phi = pb[1];
                    sum_cp += (uint64_t)cu * plo;
                    sum_cp_hi += cu * phi;
                    sum_wcp += (uint64_t)wcu * plo;
                    sum_wcp_hi += wcu * phi;
                }
            }
            k += n;
        }
        sum_wp += (uint64_t)sum_wp_hi << 32;
        const uint64_t p15 = sum_p << 15;
        sum_cp += ((uint64_t)sum_cp_hi << 32) - p15;
        sum_wcp += ((uint64_t)sum_wcp_hi << 32) - p15;
        den[b] = (int64_t)(den_carry + sum_wp);
        den_carry = p15 - sum_wp;
        num[b] = (int64_t)(num_carry + sum_wcp);
        num_carry = sum_cp - sum_wcp;
    }
}

/* den-only variant (energies). */
static inline __attribute__((always_inline)) void arrayc_ns_spectral_band_den(const int32_t *X, int64_t *den,
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
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_band_energies(const int32_t *X, int64_t *energy,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    arrayc_ns_spectral_band_den(X, energy, band_edges_bins, bin_weight_lo_q15);
}

/* 256 * log2(e / 2^12) by leading bit and 257-entry mantissa table; 0 for e < 2^12. */
static inline int16_t arrayc_ns_spectral_log2_q8(const int64_t e, const uint16_t *log2_mantissa_q8)
{
    if (e < 4096) return 0;
    const int n = 63 - __builtin_clzll((uint64_t)e);
    const int32_t top = (int32_t)(e >> (n - 9)); /* 512..1023 */
    return (int16_t)((n - 12) * 256 + log2_mantissa_q8[(top - 511) >> 1]);
}

/* round-half-up(num * 2^15 / den) after scaling both so den < 2^46, clamped to int16; 0 if den = 0:
 * q = floor(a / dd) with a = num 2^16 + den, dd = 2 den. Out-of-range quotients clamp by
 * comparison; otherwise a 32-bit division of a and dd cut to a 15-bit divisor estimates q within
 * a few units and a 64-bit remainder fixes it (no 64-bit division). */
static inline int16_t arrayc_ns_spectral_ratio_q15(int64_t num, int64_t den)
{
    if (den <= 0) return 0; /* den >= 0 always (a sum of non-negative terms) */
    const int bits = 64 - __builtin_clzll((uint64_t)den);
    const int s = bits > 46 ? bits - 46 : 0;
    den >>= s;
    const int64_t a = (num >> s) * 65536 + den, dd = 2 * den;
    const int64_t lim = dd * 32768; /* dd < 2^47: no overflow */
    if (a >= lim) return 32767;
    if (a < -lim) return -32768;
    /* -2^15 <= a / dd < 2^15 */
    const int dbits = 64 - __builtin_clzll((uint64_t)dd);
    const int t = dbits > 15 ? dbits - 15 : 0;
    const int32_t d32 = (int32_t)(dd >> t), a32 = (int32_t)(a >> t); /* |a32| <= 2^15 d32 + 1 < 2^31 */
    int32_t q = a32 / d32;
    int64_t rem = a - (int64_t)q * dd;
    while (rem < 0) {
        q--;
        rem += dd;
    }
    while (rem >= dd) {
        q++;
        rem -= dd;
    }
    return (int16_t)q;
}

/* log2 of each band energy in |X|^2 units, Q8.8 (34 int16), floor 0. */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_band_log_energy_q8(const int32_t *X, int16_t *log_energy_q8,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15, const uint16_t *log2_mantissa_q8)
{
    int64_t e[34];
    arrayc_ns_spectral_band_den(X, e, band_edges_bins, bin_weight_lo_q15);
    for (int b = 0; b < 34; b++) log_energy_q8[b] = arrayc_ns_spectral_log2_q8(e[b], log2_mantissa_q8);
}

/* rho_b = sum w C |X|^2 / sum w |X|^2 per band, Q15 (34 int16), 0 for a silent band. */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_band_comb_correlation_q15(const int32_t *X, const int16_t *comb_q15,
    int16_t *rho_q15, const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    int64_t den[34], num[34];
    arrayc_ns_spectral_band_sums(X, comb_q15, den, num, band_edges_bins, bin_weight_lo_q15);
    for (int b = 0; b < 34; b++) rho_q15[b] = arrayc_ns_spectral_ratio_q15(num[b], den[b]);
}

/* All three band features in one pass: energy (34 int64), log energy Q8 and comb correlation Q15. */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_band_features(const int32_t *X, const int16_t *comb_q15,
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
 * (g[33] above the last edge), i.e. rhu(wLo g[b] + (32768 - wLo) gHi, 15). */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_interpolate_band_gains_q15(const int16_t *band_q15, int16_t *bin_q15,
    const uint16_t *band_edges_bins, const uint16_t *bin_weight_lo_q15)
{
    int k = 0;
    for (int b = 0; b < 34; b++) {
        const int k_end = b < 33 ? band_edges_bins[b + 1] : 513;
        const int32_t g_hi = band_q15[b < 33 ? b + 1 : b], diff = band_q15[b] - g_hi;
        for (; k < k_end; k++)
            bin_q15[k] = (int16_t)(g_hi + (((int32_t)bin_weight_lo_q15[k] * diff + 16384) >> 15));
    }
}

/* Zero-phase 5-tap Hann comb at period_samples (48 kHz samples): C[k], 513 Q15; 0 = unvoiced. */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_comb_response_q15(const int32_t period_samples, int16_t *comb_q15,
    const int16_t *comb_taps_q15, const int16_t *cos1024_q15)
{
    int k;
    if (period_samples == 0) {
        for (k = 0; k < 513; k++) comb_q15[k] = 32767;
        return;
    }
    const int32_t base = comb_taps_q15[0] * 32768 + 16384;
    const int32_t h1 = 2 * comb_taps_q15[1], h2 = 2 * comb_taps_q15[2];
    const uint32_t step = (uint32_t)period_samples;
    uint32_t ph = 0; /* k T; (k T) mod 1024 and (2 k T) mod 1024 = 2 ((k T) mod 512) */
    for (k = 0; k < 513; k++, ph += step) {
        const int32_t v = (base + h1 * cos1024_q15[ph & 1023u] + h2 * cos1024_q15[2 * (ph & 511u)]) >> 15;
        comb_q15[k] = (int16_t)ARRAYC_NS_SPECTRAL_SAT(v, 16);
    }
}

/* Y = sat32(rhu(X * g[bin], 15)) for all 1026 components (only X = -2^31, g = -32768 saturates). */
static ARRAYC_NOINLINE __attribute__((unused)) void arrayc_ns_apply_bin_gains_q15(const int32_t *X, const int16_t *gain_q15, int32_t *Y)
{
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
}
