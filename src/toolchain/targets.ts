export const TARGETS = ['host', 'cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'] as const;
export type Target = (typeof TARGETS)[number];
export const QEMU_TARGETS: Target[] = ['cortex-m4', 'cortex-m7', 'cortex-m33', 'cortex-m55'];
