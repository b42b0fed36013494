/* Noise suppressor network: the quantized network tables, executed. Matches
 * src/fixed/ns/network.ts bit for bit; that file's header defines the arithmetic, the formats and
 * the table layout.
 *
 *   weights    int8: per matrix, rows in groups of 4, interleaved per 4 columns (16 bytes: 4 rows x
 *              4 columns, each row's 4 bytes in the order 0, 2, 1, 3), columns padded to cols8
 *   params     int32: header (ARRAYC_NS_NET_P_*), layer records (a matrix is {weight offset, cols8,
 *              row params offset}), then per stored row {biasQ, mult, shift}
 *   actTables  int16 Q15: tanh[257] then sigmoid[257] over Q12 [-8, 8] in steps of 1/16
 *   state      int16[params[ARRAYC_NS_NET_P_STATE_LENGTH]], all zero before the first frame:
 *              conv window (Q12), conv output (Q15), each GRU's hidden state (Q15), scratch;
 *              vectors padded to multiples of 8 words
 *   featuresQ12  params[ARRAYC_NS_NET_P_INPUT_SIZE] int16 features of this frame
 *   gainsQ15, strengthsQ15  params[ARRAYC_NS_NET_P_BAND_COUNT] outputs each, in [0, 32767]
 *
 * Each pass over an activation vector serves a group of 4 rows: per 4 columns two activation
 * pairs are loaded, and per row one weight word gives, by SXTB16 (plain and rotated by 8), the
 * pairs (w0, w1) and (w2, w3) that SMLAD multiplies with them. Sums of at most 512 columns fit an
 * int32 (512 * 127 * 32768 < 2^31), longer rows are summed in 512-column chunks in 64 bits.
 * Without the DSP extension the same sums are formed with plain multiplies. All sums are exact,
 * so both paths give the same integers. No division, no float. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && defined(__ARM_FEATURE_SIMD32)
#include <arm_acle.h>
#define ARRAYC_NS_NET_DSP 1
#else
#define ARRAYC_NS_NET_DSP 0
#endif

#define ARRAYC_NS_NET_MAGIC 0x4E534E31
#define ARRAYC_NS_NET_P_MAGIC 0
#define ARRAYC_NS_NET_P_INPUT_SIZE 1
#define ARRAYC_NS_NET_P_KERNEL_FRAMES 2
#define ARRAYC_NS_NET_P_CONV_OUT 3
#define ARRAYC_NS_NET_P_CONV_ACT 4
#define ARRAYC_NS_NET_P_GRU_COUNT 5
#define ARRAYC_NS_NET_P_BAND_COUNT 6
#define ARRAYC_NS_NET_P_STATE_LENGTH 7
#define ARRAYC_NS_NET_P_WEIGHTS_LENGTH 8
#define ARRAYC_NS_NET_P_WINDOW_STATE 9
#define ARRAYC_NS_NET_P_CONV_STATE 10
#define ARRAYC_NS_NET_P_SCRATCH_STATE 11
#define ARRAYC_NS_NET_P_CONV_MATRIX 12
#define ARRAYC_NS_NET_P_GAINS_MATRIX 15
#define ARRAYC_NS_NET_P_STRENGTHS_MATRIX 18
#define ARRAYC_NS_NET_P_GRUS 21
#define ARRAYC_NS_NET_GRU_RECORD 16
#define ARRAYC_NS_NET_GRU_R 4
#define ARRAYC_NS_NET_GRU_Z 7
#define ARRAYC_NS_NET_GRU_IN 10
#define ARRAYC_NS_NET_GRU_HN 13
#define ARRAYC_NS_NET_TABLE_ENTRIES 257
#define ARRAYC_NS_NET_ACT_TANH 0
#define ARRAYC_NS_NET_ACT_SIGMOID 1
#define ARRAYC_NS_NET_CHUNK 512

static inline int32_t arrayc_ns_net_sat32(int64_t v)
{
    return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

#if ARRAYC_NS_NET_DSP
/* Four bytes as one word (memcpy: no alignment assumed, no LDRD/LDM). */
static inline uint32_t arrayc_ns_net_word(const void *p)
{
    uint32_t w;
    memcpy(&w, p, sizeof w);
    return w;
}
/* Bytes 1 and 3 sign-extended to two halfwords (SXTB16 with its rotation, which GCC's
 * __sxtb16 does not fold). */
static inline int32_t arrayc_ns_net_sxtb16_ror8(uint32_t v)
{
    int32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(v));
    return r;
}
#endif

/* The 4 rows of a group against x over n columns (n a multiple of 8, at most CHUNK): int32
 * sums. w points at the group's first 16-byte block of these columns. */
