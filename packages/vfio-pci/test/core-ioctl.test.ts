import { describe, expect, it } from 'vitest';
import { EFAULT, EINVAL, ENOTTY } from '@vfio-ts/kernel';
import { VFIO } from '@vfio-ts/vfio-core';
import { ioctl, open, rd32, setup, u32, type M } from './machine.js';

async function opened(): Promise<[M, number]> {
  const m = await setup();
  return [m, await open(m)];
}

function regionInfo(index: number, argsz = 32): Uint8Array {
  const b = new Uint8Array(Math.max(argsz, 32));
  new DataView(b.buffer).setUint32(0, argsz, true);
  new DataView(b.buffer).setUint32(8, index, true);
  return b;
}

describe('VFIO_DEVICE_GET_INFO', () => {
  it('reports flags RESET|PCI (0x3), 9 regions and 5 IRQ indexes (FORMAT.md §7)', async () => {
    const [m, fd] = await opened();
    const b = u32(20, 0, 0, 0, 0);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_INFO, b)).toBe(0);
    expect([rd32(b, 0), rd32(b, 1), rd32(b, 2), rd32(b, 3)]).toEqual([20, 0x3, 9, 5]);
  });

  it.each([
    ['argsz below 16', u32(15, 0, 0, 0), -EINVAL],
    ['a buffer shorter than 16 bytes', new Uint8Array(12), -EFAULT],
    ['no buffer', undefined, -EFAULT],
  ])('returns the errno for %s and writes nothing', async (_n, buf, errno) => {
    const [m, fd] = await opened();
    const before = buf?.slice();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_INFO, buf)).toBe(errno);
    if (buf) expect(buf).toEqual(before);
  });
});

describe('VFIO_DEVICE_GET_REGION_INFO', () => {
  it('BAR0: 128 KiB, READ|WRITE|MMAP (0x7) at index << 40', async () => {
    const [m, fd] = await opened();
    const b = regionInfo(0);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, b)).toBe(0);
    const r = VFIO.regionInfo.decode(b)!;
    expect([r.flags, r.size, r.offset]).toEqual([0x7, 0x20000n, 0n]);
  });

  it('config: index 7 at 0x70000000000, size 0x1000, flags READ|WRITE (0x3)', async () => {
    const [m, fd] = await opened();
    const b = regionInfo(7);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, b)).toBe(0);
    const r = VFIO.regionInfo.decode(b)!;
    expect([r.flags, r.size, r.offset]).toEqual([0x3, 0x1000n, 0x70000000000n]);
  });

  it('BAR2 (I/O, 32 bytes) is READ|WRITE only; BAR4/5 and the ROM are empty', async () => {
    const [m, fd] = await opened();
    const out: [number, bigint][] = [];
    for (const i of [2, 4, 5, 6]) {
      const b = regionInfo(i);
      expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, b)).toBe(0);
      const r = VFIO.regionInfo.decode(b)!;
      out.push([r.flags, r.size]);
    }
    expect(out).toEqual([
      [0x3, 32n],
      [0, 0n],
      [0, 0n],
      [0, 0n],
    ]);
  });

  it('the MSI-X BAR (3) has the MSIX_MAPPABLE capability: argsz grows when too small', async () => {
    const [m, fd] = await opened();
    const small = regionInfo(3);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, small)).toBe(0);
    const r = VFIO.regionInfo.decode(small)!;
    expect([r.flags, r.argsz, r.capOffset]).toEqual([0xf, 40, 0]);
    const big = regionInfo(3, 40);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, big)).toBe(0);
    const r2 = VFIO.regionInfo.decode(big)!;
    expect([r2.capOffset, rd32(big, 8) & 0xffff, rd32(big, 8) >>> 16]).toEqual([32, 3, 1]);
  });

  it.each([
    ['argsz 31', regionInfo(0, 31), -EINVAL],
    ['VGA index 8 (no VGA)', regionInfo(8), -EINVAL],
    ['index 9 (no device regions)', regionInfo(9), -EINVAL],
    ['index 0xffffffff', regionInfo(0xffffffff), -EINVAL],
    ['a 16-byte buffer', new Uint8Array(16), -EFAULT],
  ])('%s → errno, buffer unchanged', async (_n, buf, errno) => {
    const [m, fd] = await opened();
    const before = buf.slice();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, buf)).toBe(errno);
    expect(buf).toEqual(before);
  });
});

describe('VFIO_DEVICE_GET_IRQ_INFO', () => {
  it.each([
    [0, 0x7, 1],
    [1, 0x9, 1],
    [2, 0x9, 5],
    [3, 0x9, 1],
    [4, 0x9, 1],
  ])(
    'index %i: flags %i, count %i (INTx 0x7 count 1, FORMAT.md §7)',
    async (index, flags, count) => {
      const [m, fd] = await opened();
      const b = u32(16, 0, index, 0);
      expect(await ioctl(m, fd, VFIO.DEVICE_GET_IRQ_INFO, b)).toBe(0);
      expect([rd32(b, 1), rd32(b, 3)]).toEqual([flags, count]);
    },
  );

  it.each([
    ['argsz 15', u32(15, 0, 0, 0), -EINVAL],
    ['index 5', u32(16, 0, 5, 0), -EINVAL],
    ['a 12-byte buffer', new Uint8Array(12), -EFAULT],
  ])('%s → errno', async (_n, buf, errno) => {
    const [m, fd] = await opened();
    const before = buf.slice();
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_IRQ_INFO, buf)).toBe(errno);
    expect(buf).toEqual(before);
  });
});

describe('unknown device ioctls', () => {
  it.each([VFIO.DEVICE_QUERY_GFX_PLANE, VFIO.DEVICE_GET_GFX_DMABUF, 0x3b76, 0])(
    'cmd %i → -ENOTTY (E.1)',
    async (cmd) => {
      const [m, fd] = await opened();
      expect(await ioctl(m, fd, cmd, new Uint8Array(64))).toBe(-ENOTTY);
    },
  );
});

describe('GET_REGION_INFO capability copy', () => {
  it('argsz 40 with a 32-byte buffer: the capability copy faults (-EFAULT)', async () => {
    const [m, fd] = await opened();
    const b = regionInfo(3);
    new DataView(b.buffer).setUint32(0, 40, true);
    expect(await ioctl(m, fd, VFIO.DEVICE_GET_REGION_INFO, b)).toBe(-EFAULT);
  });
});
