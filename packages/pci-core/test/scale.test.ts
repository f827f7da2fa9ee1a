// Issue 12: what large machines and cheap hot paths rely on — PCI segments, violation events,
// access events built only when wanted, shared BAR contents, the kmemleak candidate set.
import { describe, expect, it } from 'vitest';
import { Kernel } from '@vfio-ts/kernel';
import {
  AcpiPlatform,
  createBuiltinHw,
  createFunctionHw,
  KmemPtr,
  kmemRegistry,
  PCI_D0,
  PciSysfs,
  PciTopology,
  type HwEvent,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';

function hw(name: string): PciFunctionHw {
  const r = createBuiltinHw('e1000e', { name });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('PCI segments', () => {
  it('puts root ports of another domain on their own root bus and host bridge, 256 buses each', () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new AcpiPlatform(k));
    const a = topo.addRootPort({ name: 'a', bdf: '0000:00:01.0', model: 'pcie-root-port-pm' });
    const b = topo.addRootPort({ name: 'b', bdf: '0001:00:01.0', model: 'pcie-root-port-pm' });
    const c = topo.addRootPort({ name: 'c', bdf: '0001:00:01.1', model: 'pcie-root-port-pm' });
    expect([a.subordinate!.number, b.subordinate!.number, c.subordinate!.number]).toEqual([
      1, 1, 2,
    ]);
    expect(b.parent).toBe(topo.segmentRootBus(1).bridge);
    expect(b.parent!.name).toBe('pci0001:00');
    expect(b.parent).not.toBe(topo.hostBridge);
    const eps = Array.from({ length: 10 }, (_, i) =>
      topo.addEndpoint({
        bdf: `0001:02:0${i >> 3}.${i & 7}`,
        rootPort: 'c',
        hw: hw(`ep${i}`),
        currentState: PCI_D0,
      }),
    );
    expect(eps.map((d) => d.bdf).slice(7)).toEqual([
      '0001:02:00.7',
      '0001:02:01.0',
      '0001:02:01.1',
    ]);
    expect(topo.devices().map((d) => d.bdf)).toEqual([
      '0000:00:01.0',
      '0001:00:01.0',
      '0001:00:01.1',
      ...eps.map((d) => d.bdf),
    ]);
    expect(topo.lookup('0001:02:01.1')).toBe(eps[9]);
    expect(() =>
      topo.addRootPort({ bdf: '0001:00:02.0', secondaryBus: 2, model: 'pcie-root-port-pm' }),
    ).toThrow(/bus 2 is taken/);
  });

  it('frees a removed bridge’s bus number in its own segment', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new AcpiPlatform(k));
    const b = topo.addRootPort({ name: 'b', bdf: '0002:00:01.0', model: 'pcie-root-port-pm' });
    await k.run('rm', () => topo.removeDevice(b));
    const again = topo.addRootPort({ bdf: '0002:00:02.0', model: 'pcie-root-port-pm' });
    expect(again.subordinate!.number).toBe(1);
  });
});

