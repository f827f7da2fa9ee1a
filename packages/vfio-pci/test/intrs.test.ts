import { describe, expect, it } from 'vitest';
import { EBADF, EFAULT, EINVAL, ENOTTY } from '@vfio-ts/kernel';
import { PCI_COMMAND_INTX_DISABLE } from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import { vfioPciIntxMask, vfioPciIntxUnmask } from '@vfio-ts/vfio-pci';
import {
  cfgWrite,
  efdCount,
  engage,
  eventfd,
  hostRead,
  ioctl,
  open,
  setup,
  type M,
  type SetupOptions,
} from './machine.js';

const { IRQ_SET_DATA_NONE: NONE, IRQ_SET_DATA_BOOL: BOOL, IRQ_SET_DATA_EVENTFD: EFD } = VFIO;
const {
  IRQ_SET_ACTION_MASK: MASK,
  IRQ_SET_ACTION_UNMASK: UNMASK,
  IRQ_SET_ACTION_TRIGGER: TRIG,
} = VFIO;

type Init = Parameters<typeof VFIO.irqSet.encode>[0];
const irq = (init: Init): Uint8Array => VFIO.irqSet.encode(init);
const INTX = 0;

async function opened(opts: SetupOptions = {}): Promise<[M, number]> {
  const m = await setup(opts);
  return [m, await open(m)];
}

async function intx(opts: SetupOptions = {}): Promise<[M, number, number]> {
  const [m, fd] = await opened(opts);
  const efd = eventfd(m);
  expect(
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: EFD | TRIG, index: INTX, start: 0, eventfds: [efd] }),
    ),
  ).toBe(0);
  return [m, fd, efd];
}

const disInt = (m: M): number => hostRead(m, 0x04, 2) & PCI_COMMAND_INTX_DISABLE;

describe('D.15.6 VFIO_DEVICE_SET_IRQS validation', () => {
  it.each([
    ['argsz below 20', irq({ argsz: 19, flags: NONE | TRIG, index: INTX, count: 1 }), -EINVAL],
    ['index 5', irq({ flags: NONE | TRIG, index: 5, count: 1 }), -EINVAL],
    ['no data type', irq({ flags: TRIG, index: INTX, count: 1 }), -EINVAL],
    ['two data types', irq({ flags: NONE | BOOL | TRIG, index: INTX, count: 1 }), -EINVAL],
    ['an unknown flag', irq({ flags: NONE | TRIG | 0x40, index: INTX, count: 1 }), -EINVAL],
    [
      'start past the vectors',
      irq({ flags: NONE | TRIG, index: INTX, start: 1, count: 0 }),
      -EINVAL,
    ],
    ['start + count past the vectors', irq({ flags: NONE | TRIG, index: INTX, count: 2 }), -EINVAL],
    ['MSI count past its 1 vector', irq({ flags: NONE | TRIG, index: 1, count: 2 }), -EINVAL],
    [
      'argsz too small for the data',
      irq({ argsz: 20, flags: EFD | TRIG, index: INTX, count: 1, data: new Uint8Array(4) }),
      -EINVAL,
    ],
    ['no action', irq({ flags: NONE, index: INTX, count: 1 }), -ENOTTY],
    ['two actions', irq({ flags: NONE | MASK | UNMASK, index: INTX, count: 1 }), -ENOTTY],
    ['MSI MASK', irq({ flags: NONE | MASK, index: 1, count: 1 }), -ENOTTY],
    ['MSI-X UNMASK', irq({ flags: NONE | UNMASK, index: 2, count: 1 }), -ENOTTY],
    ['ERR MASK', irq({ flags: NONE | MASK, index: 3, count: 1 }), -ENOTTY],
    [
      'INTx MASK while INTx is not active',
      irq({ flags: NONE | MASK, index: INTX, count: 1 }),
      -EINVAL,
    ],
    [
      'INTx UNMASK while INTx is not active',
      irq({ flags: NONE | UNMASK, index: INTX, count: 1 }),
      -EINVAL,
    ],
    [
      'INTx loopback while INTx is not active',
      irq({ flags: NONE | TRIG, index: INTX, count: 1 }),
      -EINVAL,
    ],
    ['ERR loopback with no eventfd', irq({ flags: NONE | TRIG, index: 3, count: 1 }), -EINVAL],
    ['a buffer shorter than 20 bytes', new Uint8Array(16), -EFAULT],
  ])('%s → errno, nothing enabled', async (_n, buf, errno) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, buf)).toBe(errno);
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
  });

  it('a buffer shorter than argsz says is -EFAULT', async () => {
    const [m, fd] = await opened();
    const b = irq({ argsz: 24, flags: EFD | TRIG, index: INTX, count: 1 });
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, b)).toBe(-EFAULT);
  });

  it.each([
    ['a closed fd', 42, -EBADF],
    ['a device fd (not an eventfd)', 0, -EINVAL],
  ])('an INTx trigger with %s fails and leaves INTx off', async (_n, efd, errno) => {
    const [m, fd] = await opened();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: INTX, eventfds: [efd] }),
      ),
    ).toBe(errno);
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
  });

  it('INTx MASK with an eventfd is -ENOTTY (D.15.6)', async () => {
    const [m, fd, efd] = await intx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | MASK, index: INTX, eventfds: [efd] }),
      ),
    ).toBe(-ENOTTY);
  });
});

