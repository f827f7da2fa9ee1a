// Per-state power draws of the built-in device models. These are estimates for pictures and
// comparisons, not measurements: override them with figures for the hardware at hand.

/** Watts drawn in each D-state. */
export interface PowerDraws {
  readonly D0: number;
  readonly D1: number;
  readonly D2: number;
  readonly D3hot: number;
  readonly D3cold: number;
}

/** A named set of draws. */
export interface PowerModel {
  readonly name: string;
  readonly draws: PowerDraws;
}

/**
 * How a device's draws are chosen: a built-in model name, or a base model (default
 * `generic`) with some draws overridden.
 */
export type PowerModelSpec =
  string | { readonly base?: string; readonly draws: Partial<PowerDraws> };

/**
 * Built-in estimates (watts), rough orders of magnitude rather than datasheet or measured
 * figures. e1000e: active idle 0.8 W, D3hot 0.2 W, D3cold 5 mW. nvidia-h100: an idle GPU
 * 60 W, held in D3hot 25 W, RTD3 full-off with only always-on board logic 2 W. Root ports:
 * a port's share of link power. `generic`: a small PCIe endpoint. D1/D2, where a model does
 * not support them, draw as D0.
 */
export const BUILTIN_POWER_MODELS: Readonly<Record<string, PowerDraws>> = {
  generic: { D0: 2, D1: 1.5, D2: 1, D3hot: 0.5, D3cold: 0.02 },
  e1000e: { D0: 0.8, D1: 0.8, D2: 0.8, D3hot: 0.2, D3cold: 0.005 },
  'nvidia-h100': { D0: 60, D1: 60, D2: 60, D3hot: 25, D3cold: 2 },
  'qemu-pcie-root-port': { D0: 0.3, D1: 0.3, D2: 0.3, D3hot: 0.3, D3cold: 0.3 },
  'pcie-root-port-pm': { D0: 0.3, D1: 0.3, D2: 0.3, D3hot: 0.1, D3cold: 0.01 },
};

/**
 * Resolves a spec to draws.
 *
 * @param spec - a model name or a base with overrides; @default 'generic'
 * @returns the model; an unknown name is a caller bug and throws with the known names
 */
export function resolvePowerModel(spec: PowerModelSpec = 'generic'): PowerModel {
  const base = typeof spec === 'string' ? spec : (spec.base ?? 'generic');
  const draws = BUILTIN_POWER_MODELS[base];
  if (!draws)
    throw new Error(
      `power model "${base}" is not built in (known: ${Object.keys(BUILTIN_POWER_MODELS).join(', ')})`,
    );
  if (typeof spec === 'string') return { name: base, draws };
  return { name: `${base}*`, draws: { ...draws, ...spec.draws } };
}
