#!/usr/bin/env node
// The vfio-ts command line; the code is built into dist/ by `npm ci` (the root prepare script).
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv);
