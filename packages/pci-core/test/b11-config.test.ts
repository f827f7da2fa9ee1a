// KERNEL.md B.11: config accessors, D3cold, and host user-space config access through sysfs.
import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, EIO, ENODEV, ENOENT, ENOSPC, ENOTTY, Errno, msecs } from '@vfio-ts/kernel';
import {
  createFunctionHw,
  PCIBIOS_BAD_REGISTER_NUMBER,
  PCIBIOS_BAD_VENDOR_ID,
  PCIBIOS_BUFFER_TOO_SMALL,
  PCIBIOS_DEVICE_NOT_FOUND,
  PCIBIOS_FUNC_NOT_SUPPORTED,
  PCIBIOS_SET_FAILED,
  PCIBIOS_SUCCESSFUL,
  PCI_D0,
  PCI_D3cold,
  PCI_D3hot,
  pciCfgAccessLock,
  pciCfgAccessTrylock,
  pciCfgAccessUnlock,
  pciDevSetDisconnected,
  pciPossibleError,
  pciReadConfigByte,
  pciReadConfigDword,
  pciReadConfigWord,
  pciUserReadConfigByte,
  pciUserReadConfigDword,
  pciUserReadConfigWord,
  pciUserWriteConfigByte,
  pciUserWriteConfigDword,
  pciUserWriteConfigWord,
  pciWriteConfigByte,
  pciWriteConfigDword,
  pciWriteConfigWord,
  pcibiosErrToErrno,
  type PciConfigValue,
} from '@vfio-ts/pci-core';
import { readCfg, writeCfg } from '../src/pci/access.js';
import { machine, synthHw, TestDriver, hex } from './pci-machine.js';

const CONFIG = '/sys/bus/pci/devices/0000:01:00.0/config';

