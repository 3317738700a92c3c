// CPU accounting for benchmark processes: CPU seconds from /proc/<pid>/stat (user + system, every
// thread, children excluded), and a summary of a V8 .cpuprofile by where the self time goes.
import { readdir, readFile } from 'node:fs/promises';
import { z } from 'zod';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ is 100 on Linux). */
const USER_HZ = 100;

/** user + system CPU seconds from a /proc stat line (utime and stime are fields 14 and 15). */
function cpuSecondsOfStat(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const seconds = (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  return Number.isFinite(seconds) ? seconds : null;
}

/** CPU seconds the process has used so far; null when /proc is unavailable or the process is gone. */
export async function processCpuSeconds(pid: number): Promise<number | null> {
  try {
    return cpuSecondsOfStat(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/**
 * A server process's threads, grouped by what they do:
 * - main: the JavaScript thread (tid = pid): protocol work, the FFI calls, GC pauses;
 * - openvino: OpenVINO's inference threads. They are started from libuv's thread pool (the model is
 *   compiled there) and inherit its thread name, so libuv's own mostly idle workers count here too;
 *   in Python servers, any thread not named otherwise;
 * - v8: V8's background threads, nearly all concurrent garbage collection;
 * - other.
 */
export const THREAD_GROUPS = ['main', 'openvino', 'v8', 'other'] as const;
export type ThreadGroup = (typeof THREAD_GROUPS)[number];
export type ThreadCpu = Record<ThreadGroup, number>;

export function threadGroup(pid: number, tid: number, name: string): ThreadGroup {
  if (tid === pid) return 'main';
  if (name.startsWith('V8') || name === 'DelayedTaskSche') return 'v8';
  if (name === 'libuv-worker' || name.startsWith('tbb') || name.startsWith('openvino')) return 'openvino';
  return 'other';
}

/** CPU seconds per thread group so far; null when /proc is unavailable or the process is gone. */
export async function threadCpuSeconds(pid: number): Promise<ThreadCpu | null> {
  const out: ThreadCpu = { main: 0, openvino: 0, v8: 0, other: 0 };
  let tids: string[];
  try {
    tids = await readdir(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  await Promise.all(
    tids.map(async (tid) => {
      try {
        const stat = await readFile(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const seconds = cpuSecondsOfStat(stat);
        if (seconds !== null) out[threadGroup(pid, Number(tid), name)] += seconds;
      } catch {
        // the thread ended between readdir and read
      }
    }),
  );
  return out;
}

/**
 * Measures the CPU cores a process keeps busy while `work` runs (Δcpu / Δwall), in all and per
 * thread group. Threads that start or end during `work` count only for what they used while seen.
 */
export async function coresUsedDuring<T>(
  pid: number | undefined,
  work: () => Promise<T>,
): Promise<{ value: T; cores: number | null; threads: ThreadCpu | null }> {
  const before = pid === undefined ? null : await processCpuSeconds(pid);
  const threadsBefore = pid === undefined ? null : await threadCpuSeconds(pid);
  const t0 = performance.now();
  const value = await work();
  const wallS = (performance.now() - t0) / 1000;
  const after = pid === undefined ? null : await processCpuSeconds(pid);
  const threadsAfter = pid === undefined ? null : await threadCpuSeconds(pid);
  const cores = before === null || after === null || wallS <= 0 ? null : (after - before) / wallS;
  const threads =
    threadsBefore === null || threadsAfter === null || wallS <= 0
      ? null
      : (Object.fromEntries(
          THREAD_GROUPS.map((g) => [g, Math.max(0, threadsAfter[g] - threadsBefore[g]) / wallS]),
        ) as ThreadCpu);
  return { value, cores, threads };
}

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.int(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.int() }),
    }),
  ),
  samples: z.array(z.int()),
  timeDeltas: z.array(z.number()),
});

export const PROFILE_CATEGORIES = [
  'idle',
  'gc',
  'native (program)',
  'transports',
  'protobuf codec',
  'ovfleet server',
  'ovfleet engine (FFI)',
  'koffi',
  'node internals',
  'other',
] as const;
export type ProfileCategory = (typeof PROFILE_CATEGORIES)[number];

export interface ProfileSummary {
  readonly totalMs: number;
  /** Share of sampled time per category, 0…1. */
  readonly byCategory: Record<ProfileCategory, number>;
  /** The functions with the most self time. */
  readonly top: readonly { readonly frame: string; readonly share: number }[];
}

/** Which part of the stack a frame belongs to, from its function name and script URL. */
export function categorize(functionName: string, url: string): ProfileCategory {
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'gc';
  if (functionName === '(program)') return 'native (program)';
  if (url.includes('/@grpc/proto-loader/') || url.includes('/protobufjs/')) return 'protobuf codec';
  if (url.includes('/server/grpc/') || url.includes('/server/rest/') || url.includes('/server/protocol/'))
    return 'transports';
  if (url.includes('/koffi/')) return 'koffi';
  if (url.includes('/server/engine/')) return 'ovfleet engine (FFI)';
  if (url.includes('/server/')) return 'ovfleet server';
  if (url.startsWith('node:') || url === '') return 'node internals';
  return 'other';
}

/** Self time per category and the top frames of a V8 CPU profile (node --cpu-prof output). */
export async function summarizeCpuProfile(file: string, topN = 12): Promise<ProfileSummary> {
  const profile = profileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const selfMs = new Map<string, number>();
  const byCategory = Object.fromEntries(PROFILE_CATEGORIES.map((c) => [c, 0])) as Record<
    ProfileCategory,
    number
  >;
  let totalMs = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id);
    if (!frame) return;
    totalMs += ms;
    byCategory[categorize(frame.functionName, frame.url)] += ms;
    const where =
      frame.url === '' ? '' : ` ${frame.url.split('/').slice(-2).join('/')}:${frame.lineNumber + 1}`;
    const key = `${frame.functionName || '(anonymous)'}${where}`;
    selfMs.set(key, (selfMs.get(key) ?? 0) + ms);
  });
  for (const c of PROFILE_CATEGORIES) byCategory[c] = totalMs > 0 ? byCategory[c] / totalMs : 0;
  const top = [...selfMs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([frame, ms]) => ({ frame, share: totalMs > 0 ? ms / totalMs : 0 }));
  return { totalMs, byCategory, top };
}
