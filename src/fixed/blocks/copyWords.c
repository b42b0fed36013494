/* Copies 32-bit words forward: dst below src (they may overlap) or apart. On Thumb-2 cores eight
 * words per LDM/STM pair, then four, two, one: safe for an overlap with dst below src (every
 * word is read before anything at or above it is written). newlib's memcpy and memmove take
 * three to five instructions per word; this takes about half of one.
 * Compile with -DARRAYC_COPY_ASM=0 for the portable loop. */
#ifndef ARRAYC_COPY_ASM
#if defined(__GNUC__) && defined(__thumb2__)
#define ARRAYC_COPY_ASM 1
#else
#define ARRAYC_COPY_ASM 0
#endif
#endif

static inline void arrayc_copy_words(void *dst, const void *src, int words)
{
    uint32_t *d = (uint32_t *)dst;
    const uint32_t *s = (const uint32_t *)src;
#if ARRAYC_COPY_ASM
    for (int k = words >> 3; k > 0; k--)
        __asm__ volatile("ldmia %1!, {r2-r6, r8-r10}\n\tstmia %0!, {r2-r6, r8-r10}"
                         : "+r"(d), "+r"(s)
                         :
                         : "r2", "r3", "r4", "r5", "r6", "r8", "r9", "r10", "memory");
    if (words & 4)
        __asm__ volatile("ldmia %1!, {r2-r5}\n\tstmia %0!, {r2-r5}" : "+r"(d), "+r"(s) : : "r2", "r3", "r4", "r5", "memory");
    if (words & 2)
        __asm__ volatile("ldmia %1!, {r2-r3}\n\tstmia %0!, {r2-r3}" : "+r"(d), "+r"(s) : : "r2", "r3", "memory");
    if (words & 1) *d = *s;
#else
    for (int i = 0; i < words; i++) d[i] = s[i];
#endif
}