describe('D.15 INTx', () => {
  it('an interrupt masks with DisINTx and signals the trigger once (check-and-mask)', async () => {
    const [m, , efd] = await intx();
    expect(m.vdev.pci23).toBe(true);
    m.ep.hw.assertIntx();
    expect(efdCount(m, efd)).toBe(1n);
    expect(disInt(m)).toBe(PCI_COMMAND_INTX_DISABLE);
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    m.ep.hw.assertIntx();
    expect(efdCount(m, efd)).toBe(1n);
  });

  it('D.15.2/D.15.3 unmask while still pending stays masked and signals again; after deassert it unmasks', async () => {
    const [m, fd, efd] = await intx();
    m.ep.hw.assertIntx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: NONE | UNMASK, index: INTX, count: 1 }),
      ),
    ).toBe(0);
    expect(efdCount(m, efd)).toBe(2n);
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    m.ep.hw.deassertIntx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: BOOL | UNMASK, index: INTX, bools: [true] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.masked).toBe(false);
    expect(disInt(m)).toBe(0);
  });

  it('MASK (none or bool true) masks; bool false does nothing', async () => {
    const [m, fd] = await intx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: BOOL | MASK, index: INTX, bools: [false] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.masked).toBe(false);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: BOOL | MASK, index: INTX, bools: [true] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    expect(disInt(m)).toBe(PCI_COMMAND_INTX_DISABLE);
  });

  it('D.15.1/D.15.3 vfioPciIntxMask / vfioPciIntxUnmask report whether the state changed', async () => {
    const [m] = await intx();
    const r = await m.k.run('t', async () => [
      await vfioPciIntxMask(m.vdev),
      await vfioPciIntxMask(m.vdev),
      await vfioPciIntxUnmask(m.vdev),
      await vfioPciIntxUnmask(m.vdev),
    ]);
    expect(r).toEqual([true, false, true, false]);
  });

  it('D.15.1 without INTx active, mask sets DisINTx and reports no change', async () => {
    const [m] = await opened();
    expect(await m.k.run('t', () => vfioPciIntxMask(m.vdev))).toBe(false);
    expect(disInt(m)).toBe(PCI_COMMAND_INTX_DISABLE);
    expect(await m.k.run('t', () => vfioPciIntxUnmask(m.vdev))).toBe(false);
    expect(disInt(m)).toBe(0);
  });

  it('loopback: DATA_NONE and bool true signal the trigger, bool false does not', async () => {
    const [m, fd, efd] = await intx();
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: INTX, count: 1 }));
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: BOOL | TRIG, index: INTX, bools: [false] }),
    );
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: BOOL | TRIG, index: INTX, bools: [true] }),
    );
    expect(efdCount(m, efd)).toBe(2n);
  });

  it('the unmask eventfd unmasks from a kernel thread', async () => {
    const [m, fd] = await intx();
    const unmask = eventfd(m);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | UNMASK, index: INTX, eventfds: [unmask] }),
      ),
    ).toBe(0);
    m.ep.hw.assertIntx();
    m.ep.hw.deassertIntx();
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    (m.files.fdget(unmask) as { privateData: { signal(n: number): void } }).privateData.signal(1);
    await m.k.settle();
    expect(m.vdev.ctx[0]!.masked).toBe(false);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | UNMASK, index: INTX, eventfds: [-1] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.unmask).toBeNull();
  });

  it('an unmask eventfd that is not an eventfd is -EINVAL', async () => {
    const [m, fd] = await intx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | UNMASK, index: INTX, eventfds: [0] }),
      ),
    ).toBe(-EINVAL);
  });

  it('D.8.7 the virtual INTx Disable keeps INTx masked and silent', async () => {
    const [m, fd, efd] = await intx();
    await cfgWrite(m, fd, 0x04, 2, 0x0503);
    m.ep.hw.assertIntx();
    expect(efdCount(m, efd)).toBe(0n);
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | UNMASK, index: INTX, count: 1 }));
    expect(m.vdev.ctx[0]!.masked).toBe(true);
  });

  it('swapping and removing the trigger; count 0 DATA_NONE turns INTx off', async () => {
    const [m, fd, efd] = await intx();
    const efd2 = eventfd(m);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: INTX, eventfds: [efd2] }),
      ),
    ).toBe(0);
    m.ep.hw.assertIntx();
    expect([efdCount(m, efd), efdCount(m, efd2)]).toEqual([0n, 1n]);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: INTX, eventfds: [-1] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.trigger).toBeNull();
    expect(
      await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: INTX, count: 0 })),
    ).toBe(0);
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
  });

  it('nointxmask: no DisINTx; the line is disabled at the controller and re-enabled by unmask', async () => {
    const [m, fd, efd] = await intx({ nointxmask: true });
    expect(m.vdev.pci23).toBe(false);
    m.ep.hw.assertIntx();
    expect(efdCount(m, efd)).toBe(1n);
    expect(disInt(m)).toBe(0);
    expect(m.vdev.irqLineDisabled).toBe(true);
    m.ep.hw.assertIntx();
    expect(efdCount(m, efd)).toBe(1n);
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | UNMASK, index: INTX, count: 1 }));
    expect(efdCount(m, efd)).toBe(2n);
    m.ep.hw.deassertIntx();
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | UNMASK, index: INTX, count: 1 }));
    expect(m.vdev.irqLineDisabled).toBe(false);
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | MASK, index: INTX, count: 1 }));
    expect(m.vdev.irqLineDisabled).toBe(true);
  });

  it('D.7.1/D.7.2/D.15.4 runtime suspend masks INTx in use, resume unmasks it', async () => {
    const [m, fd] = await intx();
    await engage(m, fd);
    expect(m.vdev.pmIntxMasked).toBe(true);
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    await ioctl(m, fd, VFIO.DEVICE_GET_INFO, new Uint8Array(20));
    expect(m.vdev.ctx[0]!.masked).toBe(false);
  });

  it('D.15.4 INTx already masked by the user: suspend does not change it, resume does not unmask', async () => {
    const [m, fd] = await intx();
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | MASK, index: INTX, count: 1 }));
    await engage(m, fd);
    expect(m.vdev.pmIntxMasked).toBe(false);
    await ioctl(m, fd, VFIO.DEVICE_GET_INFO, new Uint8Array(20));
    expect(m.vdev.ctx[0]!.masked).toBe(true);
  });
});