describe('B.11.1 kernel config accessors', () => {
  it('B.11.1 byte/word/dword reads and writes reach the function', async () => {
    const m = await machine();
    const v: PciConfigValue = { value: 0 };
    expect(pciReadConfigDword(m.ep, 0, v)).toBe(PCIBIOS_SUCCESSFUL);
    expect(v.value).toBe(0x10d38086);
    expect(pciReadConfigWord(m.ep, 2, v)).toBe(0);
    expect(v.value).toBe(0x10d3);
    expect(pciReadConfigByte(m.ep, 0x3d, v)).toBe(0);
    expect(v.value).toBe(1);
    expect(pciWriteConfigByte(m.ep, 0x0c, 0x10)).toBe(0);
    expect(pciWriteConfigWord(m.ep, 0x04, 0x0107)).toBe(0);
    expect(pciWriteConfigDword(m.ep, 0x10, 0xfe700000)).toBe(0);
    expect([
      m.ep.hw.configRead(0x0c, 1),
      m.ep.hw.configRead(4, 2),
      m.ep.hw.configRead(0x10, 4),
    ]).toEqual([0x10, 0x0107, 0xfe700000]);
  });

  it('B.11.1 a disconnected device: all ones and PCIBIOS_DEVICE_NOT_FOUND, no bus access', async () => {
    const m = await machine();
    pciDevSetDisconnected(m.ep);
    const accesses: unknown[] = [];
    m.ep.hw.subscribe((e) => void (e.type === 'access' && accesses.push(e)));
    const v: PciConfigValue = { value: 0 };
    expect(pciReadConfigWord(m.ep, 0, v)).toBe(PCIBIOS_DEVICE_NOT_FOUND);
    expect(v.value).toBe(0xffff);
    expect(pciWriteConfigWord(m.ep, 4, 0)).toBe(PCIBIOS_DEVICE_NOT_FOUND);
    expect(accesses).toEqual([]);
  });

  it('B.11.1 no power-state check: D3cold reads all ones (recorded), writes are dropped', async () => {
    const m = await machine();
    m.ep.hw.powerOff();
    m.ep.currentState = PCI_D3cold;
    const v: PciConfigValue = { value: 0 };
    expect(pciReadConfigDword(m.ep, 0, v)).toBe(0);
    expect(pciPossibleError(v.value, 4)).toBe(true);
    expect(pciWriteConfigWord(m.ep, 4, 0)).toBe(0);
    expect(m.ep.hw.violations.map((a) => a.kind)).toEqual(['config-read', 'config-write']);
  });

  it('B.11.1 misaligned → PCIBIOS_BAD_REGISTER_NUMBER (value untouched); past 4 KiB → -EINVAL', async () => {
    const m = await machine();
    const v: PciConfigValue = { value: 7 };
    expect(pciReadConfigWord(m.ep, 1, v)).toBe(PCIBIOS_BAD_REGISTER_NUMBER);
    expect(pciReadConfigDword(m.ep, 2, v)).toBe(PCIBIOS_BAD_REGISTER_NUMBER);
    expect(v.value).toBe(7);
    expect(pciWriteConfigDword(m.ep, 6, 0)).toBe(PCIBIOS_BAD_REGISTER_NUMBER);
    expect(pciReadConfigDword(m.ep, 4096, v)).toBe(-EINVAL);
    expect(v.value).toBe(0xffffffff);
    expect(pciReadConfigByte(m.ep, -1, v)).toBe(-EINVAL);
    expect(pciWriteConfigByte(m.ep, 4096, 0)).toBe(-EINVAL);
    expect(pciReadConfigDword(m.ep, 0.5, v)).toBe(-EINVAL);
  });

  it('B.11.1 a 256-byte function reads all ones above 0xff and ignores writes there', async () => {
    const img = synthHw({ pcieType: null });
    const m = await machine({ endpoint: { model: undefined, hw: img } });
    expect(m.ep.cfgSize).toBe(4096);
    const small = await machine({ endpoint: { model: undefined, hw: smallHw() } });
    const v: PciConfigValue = { value: 0 };
    expect(pciReadConfigDword(small.ep, 0x100, v)).toBe(0);
    expect(v.value).toBe(0xffffffff);
    expect(pciWriteConfigDword(small.ep, 0x100, 1)).toBe(0);
  });

  it('B.11.1 internal reads yield all ones and writes drop where the accessors refuse', async () => {
    const m = await machine();
    const small = await machine({ endpoint: { model: undefined, hw: smallHw() } });
    const accesses: unknown[] = [];
    m.ep.hw.subscribe((e) => void (e.type === 'access' && accesses.push(e)));
    small.ep.hw.subscribe((e) => void (e.type === 'access' && accesses.push(e)));
    expect([
      readCfg(m.ep, 1, 2),
      readCfg(m.ep, 2, 4),
      readCfg(m.ep, 4096, 4),
      readCfg(m.ep, -1, 1),
      readCfg(m.ep, 0.5, 4),
      readCfg(small.ep, 0x100, 4),
    ]).toEqual([0xffff, 0xffffffff, 0xffffffff, 0xff, 0xffffffff, 0xffffffff]);
    writeCfg(m.ep, 6, 4, 0);
    writeCfg(m.ep, 4096, 1, 0);
    writeCfg(small.ep, 0x100, 4, 1);
    expect(accesses).toEqual([]);
    expect(readCfg(m.ep, 0, 4)).toBe(0x10d38086);
    expect(accesses).toHaveLength(1);
  });

  it('B.11.1 pcibios_err_to_errno', () => {
    expect(
      [
        PCIBIOS_SUCCESSFUL,
        PCIBIOS_FUNC_NOT_SUPPORTED,
        PCIBIOS_BAD_VENDOR_ID,
        PCIBIOS_DEVICE_NOT_FOUND,
        PCIBIOS_BAD_REGISTER_NUMBER,
        PCIBIOS_SET_FAILED,
        PCIBIOS_BUFFER_TOO_SMALL,
        0x99,
        -EINVAL,
      ].map(pcibiosErrToErrno),
    ).toEqual([0, -ENOENT, -ENOTTY, -ENODEV, -EFAULT, -EIO, -ENOSPC, -Errno.ERANGE, -EINVAL]);
  });
});

