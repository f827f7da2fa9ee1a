// Built-in device models by name (DESIGN.md, "Built-in device models").
import { PciFunctionHw, type ResolvedFunctionHw } from '../hw/function-hw.js';
import type { FunctionHwOptions } from '../hw/types.js';
import { resolveFunctionHwShared } from '../loaders/build.js';
import { failed, loaded, type LoadResult } from '../loaders/result.js';
import { e1000eModel } from './e1000e.js';
import { createModelHw, mergeOptions, type PciFunctionModel } from './model.js';
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
  const model = builtinModels[name];
  // Overrides other than a name change what is derived: built the long way.
  if (overrides && (overrides.bars || overrides.masks || overrides.resetPatches))
    return createModelHw(model, overrides);
  const base = { name: model.name, ...model.options };
  const fnName = overrides?.name ?? base.name ?? 'function';
  const hit = derived.get(model);
  if (hit?.options === model.options)
    return loaded(new PciFunctionHw({ ...hit.spec, name: fnName }));
  const image = model.image();
  if (!image.ok) return image;
  const r = resolveFunctionHwShared(image.value, mergeOptions(base, overrides));
  if (!r.ok) return r;
  derived.set(model, { options: model.options, spec: r.value });
  return loaded(new PciFunctionHw({ ...r.value, name: fnName }));
}

// A built-in model's image and options always derive the same description (never written):
// derived once per model, while its options stay the ones it was derived from.
const derived = new WeakMap<
  PciFunctionModel,
  { readonly options: FunctionHwOptions; readonly spec: ResolvedFunctionHw }
>();