describe('MSI and MSI-X', () => {
  it('MSI: an eventfd enables MSI in hardware; loopback signals; count 0 disables', async () => {
    const [m, fd] = await opened();
    const efd = eventfd(m);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 1, eventfds: [efd] }),
      ),
    ).toBe(0);
    expect(m.vdev.irqType).toBe(1);
    expect(hostRead(m, 0xd2, 2) & 1).toBe(1);
    expect(
      await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: 1, count: 1 })),
    ).toBe(0);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: BOOL | TRIG, index: 1, bools: [true] }),
      ),
    ).toBe(0);
    expect(efdCount(m, efd)).toBe(2n);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: INTX, eventfds: [efd] }),
      ),
    ).toBe(-EINVAL);
    expect(
      await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: 1, count: 0 })),
    ).toBe(0);
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
    expect(hostRead(m, 0xd2, 2) & 1).toBe(0);
  });

  it('MSI-X: vectors beyond those enabled are -EINVAL; a bad fd unwinds the block and disables', async () => {
    const [m, fd] = await opened();
    const a = eventfd(m);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 2, start: 0, eventfds: [a, a] }),
      ),
    ).toBe(0);
    expect(m.vdev.numCtx).toBe(2);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 2, start: 3, eventfds: [a] }),
      ),
    ).toBe(-EINVAL);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: NONE | TRIG, index: 2, start: 1, count: 2 }),
      ),
    ).toBe(-EINVAL);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 2, start: 0, eventfds: [-1, a] }),
      ),
    ).toBe(0);
    expect(m.vdev.ctx[0]!.trigger).toBeNull();
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: 2, count: 0 }));
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 2, start: 0, eventfds: [a, 99] }),
      ),
    ).toBe(-EBADF);
    expect(m.vdev.irqType).toBe(VFIO.PCI_NUM_IRQS);
  });

  it('MSI-X loopback to a vector without trigger is ignored', async () => {
    const [m, fd] = await opened();
    const a = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: EFD | TRIG, index: 2, start: 1, eventfds: [a] }),
    );
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: NONE | TRIG, index: 2, start: 0, count: 2 }),
      ),
    ).toBe(0);
    expect(efdCount(m, a)).toBe(1n);
  });
});

