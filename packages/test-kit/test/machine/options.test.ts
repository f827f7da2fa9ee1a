// createMachine() options, device sources, and the argument checks of sysfs and host actions.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkMachineOptions, createMachine, MachineOptionsError } from '@vfio-ts/test-kit';

const BDF = '0000:01:00.0';
const H100 = fileURLToPath(
  new URL('../../../pci-core/fixtures/nvidia-h100-10de-2330.config', import.meta.url),
);
const EINVAL = 22;

describe('checkMachineOptions', () => {
  it('names every problem of the options', () => {
    const problems = checkMachineOptions({
      rootPorts: [{ name: 'rp0' }, { name: 'rp0' }, { name: '' }, { name: 'rp1', bdf: 'zz' }],
      devices: [
        { bdf: 'nope', rootPort: 'rp0', config: 'e1000e' },
        { bdf: BDF, rootPort: 'rp7', config: 3 as never },
        { bdf: BDF, rootPort: 'rp0', config: 'e1000e', driver: 7 as never },
        null as never,
      ],
    });
    expect(problems).toEqual([
      'rootPorts[1].name: duplicate "rp0"',
      'rootPorts[2].name: required',
      'rootPorts[3].bdf: "zz" is not dddd:bb:dd.f',
      'devices[0].bdf: "nope" is not dddd:bb:dd.f',
      'devices[1].rootPort: no root port named "rp7"',
      'devices[1].config: a model name, a dump path or bytes',
      `devices[2].bdf: duplicate ${BDF}`,
      'devices[2].driver: a driver name or null',
      'devices[3].bdf: "undefined" is not dddd:bb:dd.f',
      'devices[3].rootPort: no root port named "undefined"',
      'devices[3].config: a model name, a dump path or bytes',
    ]);
  });

  it('throws MachineOptionsError for an unreadable or malformed device source', async () => {
    const err = await createMachine({
      rootPorts: [{ name: 'rp0' }],
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: '/nonexistent/dump' },
        { bdf: '0000:01:00.1', rootPort: 'rp0', config: new Uint8Array(3) },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MachineOptionsError);
    expect((err as MachineOptionsError).problems).toHaveLength(2);
    expect((err as Error).message).toMatch(
      /^createMachine: devices\[0\]\.config: config "\/nonexistent\/dump"/,
    );
  });
});

describe('device sources', () => {
  it('loads a binary config file, its bytes, and an lspci text dump', async () => {
    const bin = readFileSync(H100);
    const dir = mkdtempSync(join(tmpdir(), 'vfio-ts-'));
    const a = await createMachine({
      rootPorts: [{ name: 'rp0', d3cold: true, runtimePm: 'allowed' }],
      devices: [{ bdf: BDF, rootPort: 'rp0', config: H100 }],
    });
    const text = await a.host.lspci(BDF, { bytes: 4096 });
    expect(typeof text).toBe('string');
    const path = join(dir, 'h100.lspci');
    expect(text).toMatch(/^01:00\.0 Class 0302: Device 10de:2330\n00: de 10 30 23/);
    writeFileSync(path, text as string); // what the host printed loads back as it is
    const b = await createMachine({
      rootPorts: [{ name: 'rp0', runtimePm: 'forbidden' }],
      devices: [
        { bdf: BDF, rootPort: 'rp0', config: path },
        { bdf: '0000:01:00.1', rootPort: 'rp0', config: new Uint8Array(bin), driver: null },
      ],
      vfioPci: { disable_idle_d3: true },
    });
    expect(b.sysfs.read(`/sys/bus/pci/devices/${BDF}/vendor`)).toBe('0x10de\n');
    expect(b.sysfs.read('/sys/bus/pci/devices/0000:01:00.1/device')).toBe('0x2330\n');
    expect(b.sysfs.read(`/sys/bus/pci/devices/${BDF}/power_state`)).toBe('D0\n');
    const bad = join(dir, 'bad.lspci');
    writeFileSync(bad, '00: zz\n');
    await expect(
      createMachine({
        rootPorts: [{ name: 'rp0' }],
        devices: [{ bdf: BDF, rootPort: 'rp0', config: bad }],
      }),
    ).rejects.toBeInstanceOf(MachineOptionsError);
  });
});

describe('sysfs and host argument checks', () => {
  it('answers -EINVAL instead of throwing', async () => {
    const m = await createMachine({
      rootPorts: [{ name: 'rp0' }],
      devices: [{ bdf: BDF, rootPort: 'rp0', config: 'e1000e' }],
      trace: false,
    });
    expect(m.sysfs.read(7 as never)).toBe(-EINVAL);
    expect(await m.sysfs.write(7 as never, 'x')).toBe(-EINVAL);
    expect(await m.sysfs.write('/sys/x', null as never)).toBe(-EINVAL);
    expect(await m.host.configRead(BDF, -1, 4)).toBe(-EINVAL);
    expect(await m.host.configRead(BDF, 0, 1.5)).toBe(-EINVAL);
    expect(await m.host.configRead(3 as never, 0, 4)).toBe(-EINVAL);
    expect(await m.host.lspci(BDF, { bytes: 128 as never })).toBe(-EINVAL);
    expect(await m.host.lspci('0000:09:00.0')).toBeLessThan(0);
    expect(m.trace).toEqual([]);
    expect(m.invariants()).toEqual([]);
  });
});
