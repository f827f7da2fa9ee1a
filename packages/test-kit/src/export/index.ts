// Trace export and pictures: Chrome/Perfetto trace JSON, the power timeline, energy, SVG/text.
export { toChromeTrace, KERNEL_PID } from './chrome-trace.js';
export type { ChromeTrace, ChromeTraceEvent, ChromeTraceOptions } from './chrome-trace.js';
export { validateChromeTrace } from './chrome-validate.js';
export { powerTimeline, timeInStates } from './timeline.js';
export type {
  DeviceTimeline,
  PowerInterval,
  PowerTimeline,
  PowerTimelineOptions,
  TimelineMarker,
} from './timeline.js';
export { BUILTIN_POWER_MODELS, resolvePowerModel } from './power-models.js';
export type { PowerDraws, PowerModel, PowerModelSpec } from './power-models.js';
export { energyReport, percentOf } from './energy.js';
export type { DeviceEnergy, EnergyReport, PowerModelOptions } from './energy.js';
export { renderTimelineSvg, STATE_COLOURS } from './svg.js';
export type { TimelineSvgOptions } from './svg.js';
export { renderTimelineText, STATE_CHARS } from './text.js';
export type { TimelineTextOptions } from './text.js';
export { D_STATES, D_STATE_LEVEL, toDState } from './records.js';
export type { DState } from './records.js';
