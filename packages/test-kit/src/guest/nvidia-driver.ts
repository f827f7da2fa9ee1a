// The NVIDIA guest driver's runtime PM (RTD3): before every low-power entry it either puts
// video memory in self-refresh (usage above the threshold the VMM reports through the
// variant's vendor feature) or copies it out and releases it (full-off), restoring the copy
// after the wake. Video memory is BAR2; the simulator's RTD3 registers are in BAR0.
import {
  NV_PMC_INTR_EN_0,
  NVIDIA_DEFAULT_THRESHOLD,
  NVIDIA_VRAM_BAR,
  NVIDIA_VRAM_CHUNK,
  NVSIM_FB_EVICT,
  NVSIM_RTD3_CTRL,
  VFIO_DEVICE_FEATURE_NVIDIA_RTD3,
  decodeNvidiaRtd3Info,
  encodeNvidiaRtd3Threshold,
} from '@vfio-ts/variant-nvidia';
import { EINVAL } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import type { GuestDriver } from './driver.js';

/** Options of {@link nvidiaGuestDriver}. */
export interface NvidiaGuestDriverOptions {
  /** Threshold the VMM sets at boot (bytes); @default the variant's own (NVIDIA_DEFAULT_THRESHOLD) */
  thresholdBytes?: number | undefined;
}

const MIB = 1024 * 1024;
const u32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
};
// What the workload writes at the start of each chunk: its index, so a lost chunk shows.
const pattern = (chunk: number): Uint8Array => u32(0x5a000000 + chunk);
const same = (a: Uint8Array, b: Uint8Array): boolean =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The driver; each device gets its own (it keeps that GPU's allocations). */
export function nvidiaGuestDriver(opts: NvidiaGuestDriverOptions = {}): GuestDriver {
  let threshold = opts.thresholdBytes ?? NVIDIA_DEFAULT_THRESHOLD;
  let chunks = 0;
  let saved: Uint8Array[] | null = null;
  let intrEn = 0;
  let selfRefresh = false;

  const rtd3 = (flags: number, data?: Uint8Array): Uint8Array =>
    VFIO.feature({ flags, feature: VFIO_DEVICE_FEATURE_NVIDIA_RTD3, ...(data ? { data } : {}) });

  return {
    name: 'nvidia',
    async probe(io) {
      if (opts.thresholdBytes !== undefined) {
        const set = rtd3(VFIO.DEVICE_FEATURE_SET, encodeNvidiaRtd3Threshold(opts.thresholdBytes));
        const ret = await io.feature(set);
        if (ret < 0) io.log(`RTD3 threshold not set: ${ret}`);
      }
      const get = rtd3(VFIO.DEVICE_FEATURE_GET, new Uint8Array(24));
      if ((await io.feature(get)) === 0)
        threshold = decodeNvidiaRtd3Info(get.subarray(8)).thresholdBytes;
      io.log(`RTD3 threshold ${Math.round(threshold / MIB)} MiB`);
    },
    async allocate(io, bytes) {
      if (!Number.isSafeInteger(bytes) || bytes < 0) return -EINVAL;
      const want = Math.ceil(bytes / NVIDIA_VRAM_CHUNK);
      for (let i = chunks; i < want; i++) {
        const n = await io.write(NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, pattern(i));
        if (n < 0) return n;
        chunks = i + 1; // counted as written, so a failed write leaves no phantom chunks
      }
      io.log(`video memory in use: ${(chunks * NVIDIA_VRAM_CHUNK) / MIB} MiB`);
      return 0;
    },
    async suspend(io) {
      const en = await io.read(0, NV_PMC_INTR_EN_0, 4);
      intrEn =
        typeof en === 'number' ? 0 : new DataView(en.buffer, en.byteOffset).getUint32(0, true);
      await io.write(0, NV_PMC_INTR_EN_0, u32(0));
      const usage = chunks * NVIDIA_VRAM_CHUNK;
      if (usage > threshold) {
        selfRefresh = true;
        await io.write(0, NVSIM_RTD3_CTRL, u32(1));
        io.log(`video memory ${usage / MIB} MiB > threshold: self-refresh engaged`);
        return;
      }
      saved = [];
      for (let i = 0; i < chunks; i++) {
        const r = await io.read(NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, 4);
        saved.push(typeof r === 'number' ? new Uint8Array(4) : r.slice());
      }
      await io.write(0, NVSIM_FB_EVICT, u32(1));
      io.log(`video memory ${usage / MIB} MiB copied to system memory: full-off`);
    },
    async resume(io) {
      if (selfRefresh) {
        selfRefresh = false;
        await io.write(0, NVSIM_RTD3_CTRL, u32(0));
        const lost: number[] = [];
        for (let i = 0; i < chunks; i++) {
          const r = await io.read(NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, 4);
          if (typeof r === 'number' || !same(r, pattern(i))) lost.push(i);
        }
        io.log(lost.length ? `video memory LOST: ${lost.length} chunks` : 'video memory intact');
      } else if (saved) {
        const copy = saved;
        saved = null;
        for (const [i, data] of copy.entries())
          await io.write(NVIDIA_VRAM_BAR, i * NVIDIA_VRAM_CHUNK, data);
        io.log(`video memory restored from system memory`);
      }
      await io.write(0, NV_PMC_INTR_EN_0, u32(intrEn));
    },
  };
}