describe('B.11.2 user config accessors', () => {
  it('B.11.2 misaligned → -EINVAL; success → 0; errors give all ones', async () => {
    const m = await machine();
    const v: PciConfigValue = { value: 0 };
    await m.k.run('u', async () => {
      expect(await pciUserReadConfigWord(m.ep, 3, v)).toBe(-EINVAL);
      expect(await pciUserReadConfigDword(m.ep, 2, v)).toBe(-EINVAL);
      expect(await pciUserWriteConfigWord(m.ep, 1, 0)).toBe(-EINVAL);
      expect(await pciUserWriteConfigDword(m.ep, 0.5, 0)).toBe(-EINVAL);
      expect(await pciUserReadConfigByte(m.ep, 0, v)).toBe(0);
      expect(v.value).toBe(0x86);
      expect(await pciUserReadConfigDword(m.ep, 4096, v)).toBe(-EINVAL);
      expect(v.value).toBe(0xffffffff);
      expect(await pciUserWriteConfigByte(m.ep, 0x0c, 8)).toBe(0);
      expect(await pciUserWriteConfigWord(m.ep, 0x04, 0x0103)).toBe(0);
      expect(await pciUserWriteConfigDword(m.ep, 0x4000, 0)).toBe(-EINVAL);
    });
    expect(m.ep.hw.configRead(0x0c, 1)).toBe(8);
  });

  it('B.11.2 while config access is blocked, a user access sleeps until it is unblocked', async () => {
    const m = await machine();
    const v: PciConfigValue = { value: 0 };
    let readAt = -1;
    await m.k.run('lock', () => pciCfgAccessLock(m.ep));
    expect(pciCfgAccessTrylock(m.ep)).toBe(false);
    const reader = m.k.run('reader', async () => {
      await pciUserReadConfigWord(m.ep, 0, v);
      readAt = m.k.clock.now();
    });
    const unlocker = m.k.run('unlocker', async () => {
      await m.k.sched.sleep(msecs(5));
      pciCfgAccessUnlock(m.ep);
    });
    await Promise.all([reader, unlocker]);
    expect(readAt).toBe(msecs(5));
    expect(v.value).toBe(0x8086);
    expect(pciCfgAccessTrylock(m.ep)).toBe(true);
    pciCfgAccessUnlock(m.ep);
    pciCfgAccessUnlock(m.ep);
    expect(m.k.defects.map((d) => d.message)).toEqual([
      'pci 0000:01:00.0: pci_cfg_access_unlock() while not blocked',
    ]);
  });

  it('B.11.2 pci_cfg_access_lock waits for another holder', async () => {
    const m = await machine();
    await m.k.run('a', () => pciCfgAccessLock(m.ep));
    const b = m.k.run('b', async () => {
      await pciCfgAccessLock(m.ep);
      return m.k.clock.now();
    });
    await m.k.run('c', async () => {
      await m.k.sched.sleep(msecs(3));
      pciCfgAccessUnlock(m.ep);
    });
    expect(await b).toBe(msecs(3));
    expect(m.ep.blockCfgAccess).toBe(true);
    await m.k.run('u', async () => {
      const v = { value: 0 };
      pciCfgAccessUnlock(m.ep);
      expect(await pciUserWriteConfigWord(m.ep, 4, 0x0103)).toBe(0);
      expect(await pciUserReadConfigWord(m.ep, 4, v)).toBe(0);
    });
  });
});

describe('B.11.3 host sysfs config read (lspci)', () => {
  it('B.11.3 a runtime-suspended device in D3hot is not woken; its parent is resumed for the read', async () => {
    const m = await machine({ biosYear: 2020 });
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect([m.ep.currentState, m.rp.power.runtimeStatus]).toEqual([PCI_D3hot, 'suspended']);
    const bytes = await m.k.run('lspci', () => m.sysfs.readBinary(CONFIG, 0, 256));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(hex((bytes as Uint8Array).subarray(0, 4))).toBe('8680d310');
    expect((bytes as Uint8Array)[0xcc]! & 3).toBe(3);
    expect(m.ep.power.runtimeStatus).toBe('suspended');
    expect(drv.calls.filter((c) => c.startsWith('resume'))).toEqual([]);
    expect(m.rp.power.runtimeStatus).toBe('active');
    expect(m.rp.currentState).toBe(PCI_D0);
    expect(m.ep.power.usageCount).toBe(0);
    await m.k.settle();
    expect(m.rp.power.runtimeStatus).toBe('suspended');
  });

  it('B.11.3 a device in D3cold is resumed first (the driver sees a resume), then read', async () => {
    const m = await machine({ acpi: true, rootPort: { d3cold: true } });
    const drv = new TestDriver();
    await m.k.run('reg', () => m.topo.registerDriver(drv));
    await m.k.settle();
    expect(m.ep.currentState).toBe(PCI_D3cold);
    const bytes = (await m.k.run('lspci', () => m.sysfs.readBinary(CONFIG, 0, 64))) as Uint8Array;
    expect(hex(bytes.subarray(0, 4))).toBe('8680d310');
    expect(drv.calls).toContain('resume 0000:01:00.0');
    expect(m.ep.hw.violations).toEqual([]);
    // pm_runtime_put(dev) is async: the device suspends again later.
    expect(m.ep.power.runtimeStatus).toBe('active');
    await m.k.settle();
    expect(m.ep.currentState).toBe(PCI_D3cold);
  });

  it.each([
    [0, 4],
    [1, 7],
    [2, 3],
    [3, 1],
    [5, 10],
    [0xfe, 8],
    [4090, 100],
  ])(
    'B.11.3 a read of %s bytes at %s matches the function, clamped to the config size',
    async (off, count) => {
      const m = await machine();
      const bytes = (await m.k.run('r', () =>
        m.sysfs.readBinary(CONFIG, off, count),
      )) as Uint8Array;
      const want = m.ep.hw.snapshot().bytes.subarray(off, Math.min(off + count, 4096));
      expect(hex(bytes)).toBe(hex(want));
    },
  );

  it('B.11.3 offsets at or past the end read 0 bytes; bad spans are -EINVAL; other files do not exist', async () => {
    const m = await machine();
    expect(await m.k.run('r', () => m.sysfs.readBinary(CONFIG, 4096, 4))).toEqual(
      new Uint8Array(0),
    );
    expect(await m.k.run('r', () => m.sysfs.readBinary(CONFIG, 5000, 4))).toEqual(
      new Uint8Array(0),
    );
    expect(await m.k.run('r', () => m.sysfs.readBinary(CONFIG, -1, 4))).toBe(-EINVAL);
    expect(await m.k.run('r', () => m.sysfs.readBinary(CONFIG, 0, 1.5))).toBe(-EINVAL);
    expect(
      await m.k.run('r', () =>
        m.sysfs.readBinary('/sys/bus/pci/devices/0000:01:00.0/vendor', 0, 4),
      ),
    ).toBe(-EINVAL);
    expect(
      await m.k.run('r', () =>
        m.sysfs.readBinary('/sys/bus/pci/devices/0000:09:00.0/config', 0, 4),
      ),
    ).toBe(-ENOENT);
    expect(m.sysfs.read(CONFIG)).toBe(-EINVAL);
  });
});

