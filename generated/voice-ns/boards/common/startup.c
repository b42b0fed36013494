/*
 * arrayc board support: startup code shared by all QEMU MPS2/MPS3 targets
 * (cortex-m4 / mps2-an386, cortex-m7 / mps2-an500, cortex-m33 / mps2-an505,
 * cortex-m55 / mps3-an547). Link with -specs=rdimon.specs and the board's
 * link.ld.
 *
 * Boot sequence:
 *   hardware: SP = vector[0] (__StackTop), PC = vector[1] (Reset_Handler)
 *   Reset_Handler: VTOR, FPU/MVE enable, MPU (read-only flash, v7-M stack
 *     guard), copy .data, zero .bss, _start
 *   _start (newlib rdimon-crt0): SYS_HEAPINFO, sets SP/__heap_limit from it,
 *     calls _stack_init (overridden below: restores OUR stack and heap limit),
 *     zeroes .bss again, opens semihosting stdio, argv from SYS_GET_CMDLINE,
 *     constructors, main(), exit() -> SYS_EXIT_EXTENDED (exit code reaches
 *     QEMU's exit status).
 *   Any fault / unexpected exception: message on the semihosting console,
 *     then SYS_EXIT_EXTENDED with code 0x7f (QEMU exits with status 127).
 */
#include <stdint.h>

/* Symbols from link.ld */
extern uint32_t __data_load__[];   /* LMA of .data (in flash)  */
extern uint32_t __data_start__[];  /* VMA of .data (in RAM)    */
extern uint32_t __data_end__[];
extern uint32_t __bss_start__[];
extern uint32_t __bss_end__[];
extern uint32_t __StackTop[];
extern uint32_t __StackLimit[];
extern uint32_t __HeapLimit[];
extern uint32_t __RamStart[];
extern uint32_t __FlashStart[];    /* ORIGIN(FLASH)                   */
extern uint32_t __FlashEnd[];      /* ORIGIN(FLASH) + LENGTH(FLASH)    */
extern uint32_t __FlashAlias[];    /* other address of the same memory
                                      (an505: 0x0), else == __FlashStart */

/* newlib */
extern void _start(void);            /* rdimon-crt0 entry, never returns */
extern char *__heap_limit;           /* rdimon-crt0 data, checked by _sbrk */

void Reset_Handler(void);
void Fault_Handler(void);
void _stack_init(void);

#define REG32(a) (*(volatile uint32_t *)(a))
#define SCB_VTOR  0xE000ED08u
#define SCB_CFSR  0xE000ED28u
#define SCB_HFSR  0xE000ED2Cu
#define SCB_MMFAR 0xE000ED34u
#define SCB_BFAR  0xE000ED38u
#define SCB_CPACR 0xE000ED88u
#define MPU_TYPE  0xE000ED90u
#define MPU_CTRL  0xE000ED94u
#define MPU_RNR   0xE000ED98u
#define MPU_RBAR  0xE000ED9Cu
#define MPU_RASR  0xE000EDA0u   /* PMSAv7 */
#define MPU_RLAR  0xE000EDA0u   /* PMSAv8 */
#define MPU_MAIR0 0xE000EDC0u   /* PMSAv8 */

/* v7-M (M4/M7) stack guard: no-access MPU region at the bottom of the stack
 * reservation, [__StackLimit, __StackLimit + 4 KB). */
#define STACK_GUARD_LOG2 12u

#if defined(__ARM_ARCH_8M_MAIN__) || defined(__ARM_ARCH_8_1M_MAIN__)
#define HAVE_MSPLIM 1   /* stack overflow caught by MSPLIM */
#define HAVE_PMSAV7 0
#else
#define HAVE_MSPLIM 0
#define HAVE_PMSAV7 1   /* stack overflow caught by an MPU guard region */
#endif

/* Private stack for the fault handler: the main stack may be the reason
 * we are here. Referenced by name (and size 512) from Fault_Handler. */
__attribute__((used)) uint64_t arrayc_fault_stack[64];
typedef char arrayc_fault_stack_is_512_bytes[sizeof arrayc_fault_stack == 512u ? 1 : -1];

/* Core exception vectors (16 entries). No peripheral interrupt is ever
 * enabled by this firmware, so no IRQ vectors are provided. Index 7 is
 * SecureFault on ARMv8-M; index 1 is Reset, everything else faults out. */
