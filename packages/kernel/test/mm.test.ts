import { describe, expect, it } from 'vitest';
import {
  File,
  Kernel,
  MmStruct,
  VM_FAULT_NOPAGE,
  VM_FAULT_SIGBUS,
  VmArea,
  handleMmFault,
} from '@vfio-ts/kernel';

describe('mm: VMAs, faults and zaps', () => {
  it('a fault populates the VMA through the driver, under mmap_lock for reading; a zap removes the pages', async () => {
    const k = new Kernel();
    const mm = new MmStruct(k);
    const vma = new VmArea(mm, new File({}, null), 4096, 0, { read: true, write: true }, true);
    const cells = new Map<number, number>();
    let lockHeld = false;
    vma.ops = {
      fault(v) {
        lockHeld = mm.mmapLock.isHeldBy(undefined, 'read');
        v.populate({
          read: (o) => cells.get(o) ?? 0,
          write: (o, _s, val) => void cells.set(o, val),
        });
        return VM_FAULT_NOPAGE;
      },
    };
    expect(vma.populated).toBe(false);
    expect(await k.run('fault', () => handleMmFault(vma))).toBe(VM_FAULT_NOPAGE);
    expect(lockHeld).toBe(true);
    vma.mapped!.write(8, 4, 0x1234);
    expect(vma.mapped!.read(8, 4)).toBe(0x1234);
    vma.zap();
    expect(vma.mapped).toBeNull();
    expect(mm.mmapLock.readers).toBe(0);
  });

  it('a VMA without a fault handler gets SIGBUS', async () => {
    const k = new Kernel();
    const vma = new VmArea(
      new MmStruct(k),
      new File({}, null),
      4096,
      0,
      { read: true, write: false },
      true,
    );
    expect(await k.run('fault', () => handleMmFault(vma))).toBe(VM_FAULT_SIGBUS);
  });
});
