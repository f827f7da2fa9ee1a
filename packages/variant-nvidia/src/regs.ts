// The NVIDIA GPU model's register protocol and sizes: one real register (NV_PMC_INTR_EN_0) and
// two registers the simulator defines to stand for the guest driver's RTD3 sequences.
import type { PciDeviceId } from '@vfio-ts/pci-core';

/** PCI vendor id of NVIDIA (PCI_VENDOR_ID_NVIDIA). */
export const PCI_VENDOR_ID_NVIDIA = 0x10de;

/** The driver name the variant binds as (driver_override, /sys/bus/pci/drivers/). */
export const NVIDIA_VFIO_PCI_DRIVER_NAME = 'nvidia-vfio-pci';

/**
 * The functions the variant drives: NVIDIA display controllers (class 0x03xxxx: VGA 0x0300,
 * 3D 0x0302), matched only through driver_override, as Linux's
 * `PCI_DRIVER_OVERRIDE_DEVICE_VFIO` entries of vfio variant drivers are.
 */
export const NVIDIA_VFIO_PCI_ID_TABLE: readonly PciDeviceId[] = Object.freeze([
  Object.freeze({
    vendor: PCI_VENDOR_ID_NVIDIA,
    classCode: 0x030000,
    classMask: 0xff0000,
    overrideOnly: true,
  }),
]);

/** The BAR holding the GPU's registers (BAR0). */
export const NVIDIA_REGS_BAR = 0;

/** BAR0: the master interrupt enable register (nouveau's NV_PMC_INTR_EN_0); 0 = no interrupts. */
export const NV_PMC_INTR_EN_0 = 0x140;

/**
 * BAR0, a simulator-defined register (not NVIDIA hardware): write bit0 = 1 to engage
 * video-memory self-refresh, so that the video memory (BAR2) survives the loss of power; 0
 * disengages it. Reads back bit0 = engaged. The GPU drops self-refresh by itself when power
 * returns (and at any reset), so a guest driver writes it before every low-power entry.
 */
export const NVSIM_RTD3_CTRL = 0xff0000;

/**
 * BAR0, a simulator-defined register (not NVIDIA hardware): write bit0 = 1 to say the driver
 * copied video memory to system memory and released it. Usage drops to 0: nothing is left to
 * lose when power goes.
 */
export const NVSIM_FB_EVICT = 0xff0004;

/** The BAR holding video memory (BAR2). */
export const NVIDIA_VRAM_BAR = 2;

/** Video-memory usage granularity: a 1 MiB chunk counts as used once any byte of it is written. */
export const NVIDIA_VRAM_CHUNK = 1 << 20;

/**
 * Default video-memory usage threshold in bytes (200 MiB, NVIDIA's default for
 * `NVreg_DynamicPowerManagementVideoMemoryThreshold`): at or below it the GPU powers its video
 * memory off (full-off), above it the video memory stays in self-refresh.
 */
export const NVIDIA_DEFAULT_THRESHOLD = 200 * 2 ** 20;

/** Largest threshold in bytes: NVIDIA's driver clamps the option to 1024 MB, and so does SET. */
export const NVIDIA_MAX_THRESHOLD = 1024 * 2 ** 20;
