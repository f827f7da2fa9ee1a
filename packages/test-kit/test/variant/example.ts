// Loads the example variant (packages/vfio-pci/examples/acme-vfio-pci.ts) at run time. `tsc -b`
// compiles it with vfio-pci's test project; this project cannot import it statically (it lies
// outside its rootDir, and the layering check's "leaves the package" rule), and guide.test.ts
// type-checks it together with the guide's code through the compiler API.
import type { PciDeviceId } from '@vfio-ts/pci-core';
import type { VfioPciVariant } from '@vfio-ts/vfio-pci';
import { fileURLToPath } from 'node:url';

/** The example's source file. */
export const EXAMPLE_PATH = fileURLToPath(
  new URL('../../../vfio-pci/examples/acme-vfio-pci.ts', import.meta.url),
);

/** What the example exports. */
export interface AcmeModule {
  AcmeVfioPci: new () => VfioPciVariant;
  ACME_ID_TABLE: readonly PciDeviceId[];
  ACME_FEATURE_RESUME_COUNT: number;
  ACME_RESUME_COUNT_SIZE: number;
}

const SPECIFIER = '../../../vfio-pci/examples/acme-vfio-pci.js';

/** The example module. */
export async function loadAcme(): Promise<AcmeModule> {
  return (await import(SPECIFIER)) as AcmeModule;
}
