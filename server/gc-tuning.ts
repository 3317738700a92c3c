// Garbage-collector settings for a process that moves large tensors through Node's buffers.
//
// Every request and response body lives in ArrayBuffers whose bytes are outside V8's heap. By
// default V8 counts those bytes towards the old generation's allocation limit, and a server's heap
// is small (~16 MB), so the limit's slack is spent by a handful of tensors: serving PP-OCR det
// (1.2 MB in, 0.4 MB out) started a full mark-compact every ~10 requests, and the collector took
// ~15% of the instance's CPU. With external memory accounted in V8's global limit instead (its
// newer scheme, on by default in later V8 releases), collections follow the external memory that
// is actually live: on the same load, mark-compacts fell from 83 to 18 and throughput rose 14%
// (README, "What the benchmarks found").
import { setFlagsFromString } from 'node:v8';

export const GC_FLAGS = ['--external-memory-accounted-in-global-limit'] as const;

/** Applies GC_FLAGS unless OVFLEET_GC_TUNING=off; returns the flags applied. */
export function tuneGarbageCollector(env: NodeJS.ProcessEnv = process.env): readonly string[] {
  if (env.OVFLEET_GC_TUNING === 'off') return [];
  for (const flag of GC_FLAGS) setFlagsFromString(flag);
  return GC_FLAGS;
}
