// KERNEL.md B.13: the SR-IOV helpers (pci_num_vf, pci_enable_sriov, pci_disable_sriov) and the
// sriov_numvfs sysfs file.
import { describe, expect, it } from 'vitest';
import { EBUSY, EINVAL, EIO, ENOENT, ENOSYS, Errno, msecs } from '@vfio-ts/kernel';
import {
  pciDisableSriov,
  pciEnableSriov,
  pciNumVf,
  pciSriovGetTotalvfs,
  type PciDev,
} from '@vfio-ts/pci-core';
import { machine, synthHw, TestDriver, type Machine } from './pci-machine.js';

const PF = '/sys/bus/pci/devices/0000:01:00.0';

async function pf(sriov: NonNullable<Parameters<typeof synthHw>[0]>['sriov'] = { total: 4 }) {
  return machine({ endpoint: { model: undefined, hw: synthHw({ sriov }) } });
}

/** A PF driver whose sriov_configure enables/disables VFs as vfio-pci's would. */
function pfDriver(): TestDriver {
  const drv = new TestDriver('pfdrv', [{ vendor: 0x1234, device: 0x5678 }]);
  drv.keepReference = true;
  drv.sriovConfigure = async (pdev: PciDev, n: number) => {
    if (!n) {
      await pciDisableSriov(pdev);
      return 0;
    }
    const ret = await pciEnableSriov(pdev, n);
    return ret < 0 ? ret : n;
  };
  return drv;
}

async function bindPf(m: Machine): Promise<TestDriver> {
  const drv = pfDriver();
  await m.k.run('reg', () => m.topo.registerDriver(drv));
  return drv;
}

describe('B.13.1 pci_num_vf and pci_enable_sriov / pci_disable_sriov', () => {
  it('B.13.1 0 for a non-PF; a PF counts its enabled VFs, 0 again after disabling', async () => {
    const m = await pf();
    const e = await machine();
    expect(pciNumVf(e.ep)).toBe(0);
    expect(pciSriovGetTotalvfs(e.ep)).toBe(0);
    expect(pciNumVf(m.ep)).toBe(0);
    expect(pciSriovGetTotalvfs(m.ep)).toBe(4);
    const t0 = m.k.clock.now();
    expect(await m.k.run('en', () => pciEnableSriov(m.ep, 2))).toBe(0);
    expect(m.k.clock.now() - t0).toBe(msecs(100));
    expect(pciNumVf(m.ep)).toBe(2);
    const vfs = [...m.ep.sriov!.vfs];
    expect(vfs.map((v) => v.bdf)).toEqual(['0000:01:00.1', '0000:01:00.2']);
    expect(vfs.every((v) => v.isVirtfn && v.physfn === m.ep && v.noCommandMemory)).toBe(true);
    expect(vfs[0]!.parent).toBe(m.rp);
    expect([vfs[0]!.vendor, vfs[0]!.device]).toEqual([0x1234, 0x5679]);
    expect(m.topo.lookup('0000:01:00.2')).toBe(vfs[1]);
    await m.k.run('dis', () => pciDisableSriov(m.ep));
    expect(pciNumVf(m.ep)).toBe(0);
    expect(m.topo.lookup('0000:01:00.1')).toBeUndefined();
    expect(vfs[0]!.registered).toBe(false);
    await m.k.run('dis', () => pciDisableSriov(m.ep));
    await m.k.run('dis', () => pciDisableSriov(e.ep));
  });

  it('B.13.1 argument checks: not a PF, zero, twice, too many, bad InitialVFs', async () => {
    const e = await machine();
    expect(await e.k.run('en', () => pciEnableSriov(e.ep, 1))).toBe(-ENOSYS);
    const m = await pf({ total: 4, initial: 2 });
    expect(await m.k.run('en', () => pciEnableSriov(m.ep, 1))).toBe(-EIO);
    const v = await pf({ total: 4, initial: 2, vfm: true });
    expect(await v.k.run('en', () => pciEnableSriov(v.ep, 0))).toBe(0);
    expect(await v.k.run('en', () => pciEnableSriov(v.ep, 5))).toBe(-EINVAL);
    expect(await v.k.run('en', () => pciEnableSriov(v.ep, 3))).toBe(0);
    expect(await v.k.run('en', () => pciEnableSriov(v.ep, 1))).toBe(-EINVAL);
    const w = await pf({ total: 4, initial: 5, vfm: true });
    expect(await w.k.run('en', () => pciEnableSriov(w.ep, 1))).toBe(-EIO);
    const x = await pf({ total: 4 });
    expect(await x.k.run('en', () => pciEnableSriov(x.ep, 1.5))).toBe(-EINVAL);
  });

  it('B.13.1 new VFs are probed by matching drivers unless autoprobe is off (driver_override wins)', async () => {
    const m = await pf();
    const vfDrv = new TestDriver('vfdrv', [{ vendor: 0x1234, device: 0x5679 }]);
    await m.k.run('reg', () => m.topo.registerDriver(vfDrv));
    await m.k.run('en', () => pciEnableSriov(m.ep, 1));
    expect(m.ep.sriov!.vfs[0]!.driver?.name).toBe('vfdrv');
    await m.k.run('dis', () => pciDisableSriov(m.ep));
    expect(vfDrv.calls).toContain('remove 0000:01:00.1');
    m.ep.sriov!.driversAutoprobe = false;
    await m.k.run('en', () => pciEnableSriov(m.ep, 1));
    const vf = m.ep.sriov!.vfs[0]!;
    expect(vf.driver).toBeNull();
    vf.driverOverride = 'vfdrv';
    expect(await m.k.run('p', () => m.sysfs.write('/sys/bus/pci/drivers_probe', vf.bdf))).toBe(12);
    expect(vf.driver?.name).toBe('vfdrv');
  });

  it('B.13.1 a PF given its own VF hardware uses it', async () => {
    const m = await machine({
      endpoint: {
        model: undefined,
        hw: synthHw({ sriov: { total: 2, offset: 8, stride: 2 } }),
        vfHw: (_pf, i) => synthHw({ name: `vf${i}`, pmc: null }),
      },
    });
    await m.k.run('en', () => pciEnableSriov(m.ep, 2));
    expect(m.ep.sriov!.vfs.map((v) => [v.bdf, v.hw.name])).toEqual([
      ['0000:01:01.0', 'vf0'],
      ['0000:01:01.2', 'vf1'],
    ]);
  });
});

