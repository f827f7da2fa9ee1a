// The `vfio-ts` command line.
import { Command, InvalidArgumentError } from 'commander';
import { conform } from './conform.js';
import { demo } from './demo.js';
import { exploreCommand, replayCommand, runCommand, type RunFiles } from './scenario.js';

const count = (min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`a whole number from ${min}`);
  return n;
};

/**
 * Runs the command line with `argv` (as process.argv).
 * @param out - standard output; usage errors go there too
 * @param err - standard error: problems of scenario files, the progress bar
 * @returns the exit code
 */
export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  let code = 0;
  const io = { out, err };
  const program = new Command('vfio-ts')
    .description('A simulator of Linux 6.1 vfio-pci runtime power management')
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out });
  program
    .command('conform')
    .description('replay recorded kernel traces (vfio-ts-conformance/1) and compare every step')
    .argument('<file...>', 'conformance files')
    .option('-m, --mismatches <n>', 'how many mismatches to print in full', '5')
    .action(async (files: string[], o: { mismatches: string }) => {
      code = await conform(files, out, Math.max(0, parseInt(o.mismatches, 10) || 0));
    });
  program
    .command('demo')
    .description(
      'a VM with an H100 and an e1000e: D3cold through virtual ACPI, a host wake, re-arm',
    )
    .option('-o, --out <dir>', 'where to write trace.json and timeline.svg', 'out')
    .action(async (o: { out: string }) => {
      code = await demo(o.out, out);
    });
  program
    .command('run')
    .description('run a scenario file (YAML or JSON); exit 1 when an expectation fails')
    .argument('<scenario>', 'scenario file')
    .option('-t, --trace <file>', 'write a Perfetto / Chrome trace JSON')
    .option('-s, --svg <file>', 'write an SVG timeline')
    .action(async (file: string, o: RunFiles) => {
      code = await runCommand(file, o, io);
    });
  program
    .command('explore')
    .description(
      'run a scenario under many schedules; print the first failure and its replay token',
    )
    .argument('<scenario>', 'scenario file')
    .option('-n, --schedules <n>', 'how many schedules', count(1), 100)
    .option('--seed <n>', 'seed of the first random schedule', count(0), 1)
    .option('-p, --preemption-bound <n>', 'exhaustive search within this bound instead', count(0))
    .action(
      async (file: string, o: { schedules: number; seed: number; preemptionBound?: number }) => {
        code = await exploreCommand(file, o, io);
      },
    );
  program
    .command('replay')
    .description('replay one schedule of a scenario from its token')
    .argument('<scenario>', 'scenario file')
    .argument('<token>', 'replay token from vfio-ts explore (vt1:…)')
    .option('-t, --trace <file>', 'write a Perfetto / Chrome trace JSON')
    .option('-s, --svg <file>', 'write an SVG timeline')
    .action(async (file: string, token: string, o: RunFiles) => {
      code = await replayCommand(file, token, o, io);
    });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const exit = (e as { exitCode?: number }).exitCode;
    if (typeof exit === 'number') return exit;
    io.err(`vfio-ts: ${(e as Error).message}\n`);
    return 2;
  }
  return code;
}
