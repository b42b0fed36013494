/*
 * arrayc board self test (C99). Runs on every QEMU target and on the host.
 *
 *   input.bin  (cwd, via semihosting stdio): int32 little-endian values
 *   output.bin (cwd): each value negated, INT32_MIN saturating to INT32_MAX
 *
 * Exit codes: 0 ok, 3 input.bin missing, 4 input length not a multiple of
 * 4, 5 output.bin cannot be written / short write, 10..29 a self check
 * failed (message on stderr). On target, a CPU fault exits with 0x7f
 * (startup.c).
 *
 * Besides the I/O it exercises: .data copy, .bss zeroing, a >64 KB const
 * table in flash, the FPU, int64 multiply, unaligned-safe int16 memcpy,
 * malloc of 1 MB (and, on target, that an impossible malloc fails cleanly),
 * and on Cortex-M55 one MVE (Helium) intrinsic.
 *
 * Optional argv[1] (QEMU: -append WORD) to test the fault path on target:
 *   "fault"  unaligned LDRD    -> UsageFault/HardFault -> exit 0x7f
 *   "stack"  runaway recursion -> MSPLIM (v8-M) / MPU guard (v7-M) -> 0x7f
 *   "nullwrite", "flashwrite"  store to address 0 / to the const table
 *            -> MPU read-only flash -> exit 0x7f
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1)
#include <arm_mve.h>
#define HAVE_MVE 1
#else
#define HAVE_MVE 0
#endif

#define CHUNK 4096

/* ---- .data: initialised, writable ------------------------------------- */
int32_t g_data[8] = { 1, -2, 3, -4, 0x12345678, -0x12345678, INT32_MAX, INT32_MIN };

/* ---- .bss: zero initialised ------------------------------------------- */
int32_t g_bss[2048];

/* ---- large const table (>64 KB, in flash): 20480 x int32 = 80 KB ------- */
#define TV(i) ((int32_t)(((uint32_t)(i) * 2654435761u) ^ 0x5A5A5A5Au))
#define T4(i) TV(i), TV((i) + 1), TV((i) + 2), TV((i) + 3)
#define T16(i) T4(i), T4((i) + 4), T4((i) + 8), T4((i) + 12)
#define T64(i) T16(i), T16((i) + 16), T16((i) + 32), T16((i) + 48)
#define T256(i) T64(i), T64((i) + 64), T64((i) + 128), T64((i) + 192)
#define T1024(i) T256(i), T256((i) + 256), T256((i) + 512), T256((i) + 768)
#define T4096(i) T1024(i), T1024((i) + 1024), T1024((i) + 2048), T1024((i) + 3072)
#define BIG_N 20480
const int32_t g_big[BIG_N] = {
    T4096(0), T4096(4096), T4096(8192), T4096(12288), T4096(16384)
};

/* int16 source data starting at an odd byte offset */
static const unsigned char g_i16_bytes[1 + 2 * 9] = {
    0xEE,
    0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80, 0xFF, 0x7F, 0x34, 0x12,
    0xCC, 0xED, 0x02, 0x00, 0xFE, 0xFF, 0x10, 0x00
};

static unsigned char g_inbuf[CHUNK + 4];
static unsigned char g_outbuf[CHUNK];

static int fail(int code, const char *what)
{
    fprintf(stderr, "selftest: FAILED %s (exit %d)\n", what, code);
    return code;
}

#if defined(__arm__)
extern const uint32_t __data_start__[], __data_end__[];
extern const uint32_t __bss_start__[], __bss_end__[];
extern const uint32_t __RamStart[], __StackTop[];

static volatile int32_t g_sink;

