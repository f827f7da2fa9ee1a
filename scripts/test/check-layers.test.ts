import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without declarations
import { checkLayers } from '../check-layers.mjs';

const check = checkLayers as (root: string) => string[];

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const pkg = (deps: Record<string, string> = {}) => JSON.stringify({ dependencies: deps });

describe('layering check', () => {
  it('passes this repository', () => {
    expect(check(resolve(fileURLToPath(import.meta.url), '../../..'))).toEqual([]);
  });

  it('accepts imports of lower layers by their index', () => {
    const root = repo({
      'packages/vfio-core/package.json': pkg({ '@vfio-ts/runtime-pm': '0.1.0' }),
      'packages/vfio-core/src/a.ts':
        "import { Device } from '@vfio-ts/runtime-pm';\nimport { x } from './b.js';\n",
    });
    expect(check(root)).toEqual([]);
  });

  it('fails an import of a layer above', () => {
    const root = repo({
      'packages/pci-core/package.json': pkg(),
      'packages/pci-core/src/a.ts': "import { VFIO } from '@vfio-ts/vfio-core';\n",
    });
    expect(check(root)).toEqual([
      'packages/pci-core/src/a.ts: imports @vfio-ts/vfio-core, which is not below pci-core',
    ]);
  });

  it("lets a package's tests import the test kit, but not its sources", () => {
    const root = repo({
      'packages/vfio-pci/package.json': pkg(),
      'packages/vfio-pci/test/a.test.ts': "import { createMachine } from '@vfio-ts/test-kit';\n",
      'packages/vfio-pci/src/b.ts': "import { createMachine } from '@vfio-ts/test-kit';\n",
    });
    expect(check(root)).toEqual([
      'packages/vfio-pci/src/b.ts: imports @vfio-ts/test-kit, which is not below vfio-pci',
    ]);
  });

  it('fails vfio-core depending on pci-core, which DESIGN.md forbids', () => {
    const root = repo({
      'packages/vfio-core/package.json': pkg({ '@vfio-ts/pci-core': '0.1.0' }),
      'packages/vfio-core/test/a.test.ts': "const m = await import('@vfio-ts/pci-core');\n",
    });
    expect(check(root)).toHaveLength(2);
  });

  it("fails a reach into another package's internals, by subpath or relative path", () => {
    const root = repo({
      'packages/vfio-pci/package.json': pkg(),
      'packages/vfio-pci/src/a.ts':
        "import { x } from '@vfio-ts/kernel/src/scheduler.js';\nexport { y } from '../../kernel/src/locks.js';\n",
    });
    expect(check(root)).toEqual([
      'packages/vfio-pci/src/a.ts: reaches into @vfio-ts/kernel/src/scheduler.js; import @vfio-ts/kernel by its index',
      'packages/vfio-pci/src/a.ts: relative import ../../kernel/src/locks.js leaves packages/vfio-pci',
    ]);
  });
});
