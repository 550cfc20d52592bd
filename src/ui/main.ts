// Placeholder for the terminal dashboard (`hutch` without arguments): prints the
// container list and a hint, so `npm start` works until the real UI lands.
import type { EngineApi } from '../engine/types.js';
import { renderPs } from '../cli/verbs/ps.js';

export async function runDashboard(
  engine: EngineApi,
  out: { write(chunk: string): unknown } = process.stdout,
): Promise<number> {
  const list = await engine.list({ all: true });
  out.write(renderPs(list, {}, new Date()));
  out.write("\nThe interactive dashboard is not built yet. Try 'hutch run --rm -it host sh' or 'hutch --help'.\n");
  return 0;
}
