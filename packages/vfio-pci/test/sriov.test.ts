import { describe, expect, it } from 'vitest';
import { EINVAL, ENOENT } from '@vfio-ts/kernel';
import { PCI_D0, PciSysfs, pciEnableSriov, pciNumVf } from '@vfio-ts/pci-core';
import { BDF, cfgWrite, e1000eHw, open, setup, type SetupOptions } from './machine.js';

const put32 = (img: Uint8Array, off: number, v: number): void =>
  new DataView(img.buffer, img.byteOffset).setUint32(off, v >>> 0, true);
const put16 = (img: Uint8Array, off: number, v: number): void =>
  new DataView(img.buffer, img.byteOffset).setUint16(off, v, true);

// An e1000e with an SR-IOV capability at 0x180 (2 VFs at offset 1, stride 1).
function pfHw(): ReturnType<typeof e1000eHw> {
  return e1000eHw((img) => {
    put32(img, 0x140, (0x180 << 20) | (1 << 16) | 0x0003);
    put32(img, 0x180, (1 << 16) | 0x0010);
    put16(img, 0x18c, 2);
    put16(img, 0x18e, 2);
    put16(img, 0x194, 1);
    put16(img, 0x196, 1);
    put16(img, 0x19a, 0x10d4);
  });
}

const NUMVFS = `/sys/bus/pci/devices/${BDF}/sriov_numvfs`;

async function pf(opts: SetupOptions = {}) {
  const m = await setup({ endpoint: { hw: pfHw() }, ...opts });
  return { m, sysfs: new PciSysfs(m.topo) };
}

describe('D.14 SR-IOV', () => {
  it('D.2 without enable_sriov a sriov_numvfs write is -ENOENT', async () => {
    const { m, sysfs } = await pf();
    expect(await m.k.run('w', () => sysfs.write(NUMVFS, '1'))).toBe(-ENOENT);
    expect(pciNumVf(m.ep)).toBe(0);
  });

  it('enabling VFs resumes the PF and holds it; D3hot requests then fail silently (D.8.5); 0 undoes it', async () => {
    const { m, sysfs } = await pf({ enableSriov: true });
    const fd = await open(m);
    expect(await m.k.run('w', () => sysfs.write(NUMVFS, '2'))).toBe(1);
    expect(pciNumVf(m.ep)).toBe(2);
    expect(m.vdev.sriovActive).toBe(true);
    expect(m.ep.power.usageCount).toBe(2);
    expect(await cfgWrite(m, fd, 0xcc, 2, 3)).toBe(2);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(await m.k.run('w', () => sysfs.write(NUMVFS, '0'))).toBe(1);
    expect(pciNumVf(m.ep)).toBe(0);
    expect(m.vdev.sriovActive).toBe(false);
    expect(m.ep.power.usageCount).toBe(1);
  });

  it('D.7.3 enabling VFs on an unused, suspended PF resumes it', async () => {
    const { m, sysfs } = await pf({ enableSriov: true });
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(await m.k.run('w', () => sysfs.write(NUMVFS, '1'))).toBe(1);
    await m.k.settle();
    expect(m.ep.power.runtimeStatus).toBe('active');
  });

  it('D.3.3 unbinding disables the VFs', async () => {
    const { m, sysfs } = await pf({ enableSriov: true });
    await m.k.run('w', () => sysfs.write(NUMVFS, '1'));
    await m.k.run('unbind', () => m.topo.unregisterDriver('vfio-pci'));
    expect(pciNumVf(m.ep)).toBe(0);
  });

  it('D.3.2 step 4 binding to a PF that already has VFs is refused with -EBUSY', async () => {
    const { m } = await pf({ bind: false });
    await m.k.run('sriov', () => pciEnableSriov(m.ep, 1));
    await m.k.run('bind', () => m.topo.registerDriver(m.drv));
    expect(m.ep.driver).toBeNull();
    expect(m.k.log.some((l) => l.text.includes('Cannot bind to PF with SR-IOV enabled'))).toBe(
      true,
    );
  });

  it('D.14 step 1 a second enable while VFs exist is -EINVAL', async () => {
    const { m } = await pf({ enableSriov: true });
    expect(await m.k.run('cfg', () => m.drv.sriovConfigure!(m.ep, 1))).toBe(1);
    expect(await m.k.run('cfg', () => m.drv.sriovConfigure!(m.ep, 1))).toBe(-EINVAL);
    expect(pciNumVf(m.ep)).toBe(1);
  });

  it('a failed enable (more VFs than the PF has) drops the reference again', async () => {
    const { m } = await pf({ enableSriov: true });
    const fd = await open(m);
    expect(fd).toBe(0);
    const ret = await m.k.run('cfg', () => m.drv.sriovConfigure!(m.ep, 3));
    expect(ret).toBeLessThan(0);
    expect(m.ep.power.usageCount).toBe(1);
    expect(m.vdev.sriovActive).toBe(false);
  });
});