static inline void arrayc_ns_net_dot4(const int8_t *w, const int16_t *x, int n, int32_t sum[4])
{
    int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    const int16_t *const end = x + n;
#if ARRAYC_NS_NET_DSP
    while (x < end) {
        const int32_t x01 = (int32_t)arrayc_ns_net_word(x), x23 = (int32_t)arrayc_ns_net_word(x + 2);
        uint32_t q = arrayc_ns_net_word(w);
        a0 = __smlad(__sxtb16((int32_t)q), x01, a0);
        a0 = __smlad(arrayc_ns_net_sxtb16_ror8(q), x23, a0);
        q = arrayc_ns_net_word(w + 4);
        a1 = __smlad(__sxtb16((int32_t)q), x01, a1);
        a1 = __smlad(arrayc_ns_net_sxtb16_ror8(q), x23, a1);
        q = arrayc_ns_net_word(w + 8);
        a2 = __smlad(__sxtb16((int32_t)q), x01, a2);
        a2 = __smlad(arrayc_ns_net_sxtb16_ror8(q), x23, a2);
        q = arrayc_ns_net_word(w + 12);
        a3 = __smlad(__sxtb16((int32_t)q), x01, a3);
        a3 = __smlad(arrayc_ns_net_sxtb16_ror8(q), x23, a3);
        x += 4;
        w += 16;
    }
#else
    while (x < end) {
        const int32_t x0 = x[0], x1 = x[1], x2 = x[2], x3 = x[3];
        a0 += w[0] * x0 + w[2] * x1 + w[1] * x2 + w[3] * x3;
        a1 += w[4] * x0 + w[6] * x1 + w[5] * x2 + w[7] * x3;
        a2 += w[8] * x0 + w[10] * x1 + w[9] * x2 + w[11] * x3;
        a3 += w[12] * x0 + w[14] * x1 + w[13] * x2 + w[15] * x3;
        x += 4;
        w += 16;
    }
#endif
    sum[0] = a0;
    sum[1] = a1;
    sum[2] = a2;
    sum[3] = a3;
}

/* An int32 accumulator requantized by the row's Q31 multiplier to the Q12 pre-activation:
 * sat32((acc * mult + 2^(s-1)) >> s), s = 31 + shift in [16, 46]. When s >= 33 (the usual case:
 * shift >= 2) this equals (hi + 2^(s-33)) >> (s-32) with hi = the high word of acc * mult: the
 * dropped low word adds less than 1 to an integer numerator, which cannot cross a multiple of
 * 2^(s-32); and |result| < 2^30, no saturation. One SMULL instead of a 64-bit shift. */
static ARRAYC_NOINLINE int32_t arrayc_ns_net_requant_wide(int32_t acc, const int32_t *rowParams)
{
    const int s = 31 + rowParams[2];
    const int64_t p = (int64_t)acc * (int64_t)rowParams[1]; /* |p| < 2^62 */
    return arrayc_ns_net_sat32((p + ((int64_t)1 << (s - 1))) >> s);
}
static inline int32_t arrayc_ns_net_requant(int32_t acc, const int32_t *rowParams)
{
    const int t = rowParams[2] - 1; /* s - 32 */
    if (t < 1) return arrayc_ns_net_requant_wide(acc, rowParams); /* rare: multipliers above 1/4 */
    const int32_t hi = (int32_t)(((int64_t)acc * (int64_t)rowParams[1]) >> 32);
    return (hi + (1 << (t - 1))) >> t;
}

/* Group g (rows 4g..4g+3) of the matrix whose record is rec, against x: the four Q12
 * pre-activations sat32(biasQ + row . x) requantized. */
static void arrayc_ns_net_group(const int8_t *weights, const int32_t *params, const int32_t *rec, int g,
                                const int16_t *x, int32_t pre[4])
{
    const int cols8 = rec[1];
    const int8_t *w = weights + rec[0] + g * 4 * cols8;
    const int32_t *rp = params + rec[2] + 12 * g;
    int32_t sum[4];
    if (cols8 <= ARRAYC_NS_NET_CHUNK) {
        arrayc_ns_net_dot4(w, x, cols8, sum);
        for (int k = 0; k < 4; k++) {
#if ARRAYC_NS_NET_DSP
            pre[k] = arrayc_ns_net_requant(__qadd(rp[3 * k], sum[k]), rp + 3 * k); /* QADD: sat32 of the int32 sum */
#else
            pre[k] = arrayc_ns_net_requant(arrayc_ns_net_sat32((int64_t)rp[3 * k] + sum[k]), rp + 3 * k);
#endif
        }
        return;
    }
    int64_t acc[4] = { rp[0], rp[3], rp[6], rp[9] };
    for (int c = 0; c < cols8; c += ARRAYC_NS_NET_CHUNK) {
        arrayc_ns_net_dot4(w + 4 * c, x + c, cols8 - c < ARRAYC_NS_NET_CHUNK ? cols8 - c : ARRAYC_NS_NET_CHUNK, sum);
        for (int k = 0; k < 4; k++) acc[k] += sum[k];
    }
    for (int k = 0; k < 4; k++) pre[k] = arrayc_ns_net_requant(arrayc_ns_net_sat32(acc[k]), rp + 3 * k);
}

