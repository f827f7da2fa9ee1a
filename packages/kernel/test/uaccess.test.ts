import { describe, expect, it } from 'vitest';
import { EFAULT, copyFromUser, copyToUser } from '@vfio-ts/kernel';

describe('uaccess', () => {
  it('copies from user memory, and fails with -EFAULT past its end', () => {
    const buf = Uint8Array.of(1, 2, 3, 4, 5);
    const v = copyFromUser(buf, 1, 4) as DataView;
    expect(v.getUint32(0, true)).toBe(0x05040302);
    buf[1] = 9;
    expect(v.getUint8(0)).toBe(2);
    expect(copyFromUser(buf, 2, 4)).toBe(-EFAULT);
    expect(copyFromUser(7, 0, 1)).toBe(-EFAULT);
    expect(copyFromUser(undefined, 0, 0)).toBe(-EFAULT);
    expect(copyFromUser(buf, -1, 1)).toBe(-EFAULT);
  });

  it('copies to user memory only when it all fits', () => {
    const buf = new Uint8Array(4);
    expect(copyToUser(buf, 1, Uint8Array.of(7, 8))).toBe(0);
    expect([...buf]).toEqual([0, 7, 8, 0]);
    expect(copyToUser(buf, 3, Uint8Array.of(1, 2))).toBe(-EFAULT);
    expect([...buf]).toEqual([0, 7, 8, 0]);
    expect(copyToUser(3, 0, Uint8Array.of(1))).toBe(-EFAULT);
  });
});
