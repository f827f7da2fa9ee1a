// The `vfio-ts` command line.
import { Command } from 'commander';
import { conform } from './conform.js';
import { demo } from './demo.js';

/** Runs the command line with `argv` (as process.argv); @returns the exit code */
export async function main(
  argv: string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
): Promise<number> {
  let code = 0;
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
      'a short VM-like run: low-power entry, a host wake, re-arm; timeline, energy, trace',
    )
    .option('-o, --out <dir>', 'where to write trace.json and timeline.svg', 'out')
    .action(async (o: { out: string }) => {
      code = await demo(o.out, out);
    });
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const exit = (e as { exitCode?: number }).exitCode;
    return typeof exit === 'number' ? exit : 2;
  }
  return code;
}
