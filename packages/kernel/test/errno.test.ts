import { describe, expect, it } from 'vitest';
import { EINVAL, Errno, errnoName, formatRet } from '@vfio-ts/kernel';

describe('errno', () => {
  it('numbers errors as Linux does on x86-64', () => {
    expect([Errno.EPERM, Errno.EIO, Errno.EBADF, Errno.EAGAIN, Errno.EACCES, Errno.EFAULT]).toEqual(
      [1, 5, 9, 11, 13, 14],
    );
    expect([
      Errno.EBUSY,
      Errno.ENODEV,
      EINVAL,
      Errno.ENOTTY,
      Errno.ENOSPC,
      Errno.EINPROGRESS,
    ]).toEqual([16, 19, 22, 25, 28, 115]);
  });
  it('names a negative kernel return value', () => {
    expect(errnoName(-22)).toBe('EINVAL');
    expect(errnoName(16)).toBe('EBUSY');
    expect(errnoName(9999)).toBeUndefined();
  });
  it('formats return values for messages', () => {
    expect(formatRet(0)).toBe('0');
    expect(formatRet(1)).toBe('1');
    expect(formatRet(-22)).toBe('-EINVAL (-22)');
    expect(formatRet(-4242)).toBe('-4242');
  });
});
