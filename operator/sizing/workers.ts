// Infer requests (nireq) and server workers.
//
// Rules:
// - nireq on CPU/AUTO = streams: OpenVINO's OPTIMAL_NUMBER_OF_INFER_REQUESTS on CPU equals the
//   stream count (checked with the CPU plugin). More requests only queue inside OpenVINO, fewer
//   leave a stream idle; the server's own FIFO holds the rest.
// - nireq on HDDL = 4 per VPU (tuning guide: 8 VPUs → 32). GPU: 2 per stream (one being filled on
//   the host while the other runs). NPU: 1 for latency, 4 in flight for throughput.
// - Workers, runtime `ovms`: its workers are synchronous, so grpc_workers ≥ nireq is required; the
//   guide runs 2 × nireq (64 for 32) so a worker can decode the next request while its previous one
//   is in inference. REST gets exactly nireq, the least that keeps every request usable over REST.
// - Workers, runtime `ovfleet`: each worker is an event loop keeping many requests in flight, so one
//   can feed all nireq; more only buy CPU for protocol work: 1 per ~8 vCPUs, at least 1, at most the
//   instance's vCPUs. REST gets the same count since either protocol may carry all the load.

import { type DeviceProfile, NIREQ_PER_VPU } from './devices.ts';
import type { Explainer } from './explainer.ts';
import type { SizingInput } from './types.ts';

export const VCPUS_PER_OVFLEET_WORKER = 8;

export interface Workers {
  nireq: number;
  grpcWorkers: number;
  restWorkers: number;
}

export function planWorkers(
  input: SizingInput,
  profile: DeviceProfile,
  shape: { vcpusPerInstance: number; vpusPerInstance: number },
  streams: number | undefined,
  why: Explainer,
): Workers {
  const { overrides, runtime, objective, device } = input;
  const nireq = overrides.nireq ?? profile.nireq(objective, streams, shape.vpusPerInstance);
  why.add(
    'nireq',
    nireq,
    overrides.nireq !== undefined
      ? 'set by overrides.nireq'
      : nireqReason(input, streams, nireq, shape.vpusPerInstance),
  );

  if (runtime === 'ovms') {
    const grpcWorkers = overrides.grpcWorkers ?? 2 * nireq;
    const restWorkers = overrides.restWorkers ?? nireq;
    why.add(
      'grpcWorkers',
      grpcWorkers,
      overrides.grpcWorkers !== undefined
        ? 'set by overrides.grpcWorkers'
        : `OVMS workers are synchronous, so grpc_workers must be ≥ nireq; 2 × ${nireq} = ${grpcWorkers} as in ` +
            'the tuning guide, so a worker can decode the next request while its last one is in inference',
    );
    why.add(
      'restWorkers',
      restWorkers,
      overrides.restWorkers !== undefined
        ? 'set by overrides.restWorkers'
        : `rest_workers ≥ nireq (${nireq}) so every infer request can also be reached over REST`,
    );
    return { nireq, grpcWorkers, restWorkers };
  }

  const vcpus = shape.vcpusPerInstance;
  const derived = Math.max(1, Math.min(Math.max(1, vcpus), Math.round(vcpus / VCPUS_PER_OVFLEET_WORKER)));
  const reason =
    `ovfleet-server workers are event loops that each keep many requests in flight, so one can feed all ` +
    `${nireq} infer request(s); 1 per ~${VCPUS_PER_OVFLEET_WORKER} vCPUs for protocol work, ` +
    `at least 1, at most the instance's ${vcpus} vCPUs → ${derived}`;
  const grpcWorkers = overrides.grpcWorkers ?? derived;
  const restWorkers = overrides.restWorkers ?? derived;
  why.add(
    'grpcWorkers',
    grpcWorkers,
    overrides.grpcWorkers !== undefined ? 'set by overrides.grpcWorkers' : reason,
  );
  why.add(
    'restWorkers',
    restWorkers,
    overrides.restWorkers !== undefined
      ? 'set by overrides.restWorkers'
      : `same as gRPC (${derived}): either protocol may carry all the load on ${device}`,
  );
  return { nireq, grpcWorkers, restWorkers };
}

function nireqReason(input: SizingInput, streams: number | undefined, nireq: number, vpus: number): string {
  switch (input.device) {
    case 'CPU':
    case 'AUTO':
      return (
        `one infer request per CPU stream (${streams ?? 1}): OpenVINO's optimal number of requests on CPU equals ` +
        'the stream count; more would only queue inside OpenVINO, fewer would leave a stream idle'
      );
    case 'HDDL':
      return vpus > 0
        ? `${NIREQ_PER_VPU} infer requests per VPU keep every VPU busy (tuning guide): ${NIREQ_PER_VPU} × ${vpus} = ${nireq}`
        : 'no VPUs granted; 1 request is planned so the violation below names the gap';
    case 'GPU':
      return `2 per GPU stream (${streams ?? 1}): one is filled on the host while the other runs on the GPU`;
    case 'NPU':
      return input.objective === 'latency'
        ? 'latency: one request at a time gets the whole NPU'
        : 'throughput: 4 requests in flight keep the NPU busy while the host prepares the next inputs';
  }
}