typedef void (*vector_fn)(void);
__attribute__((section(".isr_vector"), used))
const vector_fn __isr_vector[16] = {
    (vector_fn)(uintptr_t)__StackTop, /* 0  initial MSP          */
    Reset_Handler,                    /* 1  Reset                */
    Fault_Handler,                    /* 2  NMI                  */
    Fault_Handler,                    /* 3  HardFault            */
    Fault_Handler,                    /* 4  MemManage            */
    Fault_Handler,                    /* 5  BusFault             */
    Fault_Handler,                    /* 6  UsageFault           */
    Fault_Handler,                    /* 7  SecureFault (v8-M)   */
    0, 0, 0,                          /* 8-10 reserved           */
    Fault_Handler,                    /* 11 SVCall               */
    Fault_Handler,                    /* 12 DebugMonitor         */
    0,                                /* 13 reserved             */
    Fault_Handler,                    /* 14 PendSV               */
    Fault_Handler,                    /* 15 SysTick              */
};

/*
 * MPU (privileged default map everywhere else, PRIVDEFENA):
 *  - FLASH (and its alias, if any) read-only: QEMU backs "flash" with RAM,
 *    so without this a wild or NULL-pointer write silently patches code or
 *    vectors (seen: lockup -> QEMU abort, or a hang). Now it is a fault.
 *  - v7-M only: 4 KB no-access guard at the bottom of the stack (v8-M uses
 *    MSPLIM instead, see _stack_init).
 * The MPU is off in HardFault (HFNMIENA=0), so the fault handler always runs.
 */
static void mpu_setup(void)
{
    uint32_t start = (uint32_t)(uintptr_t)__FlashStart;
    uint32_t size = (uint32_t)(uintptr_t)__FlashEnd - start;
    uint32_t alias = (uint32_t)(uintptr_t)__FlashAlias;

    if (((REG32(MPU_TYPE) >> 8) & 0xFFu) < 3u) return; /* no / tiny MPU */
#if HAVE_PMSAV7
    {   /* regions must be power-of-2 sized and aligned: link.ld asserts it */
        uint32_t log2 = 0u;
        while ((1u << log2) < size) ++log2;
        REG32(MPU_RNR) = 0u;
        REG32(MPU_RBAR) = start;
        REG32(MPU_RASR) = (6u << 24)          /* AP: read-only        */
                        | (1u << 17)          /* normal, WT           */
                        | ((log2 - 1u) << 1) | 1u;
        REG32(MPU_RNR) = 1u;
        REG32(MPU_RBAR) = (uint32_t)(uintptr_t)__StackLimit;
        REG32(MPU_RASR) = (1u << 28)          /* XN                   */
                        | (0u << 24)          /* AP: no access        */
                        | ((STACK_GUARD_LOG2 - 1u) << 1) | 1u;
        if (alias != start) {
            REG32(MPU_RNR) = 2u;
            REG32(MPU_RBAR) = alias;
            REG32(MPU_RASR) = (1u << 28) | (6u << 24) | (1u << 17)
                            | ((log2 - 1u) << 1) | 1u;
        }
    }
#else
    REG32(MPU_MAIR0) = 0xFFu;                 /* attr 0: normal WB    */
    REG32(MPU_RNR) = 0u;
    REG32(MPU_RBAR) = start | (3u << 1);      /* AP: RO any, exec     */
    REG32(MPU_RLAR) = ((start + size - 1u) & ~31u) | 1u;
    if (alias != start) {
        REG32(MPU_RNR) = 1u;
        REG32(MPU_RBAR) = alias | (3u << 1) | 1u;          /* RO, XN  */
        REG32(MPU_RLAR) = ((alias + size - 1u) & ~31u) | 1u;
    }
#endif
    REG32(MPU_CTRL) = (1u << 2) | 1u;         /* PRIVDEFENA | ENABLE  */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
}

__attribute__((noreturn, used))
void Reset_Handler(void)
{
    /* Vector table base: 0x00000000 on an386/an500/an547, 0x10000000 on
     * an505 (secure). QEMU already resets VTOR there; set it anyway. */
    REG32(SCB_VTOR) = (uint32_t)(uintptr_t)__isr_vector;

#if defined(__ARM_FP) || defined(__ARM_FEATURE_MVE)
    /* Full access to CP10/CP11 (FPU and, on M55, MVE) before any FP insn. */
    REG32(SCB_CPACR) |= 0xFu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif

    mpu_setup();

    /* .data: flash -> RAM (rdimon-crt0 does not do this). */
    {
        volatile uint32_t *src = __data_load__;
        volatile uint32_t *dst = __data_start__;
        while (dst < __data_end__) *dst++ = *src++;
    }
    /* .bss: zero (crt0 does it too, but do not depend on it). */
    {
        volatile uint32_t *dst = __bss_start__;
        while (dst < __bss_end__) *dst++ = 0u;
    }

    _start();
    for (;;) { }
}

