// @vfio-ts/test-kit: the machine, the user-process facade, exporters.
export { UserProcess } from './process/user-process.js';
export type { EventfdOptions } from './process/user-process.js';
export { Mapping } from './process/mapping.js';
export { SigBus, SigSegv } from './process/signals.js';