describe('hardware events', () => {
  it('reports accesses made while powered off to violation watchers as they happen', () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new AcpiPlatform(k));
    topo.addRootPort({ name: 'rp', bdf: '0000:00:01.0', model: 'pcie-root-port-pm', d3cold: true });
    const ep = topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp', hw: hw('ep') });
    const seen: string[] = [];
    const stop = topo.watchViolations((d, a) => seen.push(`${d.bdf} ${a.kind} ${a.offset}`));
    ep.hw.configRead(0, 4);
    ep.hw.powerOff();
    ep.hw.configRead(4, 2);
    stop();
    ep.hw.configRead(8, 4);
    expect(seen).toEqual(['0000:01:00.0 config-read 4']);
    expect(ep.hw.violations).toHaveLength(2);
  });

  it('builds access events only for listeners that want them, of the kinds they want', () => {
    const f = hw('f');
    const all: HwEvent[] = [];
    const writes: HwEvent[] = [];
    const power: HwEvent[] = [];
    let tracing = false;
    const gated: HwEvent[] = [];
    f.subscribe((e) => writes.push(e), {
      types: ['access'],
      accessFilter: (kind) => kind === 'config-write',
    });
    f.subscribe((e) => power.push(e), { types: ['power-state'] });
    f.subscribe((e) => gated.push(e), { types: ['access'], accessFilter: () => tracing });
    f.configRead(0, 4);
    f.configWrite(0x0c, 1, 0x10);
    tracing = true;
    f.configRead(0, 2);
    const off = f.subscribe((e) => all.push(e));
    f.barRead(0, 0, 4);
    off();
    f.powerOff();
    expect(writes.map((e) => e.type === 'access' && e.kind)).toEqual(['config-write']);
    expect(gated.map((e) => e.type === 'access' && `${e.kind} ${e.offset}`)).toEqual([
      'config-read 0',
      'bar-read 0',
    ]);
    expect(all.map((e) => e.type)).toEqual(['access']);
    expect(power.map((e) => e.type)).toEqual(['power-state']);
  });

  it('gates access events on a switch read without a call (accessWhile), filter or not', () => {
    const f = hw('f');
    const sw = { on: false };
    const key = (e: HwEvent): string => (e.type === 'access' ? `${e.kind} ${e.offset}` : e.type);
    const gated: HwEvent[] = [];
    const gatedWrites: HwEvent[] = [];
    f.subscribe((e) => gated.push(e), { types: ['access'], accessWhile: sw });
    f.subscribe((e) => gatedWrites.push(e), {
      types: ['access'],
      accessWhile: sw,
      accessFilter: (kind) => kind === 'config-write',
    });
    f.configRead(0, 4);
    f.configWrite(0x0c, 1, 0x10);
    sw.on = true;
    f.configRead(8, 4);
    f.configWrite(0x0c, 1, 0x20);
    sw.on = false;
    f.powerOff();
    f.configRead(0x10, 4);
    expect(gated.map(key)).toEqual(['config-read 8', 'config-write 12']);
    expect(gatedWrites.map(key)).toEqual(['config-write 12']);
    expect(f.violations.map(key)).toEqual(['config-read 16']);
  });

  it('shares BAR initial contents between functions until one writes', () => {
    const a = hw('a');
    const b = hw('b');
    const at = 0x08;
    const before = b.barRead(0, at, 4);
    a.barWrite(0, at, 4, 0x12345678);
    expect(a.barRead(0, at, 4)).toBe(0x12345678);
    expect(b.barRead(0, at, 4)).toBe(before);
    a.powerOff();
    a.powerOn();
    expect(a.barRead(0, at, 4)).toBe(before);
  });
});

describe('kmemleak candidates', () => {
  it('lists unreferenced allocations oldest first, and forgets freed and held ones', () => {
    const k = new Kernel();
    const reg = kmemRegistry(k);
    const x = { alloc: reg.track('x', 'dev', 8, ['t']) };
    const y = { alloc: reg.track('y', 'dev', 8, ['t']) };
    const z = { alloc: reg.track('z', 'dev', 8, ['t']) };
    const p = new KmemPtr<typeof x>('p');
    p.set(z);
    p.set(y);
    expect(reg.leaks().map((a) => a.kind)).toEqual(['z']);
    expect(reg.leaks(0).map((a) => a.kind)).toEqual(['x', 'z']);
    reg.kfree(x);
    p.take();
    expect(reg.leaks(Infinity).map((a) => a.kind)).toEqual(['z']);
    expect(reg.leaks(0).map((a) => a.kind)).toEqual(['y', 'z']);
  });
});

