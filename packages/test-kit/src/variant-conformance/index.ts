// The variant conformance harness: the standard low-power cases for vfio-pci variant authors.
export { runVariantConformance, formatVariantConformanceReport } from './run.js';
export { VARIANT_CONFORMANCE_CASES } from './types.js';
export type {
  VariantConformanceCaseName,
  VariantConformanceContext,
  VariantConformanceExpectations,
  VariantConformanceHookResult,
  VariantConformanceOptions,
  VariantConformanceReport,
  VariantConformanceResult,
} from './types.js';
