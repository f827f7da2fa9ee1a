// Built-in device models by name (DESIGN.md, "Built-in device models").
import type { PciFunctionHw } from '../hw/function-hw.js';
import type { FunctionHwOptions } from '../hw/types.js';
import { failed, type LoadResult } from '../loaders/result.js';
import { e1000eModel } from './e1000e.js';
import { createModelHw, type PciFunctionModel } from './model.js';
import { nvidiaH100Model } from './nvidia-h100.js';
import { pcieRootPortPmModel } from './pcie-root-port-pm.js';
import { qemuPcieRootPortModel } from './qemu-pcie-root-port.js';

/** Names of the built-in models. */
export type BuiltinModelName =
  'e1000e' | 'qemu-pcie-root-port' | 'pcie-root-port-pm' | 'nvidia-h100';

/** The built-in models by name. */
export const builtinModels: Readonly<Record<BuiltinModelName, PciFunctionModel>> = Object.freeze({
  e1000e: e1000eModel,
  'qemu-pcie-root-port': qemuPcieRootPortModel,
  'pcie-root-port-pm': pcieRootPortPmModel,
  'nvidia-h100': nvidiaH100Model,
});

/** True when `name` is a built-in model. */
export function isBuiltinModelName(name: string): name is BuiltinModelName {
  return Object.hasOwn(builtinModels, name);
}

/**
 * Builds the hardware of a built-in model.
 * @param name a {@link BuiltinModelName}
 * @param overrides options merged over the model's
 * @returns the hardware, or an error naming the known models
 */
export function createBuiltinHw(
  name: string,
  overrides?: FunctionHwOptions,
): LoadResult<PciFunctionHw> {
  if (!isBuiltinModelName(name))
    return failed(
      `unknown device model "${name}"; built-in: ${Object.keys(builtinModels).join(', ')}`,
    );
  return createModelHw(builtinModels[name], overrides);
}
