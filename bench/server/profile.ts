// Turning a server CPU profile into a sentence: where the server's time goes under load, and why a
// target is missed when it is.
import type { ProfileCategory, ProfileSummary } from '../common/cpu.ts';
import { type ServerRow, usPerInference } from './report.ts';

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
 * Why the server falls short of the in-process limit: the CPU per inference at saturation of the
 * server's threads (main JS thread, OpenVINO, V8's GC threads) against the in-process loop's, where
 * the load generator runs, and what the server's main thread spent its samples on.
 */
export function profileNote(
  p: ProfileSummary | undefined,
  rows: readonly ServerRow[],
  placement: string,
): string {
  const best = (system: ServerRow['system']) =>
    rows.filter((r) => r.system === system).sort((a, b) => b.throughput - a.throughput)[0];
  const grpc = best('ovfleet-grpc');
  const inproc = best('in-process');
  const us = (v: number | null | undefined): string => (v == null ? '?' : `${Math.round(v)} µs`);
  const total = (r: ServerRow | undefined) =>
    r?.serverCores == null || r.throughput <= 0 ? null : (r.serverCores / r.throughput) * 1e6;
  const threads =
    grpc?.serverThreads == null
      ? ''
      : ` = main thread ${us(usPerInference(grpc, 'main'))} + OpenVINO ${us(usPerInference(grpc, 'openvino'))} + V8 background (GC) ${us(usPerInference(grpc, 'v8'))}`;
  const profile =
    p === undefined ? '' : ` Server main thread busy ${pct(1 - p.byCategory.idle)}: ${describeProfile(p)}`;
  return (
    `CPU per inference at saturation: gRPC server ${us(total(grpc))}${threads}; in-process ${us(total(inproc))} ` +
    `(${placement}).${profile}`
  );
}