describe('sysfs write counts', () => {
  it('counts the UTF-8 bytes of what was written, as write(2) does', async () => {
    const k = new Kernel();
    const topo = new PciTopology(k, new AcpiPlatform(k));
    topo.addRootPort({ name: 'rp', bdf: '0000:00:01.0', model: 'pcie-root-port-pm' });
    topo.addEndpoint({ bdf: '0000:01:00.0', rootPort: 'rp', hw: hw('ep') });
    await k.run('boot', () => topo.busAddDevices());
    const sysfs = new PciSysfs(topo);
    const path = '/sys/bus/pci/devices/0000:01:00.0/driver_override';
    const text = 'é€😀\ud800x\udc00';
    const n = await k.run('w', () => sysfs.write(path, text));
    expect(n).toBe(new TextEncoder().encode(text).length);
    expect(await k.run('w', () => sysfs.write(path, 'a\ud800'))).toBe(4);
  });
});

describe('derived model descriptions', () => {
  it('are shared only between identical inputs; a refused input is refused every time', () => {
    const image = hw('x').snapshot().bytes;
    const ok = createFunctionHw(image, { name: 'a', bars: [{ index: 0, size: 0x20000 }] });
    const again = createFunctionHw(image, { name: 'b', bars: [{ index: 0, size: 0x20000 }] });
    const other = createFunctionHw(image, { name: 'c', bars: [{ index: 0, size: 0x40000 }] });
    expect(ok.ok && again.ok && other.ok).toBe(true);
    if (!ok.ok || !again.ok || !other.ok) return;
    expect([ok.value.name, again.value.name]).toEqual(['a', 'b']);
    expect(again.value.bar(0)!.size).toBe(0x20000);
    expect(other.value.bar(0)!.size).toBe(0x40000);
    const bad = { bars: [{ index: '0' as unknown as number, size: 0x20000, init: 'x' as never }] };
    expect(createFunctionHw(image, bad).ok).toBe(false);
    expect(createFunctionHw(image, bad).ok).toBe(false);
    const odd = new Uint8Array(image.length + 1).subarray(1);
    odd.set(image);
    const shifted = createFunctionHw(odd, { bars: [{ index: 0, size: 0x20000 }] });
    expect(shifted.ok && shifted.value.configRead(0, 4)).toBe(ok.value.configRead(0, 4));
  });
});

describe('what callers pass stays theirs', () => {
  it('copies a Node Buffer image: functions built from it share nothing', () => {
    const buf = Buffer.from(hw('x').snapshot().bytes);
    const a = createFunctionHw(buf, { name: 'a', bars: [{ index: 0, size: 0x20000 }] });
    const b = createFunctionHw(buf, { name: 'b', bars: [{ index: 0, size: 0x20000 }] });
    if (!a.ok || !b.ok) throw new Error('build');
    const before = b.value.configRead(4, 2);
    a.value.configWrite(4, 2, 0x6);
    expect(a.value.configRead(4, 2) & 0x6).toBe(0x6);
    expect(b.value.configRead(4, 2)).toBe(before);
    expect(buf[4]).toBe(hw('y').snapshot().bytes[4]);
  });

  it('BAR initial contents changed by the caller after a build are what the next build gets', () => {
    const image = hw('x').snapshot().bytes;
    const init = [{ offset: 0, bytes: [1, 2, 3, 4] }];
    const opts = { bars: [{ index: 0, size: 0x20000, init }] };
    const first = createFunctionHw(image, opts);
    init[0]!.bytes[0] = 0x55;
    const second = createFunctionHw(image, opts);
    if (!first.ok || !second.ok) throw new Error('build');
    expect(first.value.barRead(0, 0, 1)).toBe(1);
    expect(second.value.barRead(0, 0, 1)).toBe(0x55);
    init.push({ offset: 0x40000, bytes: [1] });
    expect(createFunctionHw(image, opts)).toEqual({
      ok: false,
      error: 'function: BAR0: initial contents at 262144 do not fit in 0x20000 bytes',
    });
  });
});
