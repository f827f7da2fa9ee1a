// User memory (include/linux/uaccess.h): a user buffer is a Uint8Array; copying more bytes
// than it holds fails the way copy_from_user / copy_to_user fail on an unmapped page.
import { EFAULT } from './errno.js';

/** A user pointer: the process's buffer, or a plain number for ioctls that take a value. */
export type UserArg = Uint8Array | number | undefined;

/**
 * Copies `len` bytes at `offset` from user memory (copy_from_user).
 * @returns a private copy, or -EFAULT when the buffer does not hold them
 */
export function copyFromUser(arg: UserArg, offset: number, len: number): DataView | number {
  if (!(arg instanceof Uint8Array) || offset < 0 || len < 0 || offset + len > arg.length)
    return -EFAULT;
  return new DataView(arg.slice(offset, offset + len).buffer);
}

/**
 * Copies bytes to user memory at `offset` (copy_to_user).
 * @returns 0, or -EFAULT when the buffer cannot hold them (nothing is written then)
 */
export function copyToUser(arg: UserArg, offset: number, bytes: Uint8Array): number {
  if (!(arg instanceof Uint8Array) || offset < 0 || offset + bytes.length > arg.length)
    return -EFAULT;
  arg.set(bytes, offset);
  return 0;
}
