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
export {
  toChromeTrace,
  KERNEL_PID,
  validateChromeTrace,
  powerTimeline,
  timeInStates,
  BUILTIN_POWER_MODELS,
  resolvePowerModel,
  energyReport,
  percentOf,
  renderTimelineSvg,
  STATE_COLOURS,
  renderTimelineText,
  STATE_CHARS,
  D_STATES,
  D_STATE_LEVEL,
  toDState,
} from './export/index.js';
export type {
  ChromeTrace,
  ChromeTraceEvent,
  ChromeTraceOptions,
  DeviceTimeline,
  PowerInterval,
  PowerTimeline,
  PowerTimelineOptions,
  TimelineMarker,
  PowerDraws,
  PowerModel,
  PowerModelSpec,
  DeviceEnergy,
  EnergyReport,
  PowerModelOptions,
  TimelineSvgOptions,
  TimelineTextOptions,
  DState,
} from './export/index.js';
export { createMachine, Machine } from './machine/machine.js';
export type { Fault } from './machine/machine.js';
export { checkMachineOptions, MachineOptionsError } from './machine/options.js';
export { DEFAULT_VARIANTS } from './machine/variants.js';
export type { VariantSpec } from './machine/variants.js';
export type {
  MachineOptions,
  RootPortSpec,
  DeviceSpec,
  VfioPciModuleOptions,
} from './machine/options.js';
export {
  PCI_TOPOLOGY,
  PCI_PLATFORM,
  PCI_SYSFS,
  VFIO_CORE,
  VFIO_PCI_DRIVER,
} from './machine/tokens.js';
export { InvariantMonitor } from './machine/invariants.js';
export { conformanceMachineOptions } from './conformance/machine-options.js';
export { main } from './cli/main.js';
export { exploreMachine, replayMachine } from './machine/explore.js';
export type { MachineScenario } from './machine/explore.js';
export {
  runVariantConformance,
  formatVariantConformanceReport,
} from './variant-conformance/run.js';
export { VARIANT_CONFORMANCE_CASES } from './variant-conformance/types.js';
export type {
  VariantConformanceCaseName,
  VariantConformanceContext,
  VariantConformanceExpectations,
  VariantConformanceHookResult,
  VariantConformanceOptions,
  VariantConformanceReport,
  VariantConformanceResult,
} from './variant-conformance/types.js';
export { createGuest, Guest } from './guest/guest.js';
export type { GuestDeviceState, GuestLogEntry } from './guest/guest.js';
export { checkGuestOptions, GuestOptionsError } from './guest/options.js';
export type {
  GuestOptions,
  GuestAcpiOptions,
  GuestDeviceSpec,
  GuestDriverName,
} from './guest/options.js';
export type { GuestPower } from './guest/guest-os.js';
export { GUEST_TRACE_EVENTS } from './guest/trace-events.js';
export { nvidiaGuestDriver } from './guest/nvidia-driver.js';
export type { GuestDriver, GuestDeviceIo } from './guest/driver.js';
export { validateScenario, parseDuration } from './scenario/validate.js';
export { parseScenario, loadScenario } from './scenario/load.js';
export type { LoadResult } from './scenario/load.js';
export { runScenario, playScenario } from './scenario/run.js';
export type { ScenarioRun, RunLogEntry, PlayOptions } from './scenario/run.js';
export { exploreScenario, replayScenario } from './scenario/explore.js';
export { checkExpectations } from './scenario/expect.js';
export type { Check } from './scenario/expect.js';
export { formatRun } from './scenario/report.js';
export type { FormatRunOptions } from './scenario/report.js';
export { STEP_KINDS } from './scenario/types.js';
export type {
  Scenario,
  Step as ScenarioStep,
  StepKind as ScenarioStepKind,
  Expectations as ScenarioExpectations,
  Bounds,
} from './scenario/types.js';
export { DEMO_SCENARIO } from './cli/demo.js';
