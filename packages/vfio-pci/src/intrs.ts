// Interrupts (vfio_pci_intrs.c): INTx with DisINTx masking and the check-and-mask handler,
// INTx masking for runtime PM (D.15), ERR/REQ triggers, and the VFIO_DEVICE_SET_IRQS
// dispatch (D.15.6). MSI and MSI-X are in intrs-msi.ts.
import { EINVAL, ENOTTY, type EventfdCtx } from '@vfio-ts/kernel';
import {
  pciCheckAndMaskIntx,
  pciCheckAndUnmaskIntx,
  pciIntx,
  pciIsPcie,
  pciReadConfigWord,
  type PciDev,
} from '@vfio-ts/pci-core';
import { VFIO } from '@vfio-ts/vfio-core';
import {
  VFIO_PCI_INTX_IRQ_INDEX,
  VFIO_PCI_NUM_IRQS,
  isIntx,
  isIrqNone,
  vfioEventfdGet,
  type VfioIrqSetArgs,
  type VfioPciCoreDevice,
  type VfioPciIrqCtx,
} from './internal.js';
import { vfioPciSetMsiTrigger } from './intrs-msi.js';

/** A fresh interrupt context (kzalloc'ed vfio_pci_irq_ctx). */
export const newIrqCtx = (): VfioPciIrqCtx => ({
  trigger: null,
  unmask: null,
  masked: false,
  unmaskDetach: null,
});

/** pci_read_config_word() as a value. */
export function configWord(pdev: PciDev, where: number): number {
  const v = { value: 0 };
  pciReadConfigWord(pdev, where, v);
  return v.value;
}

// Interrupts arriving while irqlock is held are delivered at unlock (spin_unlock_irqrestore).
const pendingIrq = new WeakSet<VfioPciCoreDevice>();

function irqUnlock(vdev: VfioPciCoreDevice): void {
  vdev.irqlock.unlock();
  if (pendingIrq.delete(vdev) && vdev.pdev.hw.intxAsserted) vfioIntxIrq(vdev);
}

function vfioIntxIrq(vdev: VfioPciCoreDevice): void {
  if (!vdev.irqDetach || vdev.irqLineDisabled) return;
  if (vdev.irqlock.locked) pendingIrq.add(vdev);
  else vfioIntxHandler(vdev);
}

/** Mirrors vfio_send_intx_eventfd(): signal the trigger unless INTx is virtually disabled. */
export function vfioSendIntxEventfd(vdev: VfioPciCoreDevice): void {
  const trigger = vdev.ctx[0]?.trigger;
  if (isIntx(vdev) && !vdev.virqDisabled && trigger) trigger.signal(1);
}

// Mirrors vfio_intx_handler(): mask (DisINTx if the line is ours, else the controller) and
// signal the user.
function vfioIntxHandler(vdev: VfioPciCoreDevice): void {
  const ctx = vdev.ctx[0]!;
  let handled = false;
  vdev.irqlock.lock();
  if (!vdev.pci23) {
    vdev.irqLineDisabled = true;
    ctx.masked = true;
    handled = true;
  } else if (!ctx.masked && pciCheckAndMaskIntx(vdev.pdev)) {
    ctx.masked = true;
    handled = true;
  }
  irqUnlock(vdev);
  if (handled) vfioSendIntxEventfd(vdev);
}

/** Mirrors __vfio_pci_intx_mask() (igate held). @returns whether INTx became masked */
export function __vfioPciIntxMask(vdev: VfioPciCoreDevice): boolean {
  let changed = false;
  vdev.irqlock.lock();
  if (!isIntx(vdev)) {
    if (vdev.pci23) pciIntx(vdev.pdev, false);
  } else if (!vdev.ctx[0]!.masked) {
    if (vdev.pci23) pciIntx(vdev.pdev, false);
    else vdev.irqLineDisabled = true;
    vdev.ctx[0]!.masked = true;
    changed = true;
  }
  irqUnlock(vdev);
  return changed;
}

