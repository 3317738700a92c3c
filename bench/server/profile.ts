// Turning a server CPU profile into a sentence: where the server's time goes under load, and why a
// target is missed when it is.
import type { ProfileCategory, ProfileSummary } from '../common/cpu.ts';
import type { ServerRow } from './report.ts';

const pct = (share: number): string => `${Math.round(share * 100)}%`;

/** "grpc-js 31%, gc 9%, … (top: frame 12%, …)" over the categories with ≥ 2% of the samples. */
export function describeProfile(p: ProfileSummary): string {
  const categories = (Object.entries(p.byCategory) as [ProfileCategory, number][])
    .filter(([, share]) => share >= 0.02)
    .sort((a, b) => b[1] - a[1])
    .map(([c, share]) => `${c} ${pct(share)}`)
    .join(', ');
  const top = p.top
    .filter((t) => !t.frame.startsWith('(idle)'))
    .slice(0, 5)
    .map((t) => `${t.frame} ${pct(t.share)}`)
    .join('; ');
  return `${categories} (busiest frames: ${top})`;
}

/**
 * Why the server falls short of the in-process limit: the CPU the server process and the in-process
 * loop needed at saturation (perf_analyzer runs on the same cores), and what the server's main
 * thread spent its samples on.
 */
export function profileNote(p: ProfileSummary, rows: readonly ServerRow[]): string {
  const best = (system: ServerRow['system']) =>
    rows.filter((r) => r.system === system).sort((a, b) => b.throughput - a.throughput)[0];
  const grpc = best('ovfleet-grpc');
  const inproc = best('in-process');
  const cpuPerInfer = (r: ServerRow | undefined): string =>
    r?.serverCores == null || r.throughput <= 0
      ? '?'
      : `${Math.round((r.serverCores / r.throughput) * 1e6)} µs`;
  const busy = 1 - p.byCategory.idle;
  return (
    `CPU per inference at saturation: server ${cpuPerInfer(grpc)} (${grpc?.serverCores?.toFixed(2) ?? '?'} cores) vs in-process ` +
    `${cpuPerInfer(inproc)} (${inproc?.serverCores?.toFixed(2) ?? '?'} cores); perf_analyzer shares the same 2 vCPUs. ` +
    `Server main thread busy ${pct(busy)}: ${describeProfile(p)}`
  );
}
