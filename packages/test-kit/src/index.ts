// @vfio-ts/test-kit: the machine, the user-process facade, exporters.
export { UserProcess } from './process/user-process.js';
export type { EventfdOptions } from './process/user-process.js';
export { Mapping } from './process/mapping.js';
export { SigBus, SigSegv } from './process/signals.js';
export { replayConformance, formatConformanceReport } from './conformance/replay.js';
export type {
  ReplayMachine,
  ReplayProcess,
  ReplayOptions,
  StepResult,
  ConformanceReport,
} from './conformance/replay.js';
export { validateConformanceFile, CALLS } from './conformance/format.js';
export type {
  ConformanceFile,
  ConformanceMachine,
  ConformanceScenario,
  Step,
  StepExpect,
} from './conformance/format.js';
export { compareStep, hex } from './conformance/compare.js';
export type { Mismatch, StepActual } from './conformance/compare.js';
