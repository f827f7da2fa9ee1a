// The hardware of a device spec: a built-in model, an lspci dump file, a binary config file,
// or the bytes of one.
import { readFileSync } from 'node:fs';
import {
  createBuiltinHw,
  functionHwFromBinary,
  functionHwFromLspci,
  isBuiltinModelName,
  type PciFunctionHw,
} from '@vfio-ts/pci-core';

/** @returns the hardware, or an error message naming the source */
export function hardwareFor(config: string | Uint8Array): PciFunctionHw | string {
  if (config instanceof Uint8Array) {
    const r = functionHwFromBinary(config);
    return r.ok ? r.value : `config bytes: ${r.error}`;
  }
  if (isBuiltinModelName(config)) {
    const r = createBuiltinHw(config);
    return r.ok ? r.value : `model ${config}: ${r.error}`;
  }
  let data: Buffer;
  try {
    data = readFileSync(config);
  } catch {
    return `config "${config}" is neither a built-in model nor a readable dump file`;
  }
  const text = data.toString('latin1');
  const r =
    /[0-9a-f]{2,3}: [0-9a-f]{2} [0-9a-f]{2}/i.test(text) && !data.includes(0)
      ? functionHwFromLspci(text)
      : functionHwFromBinary(new Uint8Array(data));
  return r.ok ? r.value : `${config}: ${r.error}`;
}