/** __vfio_pci_intx_mask() through the variant's INTx hook when it has one (igate held). */
export function vfioPciVariantIntxMask(vdev: VfioPciCoreDevice): boolean {
  const hook = vdev.variant?.intxMask;
  return hook
    ? hook.call(vdev.variant, vdev, () => __vfioPciIntxMask(vdev))
    : __vfioPciIntxMask(vdev);
}

/** __vfio_pci_intx_unmask() through the variant's INTx hook when it has one (igate held). */
export function vfioPciVariantIntxUnmask(vdev: VfioPciCoreDevice): boolean {
  const hook = vdev.variant?.intxUnmask;
  return hook
    ? hook.call(vdev.variant, vdev, () => __vfioPciIntxUnmask(vdev))
    : __vfioPciIntxUnmask(vdev);
}

/**
 * Mirrors vfio_pci_intx_mask() (D.15.1, igate taken as in 6.1.192).
 * @returns whether the masked state changed
 */
export async function vfioPciIntxMask(vdev: VfioPciCoreDevice): Promise<boolean> {
  await vdev.igate.lock();
  const changed = vfioPciVariantIntxMask(vdev);
  vdev.igate.unlock();
  return changed;
}

/**
 * Mirrors vfio_pci_intx_unmask_handler() (D.15.2): unmask unless an interrupt is pending.
 * @returns 1 when left masked because one is pending, else 0
 */
export function vfioPciIntxUnmaskHandler(vdev: VfioPciCoreDevice): number {
  let ret = 0;
  vdev.irqlock.lock();
  const ctx = vdev.ctx[0];
  if (!isIntx(vdev)) {
    if (vdev.pci23) pciIntx(vdev.pdev, true);
  } else if (ctx!.masked && !vdev.virqDisabled) {
    if (vdev.pci23) {
      if (!pciCheckAndUnmaskIntx(vdev.pdev)) ret = 1;
    } else {
      vdev.irqLineDisabled = false;
      pendingIrq.add(vdev);
    }
    ctx!.masked = ret > 0;
  }
  irqUnlock(vdev);
  return ret;
}

/** Mirrors __vfio_pci_intx_unmask() (igate held). @returns whether INTx became unmasked */
export function __vfioPciIntxUnmask(vdev: VfioPciCoreDevice): boolean {
  const was = isIntx(vdev) && vdev.ctx[0]!.masked;
  if (vfioPciIntxUnmaskHandler(vdev) > 0) vfioSendIntxEventfd(vdev);
  return was && !vdev.ctx[0]!.masked;
}

/**
 * Mirrors vfio_pci_intx_unmask() (D.15.3, igate taken as in 6.1.192): a still-pending
 * interrupt is signalled instead.
 * @returns whether the masked state changed
 */
export async function vfioPciIntxUnmask(vdev: VfioPciCoreDevice): Promise<boolean> {
  await vdev.igate.lock();
  const changed = vfioPciVariantIntxUnmask(vdev);
  vdev.igate.unlock();
  return changed;
}

/**
 * Mirrors virqfd (vfio_virqfd_enable): a kernel thread that runs `handler` each time the
 * eventfd is signalled, and `thread` when the handler returns nonzero.
 * @returns the function that stops it and drops the eventfd (vfio_virqfd_disable)
 */
export function vfioVirqfdEnable(
  vdev: VfioPciCoreDevice,
  ctx: EventfdCtx,
  handler: () => number,
  thread: () => void | Promise<void>,
): () => void {
  let stopped = false;
  vdev.kernel.sched.spawn(`virqfd ${vdev.pdev.bdf}`, async () => {
    for (;;) {
      while (!stopped && ctx.count === 0n) await ctx.wq.wait();
      if (stopped) return;
      ctx.count = 0n;
      if (handler()) await thread();
    }
  });
  return () => {
    stopped = true;
    ctx.wq.wakeUp();
    ctx.put();
  };
}

