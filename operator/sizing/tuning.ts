// Thread counts, CPU streams, the OpenMP environment and the OpenVINO properties of one instance.
//
// Rules:
// - threads: latency uses one thread per physical core the instance touches (ceil(vCPUs /
//   threadsPerCore); 80 vCPUs with hyper-threading → 40), because hyper-thread siblings share a
//   core's execution units and a second compute thread per core adds contention. Throughput uses
//   every vCPU (4 → 4): with many instances the siblings' spare cycles are worth having.
// - Threads are always set from the pod's own budget: left alone, OpenVINO sizes its pools to the
//   host's cores and oversubscribes a CFS-quota'd pod.
// - CPU streams: latency 1; throughput one per physical core (4 vCPUs with HT → 2 streams of 2
//   threads), never more than the threads.
// - OMP_NUM_THREADS and KMP_* are set for both threading runtimes: an OpenMP build reads them, a TBB
//   build (OpenVINO ≥ 2019 R2) ignores them, and they match the tuning guide either way.

import type { DeviceProfile, OvPropertyName } from './devices.ts';
import { describeVcpus, type Explainer } from './explainer.ts';
import type { Objective, SizingInput, Threading } from './types.ts';

export interface Tuning {
  threads: number;
  /** undefined when the device has no NUM_STREAMS property. */
  streams: number | undefined;
  env: Record<string, string>;
  ovProperties: Record<string, string>;
}

const HINTS: Readonly<Record<Objective, string>> = { latency: 'LATENCY', throughput: 'THROUGHPUT' };

const THREADING_NOTE: Readonly<Record<Threading, string>> = {
  omp: 'this legacy OpenMP build reads it',
  tbb:
    'TBB builds (OpenVINO ≥ 2019 R2) do not read it (on CPU, INFERENCE_NUM_THREADS bounds them); it is ' +
    'set anyway because it is harmless, matches the tuning guide, and keeps an OpenMP image right',
};

const KMP_NOTE: Readonly<Record<Threading, string>> = {
  omp: 'read by this legacy OpenMP build',
  tbb: 'irrelevant to TBB builds, which ignore KMP_*; set for OpenMP images as the tuning guide prescribes',
};

export function physicalCores(vcpus: number, threadsPerCore: number): number {
  return Math.max(1, Math.ceil(vcpus / Math.max(1, threadsPerCore)));
}

export function tune(input: SizingInput, profile: DeviceProfile, vcpus: number, why: Explainer): Tuning {
  const { objective, node, overrides, threading } = input;
  const cores = physicalCores(vcpus, node.threadsPerCore);

  const threads = overrides.threads ?? (objective === 'latency' ? cores : Math.max(1, vcpus));
  const threadsReason =
    overrides.threads !== undefined
      ? 'set by overrides.threads'
      : profile.accelerator
        ? `the ${input.device} runs the model; ${threads} CPU threads (the ${objective} rule: ` +
          `${objective === 'latency' ? 'one per physical core' : 'one per vCPU'}) serve pre/post-processing ` +
          'and any layers the device cannot run'
        : objective === 'latency'
          ? `latency: one thread per physical core — ${describeVcpus(vcpus, node.threadsPerCore)} → ${threads}; ` +
            'hyper-thread siblings share a core, so a second compute thread per core adds contention, not speed'
          : `throughput: one thread per vCPU the instance owns (${vcpus}); with many instances the ` +
            'hyper-thread siblings’ spare cycles are worth using';

  const derivedStreams = profile.streams(objective, cores, threads);
  // An override only applies where the device has streams; elsewhere it is reported as a violation.
  const streams =
    overrides.streams !== undefined && profile.properties.includes('NUM_STREAMS')
      ? overrides.streams
      : derivedStreams;

  const env: Record<string, string> = {
    OMP_NUM_THREADS: String(threads),
    KMP_SETTINGS: '1',
    KMP_AFFINITY: 'granularity=fine,verbose,compact,1,0',
    KMP_BLOCKTIME: '1',
  };
  why.add('env.OMP_NUM_THREADS', env.OMP_NUM_THREADS ?? '', `${threadsReason}; ${THREADING_NOTE[threading]}`);
  why.add(
    'env.KMP_SETTINGS',
    '1',
    `print the OpenMP runtime's settings at start-up so the pod log shows what took effect; ${KMP_NOTE[threading]}`,
  );
  why.add(
    'env.KMP_AFFINITY',
    env.KMP_AFFINITY ?? '',
    'bind each OpenMP thread to one logical CPU (granularity=fine), fill distinct cores before hyper-thread ' +
      `siblings (compact,1,0) and log the binding (verbose); ${KMP_NOTE[threading]}`,
  );
  why.add(
    'env.KMP_BLOCKTIME',
    '1',
    'idle OpenMP threads spin 1 ms instead of the default 200 ms before sleeping, so an instance gives its ' +
      `CPUs back quickly between requests; ${KMP_NOTE[threading]}`,
  );

  const pinning = node.cpuManagerPolicy !== 'none' && Number.isInteger(vcpus);
  const values: Record<OvPropertyName, string | undefined> = {
    PERFORMANCE_HINT: HINTS[objective],
    NUM_STREAMS: streams === undefined ? undefined : String(streams),
    INFERENCE_NUM_THREADS: String(threads),
    ENABLE_CPU_PINNING: pinning ? 'YES' : 'NO',
  };
  const reasons: Record<OvPropertyName, string> = {
    PERFORMANCE_HINT: `${objective} objective; explicit stream and thread counts below still win over the hint's guesses`,
    NUM_STREAMS: streamsReason(input, profile, cores, threads, streams),
    INFERENCE_NUM_THREADS:
      `same as OMP_NUM_THREADS (${threads}): bounds OpenVINO's own (TBB) pool to the pod instead of the ` +
      "host's cores, which a CPU quota would otherwise oversubscribe",
    ENABLE_CPU_PINNING: pinning
      ? `the pod gets ${vcpus} whole CPUs with requests = limits, so the static CPU manager gives it ` +
        'exclusive cores and pinning threads to them avoids migrations'
      : node.cpuManagerPolicy === 'none'
        ? 'the kubelet has no static CPU manager, so the pod shares cores and pinning would fight other pods'
        : 'the instance has a fractional CPU count, so it cannot own whole cores',
  };
  const ovProperties: Record<string, string> = {};
  for (const name of profile.properties) {
    const value = values[name];
    if (value === undefined) continue;
    ovProperties[name] = value;
    why.add(`ovProperties.${name}`, value, reasons[name]);
  }
  if (profile.properties.length === 0) {
    why.add(
      'ovProperties',
      '(none)',
      `the ${input.device} plugin predates performance hints and has no streams; nireq sets its parallelism`,
    );
  }
  return { threads, streams, env, ovProperties };
}

function streamsReason(
  input: SizingInput,
  profile: DeviceProfile,
  cores: number,
  threads: number,
  streams: number | undefined,
): string {
  if (input.overrides.streams !== undefined && streams === input.overrides.streams)
    return 'set by overrides.streams';
  if (!profile.cpuStreams) {
    return input.objective === 'latency'
      ? 'latency: one GPU stream so each request has the whole GPU'
      : 'throughput: two GPU streams let one request upload while the other computes';
  }
  if (input.objective === 'latency') return 'latency: one stream, so each request runs on all the threads';
  return (
    `throughput: one stream per physical core (${cores} cores, ${threads} threads → ${streams} streams); ` +
    'independent requests run side by side instead of sharing one pool'
  );
}