__attribute__((noinline)) static int32_t load_pair(const int32_t *p)
{
    int32_t a, b;
    /* LDRD faults on a non-word-aligned address, whatever CCR says */
    __asm__ volatile("ldrd %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(p) : "memory");
    return a + b;
}

static volatile int32_t g_depth_limit = INT32_MAX;

__attribute__((noinline)) static int32_t recurse(volatile int32_t *prev, int32_t n)
{
    volatile int32_t pad[64];
    pad[0] = n + (prev ? prev[0] : 0);
    pad[63] = pad[0];
    if (n >= g_depth_limit) return pad[63];
    return recurse(pad, n + 1) + pad[63];
}

static volatile uintptr_t g_null_addr = 0;

static int fault_test(const char *what)
{
    static unsigned char buf[16];
    if (strcmp(what, "fault") == 0) {
        g_sink = load_pair((const int32_t *)(void *)(buf + 1));
    } else if (strcmp(what, "stack") == 0) {
        g_sink = recurse(0, 0);
    } else if (strcmp(what, "nullwrite") == 0) {
        *(volatile int32_t *)g_null_addr = 0x12345678; /* MPU: flash is RO */
    } else if (strcmp(what, "flashwrite") == 0) {
        *(volatile int32_t *)(uintptr_t)&g_big[100] = 0;
    }
    return fail(29, "fault test did not fault");
}
#endif

static int check_sections(void)
{
    static const int32_t init[8] = { 1, -2, 3, -4, 0x12345678, -0x12345678, INT32_MAX, INT32_MIN };
    volatile int32_t *vd = g_data;
    volatile int32_t *vb = g_bss;
    int32_t i;

    for (i = 0; i < 8; ++i)
        if (vd[i] != init[i]) return fail(10, ".data copy");
    for (i = 0; i < 8; ++i) vd[i] = -vd[i] + 1; /* writable */
    if (vd[0] != 0 || vd[1] != 3) return fail(10, ".data write");

    for (i = 0; i < 2048; ++i)
        if (vb[i] != 0) return fail(11, ".bss zero");
    for (i = 0; i < 2048; ++i) vb[i] = i;
    if (vb[2047] != 2047) return fail(11, ".bss write");

#if defined(__arm__)
    /* placement: big table outside RAM (flash), .data/.bss inside RAM */
    if ((uintptr_t)g_big >= (uintptr_t)__RamStart && (uintptr_t)g_big < (uintptr_t)__StackTop)
        return fail(12, "const table not in flash");
    if ((uintptr_t)g_data < (uintptr_t)__data_start__ || (uintptr_t)g_data >= (uintptr_t)__data_end__)
        return fail(12, "g_data not in .data");
    if ((uintptr_t)g_bss < (uintptr_t)__bss_start__ || (uintptr_t)g_bss >= (uintptr_t)__bss_end__)
        return fail(12, "g_bss not in .bss");
#endif
    return 0;
}

static int check_const_table(void)
{
    volatile int32_t n = BIG_N; /* keep the loop opaque to the optimiser */
    const int32_t *volatile tp = g_big;
    const int32_t *t = tp;
    uint32_t acc = 0, ref = 0;
    int32_t i;

    if (sizeof g_big <= 65536u) return fail(13, "const table too small");
    for (i = 0; i < n; ++i) {
        if (t[i] != TV(i)) return fail(13, "const table content");
        acc = acc * 31u + (uint32_t)t[i];
        ref = ref * 31u + (((uint32_t)i * 2654435761u) ^ 0x5A5A5A5Au);
    }
    if (acc != ref) return fail(13, "const table checksum");
    return 0;
}

static int check_fpu(void)
{
    volatile float a = 1.5f, b = -2.25f;
    volatile double da = 3.0, db = 0.125;
    float f = a * b + 0.375f;                 /* -3.0 exactly */
    double d = da * db - 1.0;                 /* -0.625 exactly */
    volatile float q = a;
    q = q / 3.0f;                             /* 0.5 exactly */
    if (f != -3.0f) return fail(14, "float mul/add");
    if (d != -0.625) return fail(14, "double mul/sub");
    if (q != 0.5f) return fail(14, "float div");
    if ((int32_t)(b * 4.0f) != -9) return fail(14, "float->int");
    return 0;
}

static int check_simd(void)
{
#if HAVE_MVE
    /* Cortex-M55: Helium/MVE must be enabled (CPACR) and emulated. */
    static const int32_t in[4] = { INT32_MIN, -5, 0, INT32_MAX };
    int32_t out[4];
    vst1q_s32(out, vqnegq_s32(vld1q_s32(in)));
    if (out[0] != INT32_MAX || out[1] != 5 || out[2] != 0 || out[3] != -INT32_MAX)
        return fail(19, "MVE vqnegq_s32");
#endif
    return 0;
}

static int check_int64(void)
{
    volatile int64_t a = 0x12345678LL, b = -0x0FEDCBA9LL;
    volatile int32_t x = INT32_MIN, y = INT32_MIN;
    volatile uint64_t u = 0xFFFFFFFFull, v = 0xFFFFFFFFull;
    if (a * b != -0x0121FA009A363D38LL) return fail(15, "int64 mul");
    if ((int64_t)x * y != 0x4000000000000000LL) return fail(15, "int32xint32->int64");
    if (u * v != 0xFFFFFFFE00000001ull) return fail(15, "uint64 mul");
    if ((a * b) >> 31 != -0x0243F402LL) return fail(15, "int64 shift");
    if ((a * b) / 3 != -0x0060A8AADE121468LL) return fail(15, "int64 div");
    return 0;
}

static int check_int16_memcpy(void)
{
    static const int16_t expect[9] = { 1, -1, -32768, 32767, 0x1234, -4660, 2, -2, 16 };
    const unsigned char *volatile src = g_i16_bytes + 1; /* odd address */
    int16_t dst[9];
    int32_t sum = 0;
    int i;
    memcpy(dst, src, sizeof dst);
    for (i = 0; i < 9; ++i) {
        if (dst[i] != expect[i]) return fail(16, "int16 memcpy");
        sum += dst[i];
    }
    if (sum != 1 - 1 - 32768 + 32767 + 0x1234 - 4660 + 2 - 2 + 16) return fail(16, "int16 sum");
    return 0;
}

static int check_malloc(void)
{
    const size_t n = (size_t)1 << 20;
    uint32_t *p = (uint32_t *)malloc(n);
    size_t i;
    if (!p) return fail(17, "malloc(1 MB)");
    for (i = 0; i < n / 4; ++i) p[i] = (uint32_t)i * 2654435761u;
    for (i = 0; i < n / 4; ++i)
        if (p[i] != (uint32_t)i * 2654435761u) { free(p); return fail(17, "malloc'd memory"); }
    free(p);
#if defined(__arm__)
    {   /* more than all RAM: must fail cleanly, not hand out aliased memory */
        void *q = malloc((size_t)8 << 20);
        if (q) { free(q); return fail(18, "malloc(8 MB) succeeded"); }
    }
#endif
    return 0;
}

static int32_t neg_sat(int32_t v)
{
    return v == INT32_MIN ? INT32_MAX : -v;
}

static int process(void)
{
    FILE *in, *out;
    size_t have = 0; /* bytes in g_inbuf not yet consumed (0..3 carried) */
    int rc = 0;

    in = fopen("input.bin", "rb");
    if (!in) return 3;
    out = fopen("output.bin", "wb");
    if (!out) { fclose(in); return fail(5, "open output.bin"); }
    /* unbuffered: every fread/fwrite below is one semihosting call */
    setvbuf(in, NULL, _IONBF, 0);
    setvbuf(out, NULL, _IONBF, 0);

    for (;;) {
        size_t got = fread(g_inbuf + have, 1, CHUNK - have, in);
        size_t total = have + got, words = total / 4, i;
        for (i = 0; i < words; ++i) {
            const unsigned char *s = g_inbuf + 4 * i;
            unsigned char *d = g_outbuf + 4 * i;
            uint32_t u = (uint32_t)s[0] | ((uint32_t)s[1] << 8) |
                         ((uint32_t)s[2] << 16) | ((uint32_t)s[3] << 24);
            int32_t v = u <= 0x7FFFFFFFu ? (int32_t)u : (int32_t)(u - 0x80000000u) + INT32_MIN;
            uint32_t r = (uint32_t)neg_sat(v);
            d[0] = (unsigned char)r;
            d[1] = (unsigned char)(r >> 8);
            d[2] = (unsigned char)(r >> 16);
            d[3] = (unsigned char)(r >> 24);
        }
        if (words && fwrite(g_outbuf, 4, words, out) != words) { rc = fail(5, "write output.bin"); break; }
        have = total - 4 * words;
        memmove(g_inbuf, g_inbuf + 4 * words, have);
        if (got == 0) {
            if (ferror(in)) rc = fail(5, "read input.bin");
            else if (have) rc = fail(4, "input length not a multiple of 4");
            break;
        }
    }
    fclose(in);
    if (fclose(out) != 0 && rc == 0) rc = fail(5, "close output.bin");
    return rc;
}

int main(int argc, char **argv)
{
    int rc;
#if defined(__arm__)
    if (argc > 1) return fault_test(argv[1]);
#else
    (void)argc;
    (void)argv;
#endif
    if ((rc = check_sections()) != 0) return rc;
    if ((rc = check_const_table()) != 0) return rc;
    if ((rc = check_fpu()) != 0) return rc;
    if ((rc = check_simd()) != 0) return rc;
    if ((rc = check_int64()) != 0) return rc;
    if ((rc = check_int16_memcpy()) != 0) return rc;
    if ((rc = check_malloc()) != 0) return rc;
    return process();
}
