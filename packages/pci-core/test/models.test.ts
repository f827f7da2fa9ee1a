import { describe, expect, it, vi } from 'vitest';
import {
  E1000E_CONFIG_AT_BOOT,
  E1000E_PM_CAP,
  H100_FIXTURE_URL,
  PCI_CAP_ID_EXP,
  PCI_CAP_ID_PM,
  PCI_COMMAND,
  PCI_D0,
  PCI_D3hot,
  PCI_EXT_CAP_ID_ACS,
  PCI_EXT_CAP_ID_DSN,
  PCI_EXT_CAP_ID_ERR,
  PCI_EXT_CAP_ID_LTR,
  PCI_EXT_CAP_ID_PWR,
  PCI_EXT_CAP_ID_VNDR,
  PCI_STATUS,
  QEMU_ROOT_PORT_CONFIG_AT_BOOT,
  ROOT_PORT_PM_CAP,
  builtinModels,
  createBuiltinHw,
  createFunctionHw,
  decodeBarFlags,
  findCapability,
  findExtCapability,
  formatLspciText,
  isBuiltinModelName,
  listCapabilities,
  listExtCapabilities,
  parseLspciText,
  readPmCapability,
  type FunctionHwOptions,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';
import {
  DEVICE_AT_BOOT_HEX,
  DEVICE_FACTS,
  ROOT_PORT_AT_BOOT_HEX,
  ROOT_PORT_FACTS,
} from './conformance-facts.js';
import { fromHex, toHex } from './helpers.js';

function build(name: string, ...rest: Parameters<typeof createBuiltinHw>[1][]): PciFunctionHw {
  const r = createBuiltinHw(name, rest[0]);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
const read = (hw: PciFunctionHw, off: number, len: number): string => {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = hw.configRead(off + i, 1);
  return toHex(out);
};
const chain = (hw: PciFunctionHw): [number, number][] =>
  listCapabilities(hw).entries.map((e) => [e.id, e.offset]);

describe('nvidia-h100 (fixtures/nvidia-h100-10de-2330.config)', () => {
  const hw = build('nvidia-h100');

  it('has the standard chain PM 0x40 → MSI 0x48 → PCI Express 0x60 → MSI-X 0xb0', () => {
    expect(read(hw, 0, 4)).toBe('de103023');
    const walk = listCapabilities(hw);
    expect(walk.end).toBe('end');
    expect(chain(hw)).toEqual([
      [0x01, 0x40],
      [0x05, 0x48],
      [0x10, 0x60],
      [0x11, 0xb0],
    ]);
  });

  it('has PMC 0x0013 and PMCSR 0x0008 (NoSoftRst set, D0, no PME_Support)', () => {
    const pm = readPmCapability(hw);
    expect(pm).toMatchObject({ offset: 0x40, pmc: 0x0013, pmcsr: 0x0008 });
    expect(pm?.caps).toMatchObject({ version: 3, d1: false, d2: false, pmeSupport: 0 });
    expect(pm?.ctrl).toMatchObject({
      state: 0,
      noSoftReset: true,
      pmeEnable: false,
      pmeStatus: false,
    });
    expect([hw.pmCap, hw.expCap]).toEqual([0x40, 0x60]);
  });

  it('walks the extended chain from 0x100 to its end at 0x2f0, ID-0 entries included', () => {
    const walk = listExtCapabilities(hw);
    expect(walk.end).toBe('end');
    expect(walk.entries.map((e) => [e.offset, e.id, e.version, e.next, e.hidden])).toEqual([
      [0x100, 0, 0, 0x12c, true],
      [0x12c, PCI_EXT_CAP_ID_LTR, 1, 0x134, false],
      [0x134, 0, 1, 0x1b8, true],
      [0x1b8, PCI_EXT_CAP_ID_ERR, 2, 0x248, false],
      [0x248, 0, 1, 0x250, true],
      [0x250, 0, 1, 0x2a4, true],
      [0x2a4, PCI_EXT_CAP_ID_VNDR, 1, 0x2b8, false],
      [0x2b8, PCI_EXT_CAP_ID_PWR, 1, 0x2f0, false],
      [0x2f0, PCI_EXT_CAP_ID_DSN, 1, 0, false],
    ]);
    expect(findExtCapability(hw, PCI_EXT_CAP_ID_DSN)).toBe(0x2f0);
  });

  it('has Command 0x0406, Status 0x0010, interrupt pin A, line 0xff', () => {
    expect([hw.configRead(PCI_COMMAND, 2), hw.configRead(PCI_STATUS, 2)]).toEqual([0x0406, 0x0010]);
    expect([hw.configRead(0x3d, 1), hw.configRead(0x3c, 1)]).toEqual([1, 0xff]);
  });

  it('has 64-bit prefetchable BARs 0, 2, 4 as the dump flag bits say', () => {
    const cfg = hw.snapshot();
    for (const slot of [0, 2, 4])
      expect(decodeBarFlags(cfg.readU32(0x10 + 4 * slot))).toEqual({
        kind: 'mem64',
        prefetchable: true,
      });
    expect(hw.bars.map((b) => [b.index, b.kind, b.prefetchable, b.size, b.contents])).toEqual([
      [0, 'mem64', true, 16 << 20, 'registers'],
      [2, 'mem64', true, 1 << 30, 'memory'],
      [4, 'mem64', true, 32 << 20, 'memory'],
    ]);
    hw.configWrite(0x18, 4, 0xffffffff);
    hw.configWrite(0x1c, 4, 0xffffffff);
    expect([hw.configRead(0x18, 4), hw.configRead(0x1c, 4)]).toEqual([0xc000000c, 0xffffffff]);
  });

  it('takes the real 128 GiB video memory BAR as an override', () => {
    const big = build('nvidia-h100', {
      name: 'gpu0',
      bars: [{ index: 2, size: 2 ** 37, contents: 'memory' }],
    });
    big.configWrite(0x18, 4, 0xffffffff);
    big.configWrite(0x1c, 4, 0xffffffff);
    expect([big.name, big.configRead(0x18, 4), big.configRead(0x1c, 4)]).toEqual([
      'gpu0',
      0x0000000c,
      0xffffffe0,
    ]);
    expect(big.barWrite(2, 2 ** 37 - 4, 4, 0x1234)).toBe(0);
    expect(big.barRead(2, 2 ** 37 - 4, 4)).toBe(0x1234);
  });

  it('does FLR on Initiate FLR (DevCap FLR set), keeping video memory', () => {
    const gpu = build('nvidia-h100');
    gpu.barWrite(2, 0, 4, 0xfeedf00d);
    gpu.configWrite(0x68, 2, 0x8000 | gpu.configRead(0x68, 2));
    expect([gpu.configRead(PCI_COMMAND, 2), gpu.configRead(0x10, 4), gpu.barRead(2, 0, 4)]).toEqual(
      [0, 0x0000000c, 0xfeedf00d],
    );
    expect(gpu.configRead(0x68, 2) & 0x8000).toBe(0);
  });

  it('reads its fixture relative to the module', () => {
    expect(H100_FIXTURE_URL.pathname).toMatch(
      /packages\/pci-core\/fixtures\/nvidia-h100-10de-2330\.config$/,
    );
  });
});

describe('e1000e (FORMAT.md section 7)', () => {
  const hw = build('e1000e');

  it('is built from the recorded boot dump', () => {
    expect(toHex(E1000E_CONFIG_AT_BOOT)).toBe(DEVICE_AT_BOOT_HEX);
  });

  it('is 8086:10d3 with a 4 KiB config space and interrupt pin A', () => {
    expect(read(hw, 0, 4)).toBe('8680d310');
    expect(DEVICE_FACTS.vendorDevice).toBe(builtinModels.e1000e.vendorDevice);
    expect([hw.cfgSize, hw.configRead(0x3d, 1), DEVICE_FACTS.intxPin]).toEqual([
      DEVICE_FACTS.configSize,
      1,
      'A',
    ]);
  });

  it('has PM 0xc8 → MSI 0xd0 → PCIe 0xe0 → MSI-X 0xa0', () => {
    expect(chain(hw)).toEqual(DEVICE_FACTS.capabilities.map((c) => [c.id, c.offset]));
  });

  it('has PMC 0x0022 and PMCSR 0x0000 at 0xc8 (no D1/D2, no PME_Support, NoSoftRst clear)', () => {
    const pm = readPmCapability(hw);
    expect([pm?.offset, pm?.pmc, pm?.pmcsr]).toEqual([
      DEVICE_FACTS.pmCap.offset,
      DEVICE_FACTS.pmCap.pmc,
      DEVICE_FACTS.pmCap.pmcsr,
    ]);
    expect(E1000E_PM_CAP).toBe(DEVICE_FACTS.pmCap.offset);
    expect(pm?.caps).toMatchObject({ version: 2, dsi: true, d1: false, d2: false, pmeSupport: 0 });
    expect(read(hw, 200, 8)).toMatch(/^0000220000000000$|^01d0220000000000$/);
  });

  it('starts with Command 0x0103 and Status 0x0010 (the unbind left it so)', () => {
    expect(read(hw, 4, 4)).toBe('03011000');
  });

  it('has a 128 KiB 32-bit memory BAR0 whose first dword reads 0x18140245 in D0', () => {
    expect(hw.bar(0)).toMatchObject({
      kind: 'mem32',
      prefetchable: false,
      size: DEVICE_FACTS.bars[0].size,
    });
    expect(hw.barRead(0, 0, 4)).toBe(0x18140245);
    hw.configWrite(0xcc, 2, 3);
    expect([hw.powerState, hw.barRead(0, 0, 4)]).toEqual([PCI_D3hot, 0xffffffff]);
    expect(read(hw, 0xcc, 2)).toBe('0300');
    hw.configWrite(0xcc, 2, 0);
    // NoSoftRst clear: the function reset itself; the kernel restores BARs and Command.
    expect([hw.powerState, hw.configRead(0x10, 4), hw.configRead(PCI_COMMAND, 2)]).toEqual([
      PCI_D0,
      0,
      0,
    ]);
    expect(hw.barRead(0, 0, 4)).toBe(0x18140245);
  });

  it('cannot signal PME and has no FLR', () => {
    const nic = build('e1000e');
    expect(nic.signalPme()).toBe(false);
    nic.configWrite(0xe8, 2, 0x8000);
    expect(nic.configRead(PCI_COMMAND, 2)).toBe(0x0103);
  });

  it('has AER and DSN in extended space (QEMU e1000e_pci_realize)', () => {
    expect(listExtCapabilities(hw).entries.map((e) => [e.id, e.offset])).toEqual([
      [PCI_EXT_CAP_ID_ERR, 0x100],
      [PCI_EXT_CAP_ID_DSN, 0x140],
    ]);
  });

  it('round-trips its boot dump through lspci text and the hardware', () => {
    const text = formatLspciText(
      E1000E_CONFIG_AT_BOOT,
      '01:00.0 Ethernet controller: Intel Corporation 82574L',
    );
    const parsed = parseLspciText(text);
    expect(parsed.ok && toHex(parsed.value.bytes)).toBe(DEVICE_AT_BOOT_HEX);
    const image = new Uint8Array(4096);
    image.set(fromHex(DEVICE_AT_BOOT_HEX));
    const r = createFunctionHw(image, builtinModels.e1000e.options);
    expect(r.ok && read(r.value, 0, 256)).toBe(DEVICE_AT_BOOT_HEX);
  });
});

describe('qemu-pcie-root-port (FORMAT.md section 7)', () => {
  const hw = build('qemu-pcie-root-port');

  it('is built from the recorded boot dump and round-trips it', () => {
    expect(toHex(QEMU_ROOT_PORT_CONFIG_AT_BOOT)).toBe(ROOT_PORT_AT_BOOT_HEX);
    expect(read(hw, 0, 256)).toBe(ROOT_PORT_AT_BOOT_HEX);
    expect(ROOT_PORT_FACTS.vendorDevice).toBe(builtinModels['qemu-pcie-root-port'].vendorDevice);
  });

  it('is a type-1 header with PCIe 0x54 → MSI-X 0x48 → SSVID 0x40 and no PM capability', () => {
    expect(hw.configRead(0x0e, 1)).toBe(1);
    expect(chain(hw)).toEqual([
      [0x10, 0x54],
      [0x11, 0x48],
      [0x0d, 0x40],
    ]);
    expect([findCapability(hw, PCI_CAP_ID_PM), hw.pmCap, ROOT_PORT_FACTS.pmCap]).toEqual([
      0,
      0,
      false,
    ]);
    expect(findCapability(hw, PCI_CAP_ID_EXP)).toBe(0x54);
  });

  it('treats DevCtl bit 15 as Bridge Configuration Retry Enable, not FLR', () => {
    const image = new Uint8Array(4096);
    image.set(QEMU_ROOT_PORT_CONFIG_AT_BOOT);
    image[0x5b] = 0x10; // DevCap bit 28 (FLR), which a port must not act on
    const r = createFunctionHw(image, { bars: [{ index: 0, size: 4096 }] });
    if (!r.ok) throw new Error(r.error);
    const port = r.value;
    port.configWrite(0x5c, 2, 0x800f);
    expect([port.configRead(0x5c, 2), port.configRead(PCI_COMMAND, 2)]).toEqual([0x800f, 0x0507]);
  });

  it('never leaves D0: no PMCSR to write, no PME', () => {
    expect([hw.powerState, hw.signalPme()]).toEqual([PCI_D0, false]);
  });

  it('has AER then ACS in extended space', () => {
    expect(findExtCapability(hw, PCI_EXT_CAP_ID_ACS)).toBe(0x148);
    expect(listExtCapabilities(hw).entries.map((e) => e.id)).toEqual([
      PCI_EXT_CAP_ID_ERR,
      PCI_EXT_CAP_ID_ACS,
    ]);
  });
});

describe('pcie-root-port-pm', () => {
  it('adds a PM capability (PME from D0/D3hot/D3cold) at the end of the QEMU chain', () => {
    const hw = build('pcie-root-port-pm');
    expect(chain(hw).at(-1)).toEqual([PCI_CAP_ID_PM, ROOT_PORT_PM_CAP]);
    expect(readPmCapability(hw)).toMatchObject({
      pmc: 0xc803,
      pmcsr: 0,
      caps: { pmeSupport: 0b11001 },
    });
    hw.configWrite(ROOT_PORT_PM_CAP + 4, 2, 3);
    expect(hw.powerState).toBe(PCI_D3hot);
    expect(hw.signalPme()).toBe(true);
  });
});

describe('model registry', () => {
  it('knows its models by name and explains unknown ones', () => {
    expect(Object.keys(builtinModels)).toEqual([
      'e1000e',
      'qemu-pcie-root-port',
      'pcie-root-port-pm',
      'nvidia-h100',
    ]);
    expect([isBuiltinModelName('e1000e'), isBuiltinModelName('toString')]).toEqual([true, false]);
    const r = createBuiltinHw('rtl8139');
    expect(!r.ok && r.error).toMatch(
      /unknown device model "rtl8139"; built-in: e1000e, qemu-pcie-root-port/,
    );
  });

  it('gives each model a fresh image', () => {
    for (const model of Object.values(builtinModels)) {
      const a = model.image();
      const b = model.image();
      expect(a.ok && b.ok && a.value !== b.value).toBe(true);
    }
  });
});

describe('built-in model hardware, derived once per model', () => {
  it('builds later functions of a model without its image, each with registers of its own', () => {
    const model = builtinModels.e1000e;
    const first = build('e1000e', { name: 'first' });
    const spy = vi.spyOn(model, 'image');
    try {
      const second = build('e1000e', { name: 'second' });
      const third = build('e1000e');
      expect(spy).not.toHaveBeenCalled();
      expect([first.name, second.name, third.name]).toEqual(['first', 'second', 'e1000e']);
      second.configWrite(PCI_COMMAND, 2, 0);
      expect(first.configRead(PCI_COMMAND, 2)).toBe(0x0103);
      expect(second.configRead(PCI_COMMAND, 2)).toBe(0);
      expect(read(third, 0, 256)).toBe(read(first, 0, 256));
    } finally {
      spy.mockRestore();
    }
  });

  it('derives again when the model has other options, and reports what they break', () => {
    const model = builtinModels['qemu-pcie-root-port'] as { options: FunctionHwOptions };
    const options = model.options;
    build('qemu-pcie-root-port');
    try {
      model.options = { bars: [{ index: 7, size: 4096 }] };
      const r = createBuiltinHw('qemu-pcie-root-port', { name: 'rp' });
      expect(!r.ok && r.error).toMatch(/^rp: BAR7: no such BAR slot/);
      model.options = { ...options, bars: [{ index: 0, size: 8192 }] };
      expect(build('qemu-pcie-root-port').bar(0)?.size).toBe(8192);
    } finally {
      model.options = options;
    }
    expect(build('qemu-pcie-root-port').bar(0)?.size).toBe(4096);
  });

  it('builds the long way when the overrides change more than the name', () => {
    const spy = vi.spyOn(builtinModels.e1000e, 'image');
    try {
      const hw = build('e1000e', { bars: [{ index: 0, size: 0x40000 }] });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(hw.bar(0)?.size).toBe(0x40000);
    } finally {
      spy.mockRestore();
    }
  });
});