describe('B.11.4 host sysfs config write', () => {
  it('B.11.4 goes straight to the hardware (current_state is bypassed), clamped to the config size', async () => {
    const m = await machine();
    const n = await m.k.run('w', () =>
      m.sysfs.writeBinary(CONFIG, 0xcc, new Uint8Array([0x03, 0x00])),
    );
    expect(n).toBe(2);
    expect(m.ep.hw.powerState).toBe(PCI_D3hot);
    expect(m.ep.currentState).toBe(PCI_D0);
    expect(await m.k.run('w', () => m.sysfs.writeBinary(CONFIG, 4094, new Uint8Array(8)))).toBe(2);
    expect(await m.k.run('w', () => m.sysfs.writeBinary(CONFIG, 4097, new Uint8Array(8)))).toBe(0);
    expect(await m.k.run('w', () => m.sysfs.writeBinary(CONFIG, -2, new Uint8Array(8)))).toBe(
      -EINVAL,
    );
    expect(
      await m.k.run('w', () => m.sysfs.writeBinary(CONFIG, 0x0c, new Uint8Array([0x10]))),
    ).toBe(1);
    expect(m.ep.hw.configRead(0x0c, 1)).toBe(0x10);
    expect(
      await m.k.run('w', () =>
        m.sysfs.writeBinary('/sys/bus/pci/devices/0000:01:00.0/nope', 0, new Uint8Array(1)),
      ),
    ).toBe(-ENOENT);
  });

  it.each([
    [1, 1],
    [1, 7],
    [2, 6],
    [0x10, 8],
    [0x3c, 3],
  ])('B.11.4 a write at %s of %s bytes reaches the function byte for byte', async (off, count) => {
    const m = await machine();
    const data = Uint8Array.from({ length: count }, (_, i) => (0x11 * (i + 1)) & 0xff);
    const seen = new Map<number, number>();
    m.ep.hw.subscribe((e) => {
      if (e.type !== 'access' || e.kind !== 'config-write') return;
      for (let i = 0; i < e.width; i++) seen.set(e.offset + i, (e.value >>> (8 * i)) & 0xff);
    });
    expect(await m.k.run('w', () => m.sysfs.writeBinary(CONFIG, off, data))).toBe(count);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(
      Array.from({ length: count }, (_, i) => off + i),
    );
    expect(Array.from({ length: count }, (_, i) => seen.get(off + i))).toEqual([...data]);
  });
});

function smallHw() {
  const hw = synthHw({ pcieType: null });
  const r = new Uint8Array(256);
  r.set(hw.snapshot().bytes.subarray(0, 256));
  return synthFromBytes(r);
}

function synthFromBytes(bytes: Uint8Array) {
  const r = createFunctionHw(bytes, { name: 'small' });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