describe('B.13 sysfs sriov_numvfs / sriov_totalvfs', () => {
  it('B.13 the PF driver configures VFs through sriov_numvfs', async () => {
    const m = await pf();
    expect(m.sysfs.read(`${PF}/sriov_totalvfs`)).toBe('4\n');
    expect(m.sysfs.read(`${PF}/sriov_numvfs`)).toBe('0\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '2'))).toBe(-ENOENT);
    const drv = await bindPf(m);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '2\n'))).toBe(2);
    expect(m.sysfs.read(`${PF}/sriov_numvfs`)).toBe('2\n');
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '2'))).toBe(1);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '3'))).toBe(-EBUSY);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '5'))).toBe(-Errno.ERANGE);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '70000'))).toBe(-EINVAL);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, 'two'))).toBe(-EINVAL);
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '0'))).toBe(1);
    expect(pciNumVf(m.ep)).toBe(0);
    drv.sriovConfigure = () => -EIO;
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '1'))).toBe(-EIO);
    drv.sriovConfigure = () => 1;
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '2'))).toBe(1);
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: 2 VFs requested; only 1 enabled',
    );
    drv.sriovConfigure = () => -EIO;
    m.ep.sriov!.numVFs = 1;
    expect(await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '0'))).toBe(-EIO);
    const e = await machine();
    expect(e.sysfs.read('/sys/bus/pci/devices/0000:01:00.0/sriov_numvfs')).toBe(-ENOENT);
  });

  it('B.13 a driver removed with VFs still enabled is warned about', async () => {
    const m = await pf();
    await bindPf(m);
    await m.k.run('w', () => m.sysfs.write(`${PF}/sriov_numvfs`, '1'));
    await m.k.run('u', () => m.sysfs.write('/sys/bus/pci/drivers/pfdrv/unbind', '0000:01:00.0'));
    expect(m.k.log.map((l) => l.text)).toContain(
      'pci 0000:01:00.0: driver left SR-IOV enabled after remove',
    );
  });
});