// Mirrors vfio_intx_set_signal(): swap the trigger; the line is requested while one is set.
function vfioIntxSetSignal(vdev: VfioPciCoreDevice, fd: number): number {
  const ctx = vdev.ctx[0]!;
  if (ctx.trigger) {
    vdev.irqDetach?.();
    vdev.irqDetach = null;
    ctx.trigger.put();
    ctx.trigger = null;
  }
  if (fd < 0) return 0;
  const trigger = vfioEventfdGet(vdev, fd);
  if (typeof trigger === 'number') return trigger;
  ctx.trigger = trigger;
  vdev.irqDetach = vdev.pdev.hw.subscribe(
    (e) => {
      if (e.type === 'intx' && e.asserted) vfioIntxIrq(vdev);
    },
    { types: ['intx'] },
  );
  vdev.irqlock.lock();
  if (!vdev.pci23 && ctx.masked) vdev.irqLineDisabled = true;
  pendingIrq.add(vdev);
  irqUnlock(vdev);
  return 0;
}

// Mirrors vfio_intx_enable(): INTx becomes the active type, masked as the virtual DisINTx says.
// The callers checked that no type is active and that INTx exists.
function vfioIntxEnable(vdev: VfioPciCoreDevice): void {
  const ctx = newIrqCtx();
  ctx.masked = vdev.virqDisabled;
  vdev.ctx = [ctx];
  vdev.numCtx = 1;
  if (vdev.pci23) pciIntx(vdev.pdev, !ctx.masked);
  vdev.irqType = VFIO_PCI_INTX_IRQ_INDEX;
}

// Mirrors vfio_intx_disable().
function vfioIntxDisable(vdev: VfioPciCoreDevice): void {
  const ctx = vdev.ctx[0]!;
  ctx.unmaskDetach?.();
  ctx.unmaskDetach = null;
  ctx.unmask = null;
  vfioIntxSetSignal(vdev, -1);
  vdev.irqLineDisabled = false;
  vdev.irqType = VFIO_PCI_NUM_IRQS;
  vdev.numCtx = 0;
  vdev.ctx = [];
}

/** The DATA_* type bits of SET_IRQS flags. */
export const dataType = (flags: number): number => flags & VFIO.IRQ_SET_DATA_TYPE_MASK;

async function setIntxMask(vdev: VfioPciCoreDevice, a: VfioIrqSetArgs): Promise<number> {
  if (!isIntx(vdev) || a.start !== 0 || a.count !== 1) return -EINVAL;
  if (dataType(a.flags) === VFIO.IRQ_SET_DATA_NONE) vfioPciVariantIntxMask(vdev);
  else if (dataType(a.flags) === VFIO.IRQ_SET_DATA_BOOL) {
    if (a.data[0]) vfioPciVariantIntxMask(vdev);
  } else return -ENOTTY;
  return 0;
}

async function setIntxUnmask(vdev: VfioPciCoreDevice, a: VfioIrqSetArgs): Promise<number> {
  if (!isIntx(vdev) || a.start !== 0 || a.count !== 1) return -EINVAL;
  const t = dataType(a.flags);
  if (t === VFIO.IRQ_SET_DATA_NONE) vfioPciVariantIntxUnmask(vdev);
  else if (t === VFIO.IRQ_SET_DATA_BOOL) {
    if (a.data[0]) vfioPciVariantIntxUnmask(vdev);
  } else {
    const ctx = vdev.ctx[0]!;
    const fd = a.data[0]!;
    ctx.unmaskDetach?.();
    ctx.unmaskDetach = null;
    ctx.unmask = null;
    if (fd >= 0) {
      const efd = vfioEventfdGet(vdev, fd);
      if (typeof efd === 'number') return efd;
      ctx.unmask = efd;
      ctx.unmaskDetach = vfioVirqfdEnable(
        vdev,
        efd,
        () => vfioPciIntxUnmaskHandler(vdev),
        () => vfioSendIntxEventfd(vdev),
      );
    }
  }
  return 0;
}

