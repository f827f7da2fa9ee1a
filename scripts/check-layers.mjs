#!/usr/bin/env node
// Fails when a package imports a package above it (DESIGN.md layer order), reaches into
// another package's internals, or declares a dependency on a package above it. A package's
// tests (its test/ folder) may import the test kit, the tool that turns the stack into a
// machine: tests are not modules of the layer.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bottom to top; a package may import only packages listed before it. */
export const LAYERS = [
  'kernel',
  'runtime-pm',
  'pci-core',
  'vfio-core',
  'vfio-pci',
  'variant-nvidia',
  'test-kit',
];

/** The package a package's tests may import whatever its layer. */
export const TEST_TOOL = 'test-kit';

/** Pairs that the order would allow but DESIGN.md forbids. */
export const FORBIDDEN = [['vfio-core', 'pci-core']];

const IMPORT_RE =
  /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g;

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (/\.(ts|mts|js|mjs)$/.test(name)) yield path;
  }
}

function allowed(from, to) {
  if (from === to) return true;
  if (FORBIDDEN.some(([a, b]) => a === from && b === to)) return false;
  return LAYERS.indexOf(to) < LAYERS.indexOf(from);
}

/** Returns one message per violation under `root` (the repository). */
export function checkLayers(root) {
  const problems = [];
  for (const pkg of LAYERS) {
    const pkgDir = join(root, 'packages', pkg);
    let manifest;
    try {
      manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })) {
      const m = /^@vfio-ts\/(.+)$/.exec(dep);
      if (m && !allowed(pkg, m[1]))
        problems.push(
          `packages/${pkg}/package.json: depends on @vfio-ts/${m[1]}, a layer above or beside it`,
        );
    }
    for (const file of walk(pkgDir)) {
      const text = readFileSync(file, 'utf8');
      const rel = relative(root, file);
      const isTest = file.startsWith(join(pkgDir, 'test') + sep);
      for (const match of text.matchAll(IMPORT_RE)) {
        const spec = match[1] ?? match[2] ?? match[3];
        const scoped = /^@vfio-ts\/([^/]+)(\/.*)?$/.exec(spec);
        if (scoped) {
          const [, target, sub] = scoped;
          if (!allowed(pkg, target) && !(isTest && target === TEST_TOOL))
            problems.push(`${rel}: imports @vfio-ts/${target}, which is not below ${pkg}`);
          if (sub)
            problems.push(`${rel}: reaches into ${spec}; import @vfio-ts/${target} by its index`);
        } else if (spec.startsWith('.')) {
          const target = resolve(file, '..', spec);
          if (!target.startsWith(pkgDir + sep))
            problems.push(`${rel}: relative import ${spec} leaves packages/${pkg}`);
        }
      }
    }
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = checkLayers(resolve(fileURLToPath(import.meta.url), '..', '..'));
  for (const p of problems) console.error(`layering: ${p}`);
  if (problems.length) process.exit(1);
  console.log(`layering: ok (${LAYERS.join(' <- ')})`);
}