/* Table with linear interpolation: Q12 input clamped to [-8, 8), 16 entries per unit. */
static inline int16_t arrayc_ns_net_act(const int16_t *table, int32_t pre)
{
    const int32_t p = pre > 32767 ? 32767 : pre < -32768 ? -32768 : pre;
    const int32_t u = p + 32768;
    const int16_t *e = table + (u >> 8);
    const int32_t t0 = e[0];
    return (int16_t)(t0 + (((e[1] - t0) * (u & 255) + 128) >> 8));
}

/* A dense layer: out[o] = act(row o . x), o < rows. */
static void arrayc_ns_net_dense(const int8_t *weights, const int32_t *params, const int32_t *rec, int rows,
                                const int16_t *x, const int16_t *table, int16_t *out)
{
    for (int g = 0; 4 * g < rows; g++) {
        int32_t pre[4];
        arrayc_ns_net_group(weights, params, rec, g, x, pre);
        for (int k = 0; k < 4 && 4 * g + k < rows; k++) out[4 * g + k] = arrayc_ns_net_act(table, pre[k]);
    }
}

/* One 10 ms frame: features in, band gains and comb strengths out; conv history and GRU
 * states carried in `state`. */
static ARRAYC_NOINLINE void arrayc_ns_network_step(const int8_t *weights, const int32_t *params, const int16_t *actTables,
                                                   int16_t *state, const int16_t *featuresQ12,
                                                   int16_t *gainsQ15, int16_t *strengthsQ15)
{
    const int inputSize = params[ARRAYC_NS_NET_P_INPUT_SIZE];
    const int windowLength = params[ARRAYC_NS_NET_P_KERNEL_FRAMES] * inputSize;
    const int16_t *tanhTable = actTables + ARRAYC_NS_NET_ACT_TANH * ARRAYC_NS_NET_TABLE_ENTRIES;
    const int16_t *sigmoidTable = actTables + ARRAYC_NS_NET_ACT_SIGMOID * ARRAYC_NS_NET_TABLE_ENTRIES;
    int16_t *window = state + params[ARRAYC_NS_NET_P_WINDOW_STATE];
    int16_t *scratch = state + params[ARRAYC_NS_NET_P_SCRATCH_STATE];

    memmove(window, window + inputSize, (size_t)(windowLength - inputSize) * sizeof(int16_t));
    memcpy(window + windowLength - inputSize, featuresQ12, (size_t)inputSize * sizeof(int16_t));
    arrayc_ns_net_dense(weights, params, params + ARRAYC_NS_NET_P_CONV_MATRIX, params[ARRAYC_NS_NET_P_CONV_OUT], window,
                        actTables + params[ARRAYC_NS_NET_P_CONV_ACT] * ARRAYC_NS_NET_TABLE_ENTRIES,
                        state + params[ARRAYC_NS_NET_P_CONV_STATE]);

    const int16_t *h = state;
    for (int gru = 0; gru < params[ARRAYC_NS_NET_P_GRU_COUNT]; gru++) {
        const int32_t *rec = params + ARRAYC_NS_NET_P_GRUS + ARRAYC_NS_NET_GRU_RECORD * gru;
        const int H = rec[1];
        const int16_t *x = state + rec[2];
        int16_t *hs = state + rec[3];
        for (int g = 0; 4 * g < H; g++) {
            int32_t r[4], z[4], gin[4], ghn[4];
            /* Gates r and z read [x, h] in one pass: h follows x's padded words in the state. */
            arrayc_ns_net_group(weights, params, rec + ARRAYC_NS_NET_GRU_R, g, x, r);
            arrayc_ns_net_group(weights, params, rec + ARRAYC_NS_NET_GRU_Z, g, x, z);
            arrayc_ns_net_group(weights, params, rec + ARRAYC_NS_NET_GRU_IN, g, x, gin);
            arrayc_ns_net_group(weights, params, rec + ARRAYC_NS_NET_GRU_HN, g, hs, ghn);
            for (int k = 0; k < 4 && 4 * g + k < H; k++) {
                const int j = 4 * g + k;
                const int32_t rq = arrayc_ns_net_act(sigmoidTable, r[k]);
                const int32_t zq = arrayc_ns_net_act(sigmoidTable, z[k]);
                const int32_t n = arrayc_ns_net_act(tanhTable, arrayc_ns_net_sat32((int64_t)gin[k] + (((int64_t)rq * ghn[k] + 16384) >> 15)));
                /* h' = n + z (h - n): |z (h - n)| + 2^14 < 2^31, and h' lies between n and h. */
                scratch[j] = (int16_t)(n + ((zq * (hs[j] - n) + 16384) >> 15));
            }
        }
        memcpy(hs, scratch, (size_t)H * sizeof(int16_t));
        h = hs;
    }

    const int bands = params[ARRAYC_NS_NET_P_BAND_COUNT];
    arrayc_ns_net_dense(weights, params, params + ARRAYC_NS_NET_P_GAINS_MATRIX, bands, h, sigmoidTable, gainsQ15);
    arrayc_ns_net_dense(weights, params, params + ARRAYC_NS_NET_P_STRENGTHS_MATRIX, bands, h, sigmoidTable, strengthsQ15);
}