/*
 * Called by rdimon-crt0 right after it has loaded SP (and __heap_limit) from
 * QEMU's SYS_HEAPINFO answer. QEMU 7.2 answers with "the largest RAM block"
 * (e.g. PSRAM 0x21000000.. on an386, 0x60000000.. on an500, 0x80000000.. on
 * an505, ITCM top 0x80000 on an547) which ignores our memory map and breaks
 * malloc on an547. The crt0 symbol is weak; this override puts SP back at
 * the top of our RAM and bounds the heap below our stack.
 * Naked: it runs before anything is on the stack, and must not push.
 */
__attribute__((naked, used))
void _stack_init(void)
{
    __asm__ volatile(
        "ldr    r0, =__StackTop\n\t"
        "mov    sp, r0\n\t"
        "ldr    r0, =__heap_limit\n\t"
        "ldr    r1, =__HeapLimit\n\t"
        "str    r1, [r0]\n\t"
#if HAVE_MSPLIM
        /* Stack overflow into the heap -> UsageFault STKOF -> exit 0x7f. */
        "ldr    r0, =__StackLimit\n\t"
        "msr    msplim, r0\n\t"
#endif
        "bx     lr\n\t"
        ".ltorg\n\t");
}

/* ---- fault reporting via semihosting ---------------------------------- */

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static char *put_str(char *p, const char *s)
{
    while (*s) *p++ = *s++;
    return p;
}

static char *put_hex(char *p, const char *name, uint32_t v)
{
    int i;
    p = put_str(p, name);
    for (i = 28; i >= 0; i -= 4) *p++ = "0123456789abcdef"[(v >> i) & 0xFu];
    return p;
}

/* Reached from Fault_Handler with the stacked exception frame and
 * EXC_RETURN. Prints one line on the semihosting console, exits with 0x7f.
 * Not static: referenced by name from the naked asm below. */
__attribute__((noreturn, noinline, used))
void arrayc_fault_report(const uint32_t *frame, uint32_t exc_return)
{
    static char msg[160];
    char *p = msg;
    uint32_t ipsr, pc = 0xFFFFFFFFu, lr = 0xFFFFFFFFu;
    uint32_t block[2];

    __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
    /* Only read the stacked frame if it lies inside our RAM. */
    if ((uintptr_t)frame >= (uintptr_t)__RamStart &&
        (uintptr_t)frame + 32u <= (uintptr_t)__StackTop) {
        lr = frame[5];
        pc = frame[6];
    }
    p = put_hex(p, "\n*** FAULT exc=", ipsr & 0x1FFu);
    p = put_hex(p, " pc=", pc);
    p = put_hex(p, " lr=", lr);
    p = put_hex(p, " cfsr=", REG32(SCB_CFSR));
    p = put_hex(p, " hfsr=", REG32(SCB_HFSR));
    p = put_hex(p, " mmfar=", REG32(SCB_MMFAR));
    p = put_hex(p, " bfar=", REG32(SCB_BFAR));
    p = put_hex(p, " excret=", exc_return);
    p = put_str(p, "\n");
    *p = '\0';
    semihost(0x04 /* SYS_WRITE0 */, msg);

    block[0] = 0x20026u; /* ADP_Stopped_ApplicationExit */
    block[1] = 0x7Fu;    /* exit status seen by the host */
    semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
    for (;;) { }
}

/* Naked: nothing may be pushed on the (possibly broken) main stack.
 * r0 = stacked frame, r1 = EXC_RETURN, then switch MSP to arrayc_fault_stack. */
__attribute__((naked, used))
void Fault_Handler(void)
{
    __asm__ volatile(
#if HAVE_MSPLIM
        "movs   r0, #0\n\t"
        "msr    msplim, r0\n\t"
#endif
        "mov    r1, lr\n\t"
        "tst    r1, #4\n\t"
        "ite    eq\n\t"
        "mrseq  r0, msp\n\t"
        "mrsne  r0, psp\n\t"
        "ldr    r2, =arrayc_fault_stack + 512\n\t"
        "mov    sp, r2\n\t"
        "b      arrayc_fault_report\n\t"
        ".ltorg\n\t");
}