describe('ERR and REQ triggers', () => {
  it.each([3, 4])('index %i: set, loopback, bool, release', async (index) => {
    const [m, fd] = await opened();
    const a = eventfd(m);
    const set = (init: Init): Promise<number> =>
      ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ index, ...init }));
    expect(await set({ flags: EFD | TRIG, eventfds: [a] })).toBe(0);
    expect(await set({ flags: NONE | TRIG, count: 1 })).toBe(0);
    expect(await set({ flags: BOOL | TRIG, bools: [true] })).toBe(0);
    expect(await set({ flags: BOOL | TRIG, count: 0 })).toBe(-EINVAL);
    expect(await set({ flags: EFD | TRIG, count: 0 })).toBe(-EINVAL);
    expect(efdCount(m, a)).toBe(2n);
    expect(await set({ flags: EFD | TRIG, eventfds: [-2] })).toBe(0);
    expect(await set({ flags: EFD | TRIG, eventfds: [0] })).toBe(-EINVAL);
    expect(await set({ flags: EFD | TRIG, eventfds: [a] })).toBe(0);
    expect(await set({ flags: NONE | TRIG, count: 0 })).toBe(0);
    expect(await set({ flags: EFD | TRIG, eventfds: [a] })).toBe(0);
    expect(await set({ flags: EFD | TRIG, eventfds: [-1] })).toBe(0);
    expect(index === 3 ? m.vdev.errTrigger : m.vdev.reqTrigger).toBeNull();
  });
});

describe('SET_IRQS corner cases', () => {
  it('UNMASK with bool false does nothing; loopback without a trigger signals nothing', async () => {
    const [m, fd, efd] = await intx();
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: BOOL | MASK, index: INTX, bools: [true] }),
    );
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: BOOL | UNMASK, index: INTX, bools: [false] }),
    );
    expect(m.vdev.ctx[0]!.masked).toBe(true);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: EFD | TRIG, index: INTX, eventfds: [-1] }),
    );
    await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, irq({ flags: NONE | TRIG, index: INTX, count: 1 }));
    expect(efdCount(m, efd)).toBe(0n);
  });

  it('the unmask eventfd while the interrupt is still pending re-signals the trigger', async () => {
    const [m, fd, efd] = await intx();
    const unmask = eventfd(m);
    await ioctl(
      m,
      fd,
      VFIO.DEVICE_SET_IRQS,
      irq({ flags: EFD | UNMASK, index: INTX, eventfds: [unmask] }),
    );
    m.ep.hw.assertIntx();
    (m.files.fdget(unmask) as { privateData: { signal(n: number): void } }).privateData.signal(1);
    await m.k.settle();
    expect(efdCount(m, efd)).toBe(2n);
    expect(m.vdev.ctx[0]!.masked).toBe(true);
  });

  it('MSI while INTx is active is -EINVAL', async () => {
    const [m, fd, efd] = await intx();
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 1, eventfds: [efd] }),
      ),
    ).toBe(-EINVAL);
  });

  it.each([
    ['ERR start 1', irq({ flags: NONE | TRIG, index: 3, start: 1, count: 0 }), -EINVAL],
    ['ERR bool false', irq({ flags: BOOL | TRIG, index: 3, bools: [false] }), 0],
    ['REQ MASK', irq({ flags: NONE | MASK, index: 4, count: 1 }), -ENOTTY],
  ])('%s → %i', async (_n, buf, ret) => {
    const [m, fd] = await opened();
    expect(await ioctl(m, fd, VFIO.DEVICE_SET_IRQS, buf)).toBe(ret);
  });

  it('nointxmask without INTx active: mask and unmask leave DisINTx alone', async () => {
    const [m] = await opened({ nointxmask: true });
    const before = disInt(m);
    expect(await m.k.run('t', () => vfioPciIntxMask(m.vdev))).toBe(false);
    expect(await m.k.run('t', () => vfioPciIntxUnmask(m.vdev))).toBe(false);
    expect(disInt(m)).toBe(before);
  });

  it('D.9.3 enabling MSI with Memory Space off turns it on for the setup only', async () => {
    const [m, fd] = await opened();
    await cfgWrite(m, fd, 0x04, 2, 0x0101);
    const efd = eventfd(m);
    expect(
      await ioctl(
        m,
        fd,
        VFIO.DEVICE_SET_IRQS,
        irq({ flags: EFD | TRIG, index: 1, eventfds: [efd] }),
      ),
    ).toBe(0);
    expect(hostRead(m, 0x04, 2) & 2).toBe(0);
  });
});
