// The sysfs `config` file (drivers/pci/pci-sysfs.c): raw config bytes, 256 or 4096 of them.
import { isConfigSpaceSize } from '../config/config-space.js';
import { failed, loaded, type LoadResult } from './result.js';

/**
 * Checks and copies the bytes of a binary config dump.
 * @param data the file's bytes
 * @returns a copy of 256 or 4096 bytes, or an error for any other size or type
 */
export function parseConfigBinary(data: unknown): LoadResult<Uint8Array> {
  const bytes =
    data instanceof Uint8Array
      ? data
      : data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : undefined;
  if (!bytes) return failed('config file: expected bytes (Uint8Array or ArrayBuffer)');
  if (!isConfigSpaceSize(bytes.length))
    return failed(
      `config file: ${bytes.length} bytes; expected 256 (conventional) or 4096 (PCI Express)`,
    );
  return loaded(Uint8Array.from(bytes));
}