async function setIntxTrigger(vdev: VfioPciCoreDevice, a: VfioIrqSetArgs): Promise<number> {
  const t = dataType(a.flags);
  if (isIntx(vdev) && !a.count && t === VFIO.IRQ_SET_DATA_NONE) {
    vfioIntxDisable(vdev);
    return 0;
  }
  if (!(isIntx(vdev) || isIrqNone(vdev)) || a.start !== 0 || a.count !== 1) return -EINVAL;
  if (t === VFIO.IRQ_SET_DATA_EVENTFD) {
    const fd = a.data[0]!;
    if (isIntx(vdev)) return vfioIntxSetSignal(vdev, fd);
    vfioIntxEnable(vdev);
    const r2 = vfioIntxSetSignal(vdev, fd);
    if (r2) vfioIntxDisable(vdev);
    return r2;
  }
  if (!isIntx(vdev)) return -EINVAL;
  if (t === VFIO.IRQ_SET_DATA_NONE || a.data[0]) vfioSendIntxEventfd(vdev);
  return 0;
}

// Mirrors vfio_pci_set_ctx_trigger_single() for the ERR and REQ eventfds.
function setCtxTriggerSingle(
  vdev: VfioPciCoreDevice,
  which: 'errTrigger' | 'reqTrigger',
  a: VfioIrqSetArgs,
): number {
  if (a.start !== 0 || a.count > 1) return -EINVAL;
  const t = dataType(a.flags);
  const cur = vdev[which];
  if (t === VFIO.IRQ_SET_DATA_NONE) {
    if (cur) {
      if (a.count) cur.signal(1);
      else {
        cur.put();
        vdev[which] = null;
      }
      return 0;
    }
  } else if (t === VFIO.IRQ_SET_DATA_BOOL) {
    if (!a.count) return -EINVAL;
    if (a.data[0] && cur) cur.signal(1);
    return 0;
  } else {
    if (!a.count) return -EINVAL;
    const fd = a.data[0]!;
    if (fd === -1) {
      cur?.put();
      vdev[which] = null;
    } else if (fd >= 0) {
      const efd = vfioEventfdGet(vdev, fd);
      if (typeof efd === 'number') return efd;
      cur?.put();
      vdev[which] = efd;
    }
    return 0;
  }
  return -EINVAL;
}

/**
 * Mirrors vfio_pci_set_irqs_ioctl() (igate held): dispatch on index and action.
 * @returns 0, -errno, or -ENOTTY for an index/action without a handler
 */
export async function vfioPciSetIrqsIoctl(
  vdev: VfioPciCoreDevice,
  a: VfioIrqSetArgs,
): Promise<number> {
  const action = a.flags & VFIO.IRQ_SET_ACTION_TYPE_MASK;
  switch (a.index) {
    case VFIO.PCI_INTX_IRQ_INDEX:
      if (action === VFIO.IRQ_SET_ACTION_MASK) return setIntxMask(vdev, a);
      if (action === VFIO.IRQ_SET_ACTION_UNMASK) return setIntxUnmask(vdev, a);
      if (action === VFIO.IRQ_SET_ACTION_TRIGGER) return setIntxTrigger(vdev, a);
      break;
    case VFIO.PCI_MSI_IRQ_INDEX:
    case VFIO.PCI_MSIX_IRQ_INDEX:
      if (action === VFIO.IRQ_SET_ACTION_TRIGGER) return vfioPciSetMsiTrigger(vdev, a);
      break;
    case VFIO.PCI_ERR_IRQ_INDEX:
      if (action === VFIO.IRQ_SET_ACTION_TRIGGER && pciIsPcie(vdev.pdev))
        return setCtxTriggerSingle(vdev, 'errTrigger', a);
      break;
    case VFIO.PCI_REQ_IRQ_INDEX:
      if (action === VFIO.IRQ_SET_ACTION_TRIGGER) return setCtxTriggerSingle(vdev, 'reqTrigger', a);
      break;
  }
  return -ENOTTY;
}

/** Tears down the active interrupt type (disable: trigger, count 0, DATA_NONE). */
export async function vfioPciIrqTeardown(vdev: VfioPciCoreDevice): Promise<void> {
  if (isIrqNone(vdev)) return;
  await vdev.igate.lock();
  await vfioPciSetIrqsIoctl(vdev, {
    flags: VFIO.IRQ_SET_DATA_NONE | VFIO.IRQ_SET_ACTION_TRIGGER,
    index: vdev.irqType,
    start: 0,
    count: 0,
    data: [],
  });
  vdev.igate.unlock();
}
