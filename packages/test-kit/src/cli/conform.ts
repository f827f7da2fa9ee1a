// `vfio-ts conform <file…>`: replays conformance files and prints per-scenario tables.
import { formatConformanceReport, replayConformance } from '../conformance/replay.js';

/** Replays each file; @returns the exit code (0 only when every step of every file passed) */
export async function conform(
  files: string[],
  out: (s: string) => void,
  firstMismatches = 5,
): Promise<number> {
  let code = 0;
  for (const file of files) {
    const r = await replayConformance(file);
    out(`== ${file}\n${formatConformanceReport(r, firstMismatches)}`);
    if (r.fileErrors || r.failed > 0) code = 1;
  }
  return code;
}
