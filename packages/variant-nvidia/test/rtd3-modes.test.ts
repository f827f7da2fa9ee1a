// The two RTD3 modes and the host re-entry policy (KERNEL.md F.3.3): full-off lets a host
// lspci wake end in D3cold again by itself; self-refresh keeps the GPU in D0 after the wake
// until the guest engages self-refresh and enters low power again, and nothing is lost.
import { describe, expect, it } from 'vitest';
import { NvidiaVfioPciVariant, nvidiaGpuModel } from '@vfio-ts/variant-nvidia';
import type { VfioPciCoreDevice } from '@vfio-ts/vfio-pci';
import {
  BDF,
  H100_D3COLD,
  H100_D3HOT,
  MiB,
  attr,
  engageSelfRefresh,
  entry,
  evict,
  exit,
  fillVram,
  machines,
  openGpu,
  rtd3Get,
  rtd3Set,
  vramMismatches,
} from './helpers.js';

const { boot, expectViolations } = machines();

/** The wrong policy: lets the host re-enter low power in self-refresh mode too. */
class EagerReentryVariant extends NvidiaVfioPciVariant {
  override hostReentry(_vdev: VfioPciCoreDevice): boolean {
    return true;
  }
}

describe('full-off mode', () => {
  it('after the guest evicts video memory, a host lspci wake lets the GPU return to D3cold by itself', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 8);
    expect(await rtd3Get(p, fd)).toMatchObject({ mode: 'full-off', usageBytes: 8 * MiB });
    expect(await evict(p, fd)).toBe(4);
    expect(await rtd3Get(p, fd)).toMatchObject({ mode: 'full-off', usageBytes: 0 });
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(await m.host.lspci(BDF)).toEqual(expect.any(String));
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(true);
    expect(await exit(p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D0');
    await p.exit();
  });

  it('a guest that enters without evicting loses its video memory', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 3);
    expect(await entry(m, p, fd)).toBe(0);
    expect(m.invariants()).toEqual([
      `video memory lost: ${BDF}: 3 MiB of video memory lost at power-off (mode full-off, self-refresh not engaged)`,
    ]);
    expect(await exit(p, fd)).toBe(0);
    expect(await vramMismatches(p, fd, 3)).toEqual([0, 1, 2]);
    expect(await rtd3Get(p, fd)).toMatchObject({ usageBytes: 0 });
    await p.exit();
    expectViolations(/^video memory lost: /);
  });
});

describe('a guest that engages self-refresh below the threshold', () => {
  it('keeps its video memory across a host lspci wake: the host does not re-enter by itself', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 8);
    expect(await engageSelfRefresh(p, fd)).toBe(4);
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(await m.host.lspci(BDF)).toEqual(expect.any(String));
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D0');
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(false);
    expect(await vramMismatches(p, fd, 8)).toEqual([]);
    await p.exit();
  });
});

describe('self-refresh mode', () => {
  it('above the default 200 MiB threshold the mode is self-refresh', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 200);
    expect(await rtd3Get(p, fd)).toEqual({
      mode: 'full-off',
      selfRefresh: false,
      usageBytes: 200 * MiB,
      thresholdBytes: 200 * MiB,
    });
    await fillVram(p, fd, 201);
    expect(await rtd3Get(p, fd)).toMatchObject({ mode: 'self-refresh', usageBytes: 201 * MiB });
    await p.exit();
  });

  it('after a host lspci wake the GPU stays in D0 until the guest re-arms, and no video memory is lost', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 201); // above the default 200 MiB threshold
    expect(await engageSelfRefresh(p, fd)).toBe(4);
    expect(await rtd3Get(p, fd)).toMatchObject({ mode: 'self-refresh', selfRefresh: true });
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(await m.host.lspci(BDF)).toEqual(expect.any(String));
    await m.settle();
    // Power came back: the GPU dropped self-refresh; the host must not cut power again.
    expect(attr(m, 'power_state')).toBe('D0');
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(false);
    expect(nvidiaGpuModel(m.vfioPciDevice(BDF)!)!.selfRefresh).toBe(false);
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D0');
    // The guest re-arms: self-refresh, then entry.
    expect(await engageSelfRefresh(p, fd)).toBe(4);
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(await exit(p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D0');
    expect(await vramMismatches(p, fd, 201)).toEqual([]);
    expect(await rtd3Get(p, fd)).toMatchObject({ usageBytes: 201 * MiB, selfRefresh: false });
    await p.exit();
  });

  it('a wrong policy (host re-entry in self-refresh mode) is caught as video memory lost', async () => {
    const m = await boot({ ...H100_D3COLD, variants: [EagerReentryVariant] });
    const p = m.process();
    const fd = await openGpu(p);
    expect(await rtd3Set(p, fd, 2 * MiB)).toBe(0);
    await fillVram(p, fd, 4);
    expect(await engageSelfRefresh(p, fd)).toBe(4);
    expect(await entry(m, p, fd)).toBe(0);
    expect(m.invariants()).toEqual([]);
    await m.host.lspci(BDF);
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(m.invariants()).toEqual([
      `video memory lost: ${BDF}: 4 MiB of video memory lost at power-off (mode self-refresh, self-refresh not engaged)`,
    ]);
    await p.exit();
    expectViolations(/^video memory lost: /);
  });

  it('a guest that enters without engaging self-refresh loses its video memory', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    expect(await rtd3Set(p, fd, 1 * MiB)).toBe(0);
    await fillVram(p, fd, 2);
    expect(await engageSelfRefresh(p, fd)).toBe(4);
    expect(await engageSelfRefresh(p, fd, false)).toBe(4);
    expect(await entry(m, p, fd)).toBe(0);
    expect(m.invariants()).toEqual([
      `video memory lost: ${BDF}: 2 MiB of video memory lost at power-off (mode self-refresh, self-refresh not engaged)`,
    ]);
    await p.exit();
    expectViolations(/^video memory lost: /);
  });

  it('D3hot keeps power: the wake still ends the engagement, nothing is lost', async () => {
    const m = await boot(H100_D3HOT);
    const p = m.process();
    const fd = await openGpu(p);
    expect(await rtd3Set(p, fd, 0)).toBe(0);
    await fillVram(p, fd, 1);
    expect(await entry(m, p, fd)).toBe(0);
    expect(attr(m, 'power_state')).toBe('D3hot');
    // A config read of the host does not wake a D3hot device (B.11.3); an ioctl does.
    await m.host.lspci(BDF);
    expect(attr(m, 'power_state')).toBe('D3hot');
    expect(await rtd3Get(p, fd)).toMatchObject({ mode: 'self-refresh' });
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D0');
    expect(m.vfioPciDevice(BDF)!.pmRuntimeEngaged).toBe(false);
    expect(await vramMismatches(p, fd, 1)).toEqual([]);
    await p.exit();
  });
});

describe('video memory without a user', () => {
  it('is not reported lost when the device is closed and suspends', async () => {
    const m = await boot();
    const p = m.process();
    const fd = await openGpu(p);
    await fillVram(p, fd, 3);
    await p.close(fd);
    await m.settle();
    expect(attr(m, 'power_state')).toBe('D3cold');
    expect(nvidiaGpuModel(m.vfioPciDevice(BDF)!)!.usageBytes).toBe(0);
  });
});
