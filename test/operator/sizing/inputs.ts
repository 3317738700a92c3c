// Builders for sizing inputs: a hyper-threaded 80-vCPU node (the tuning guide's machine) unless a
// test says otherwise.

import type { NodeFacts, Overrides, SizingInput } from '../../../operator/sizing/index.ts';

export const GUIDE_NODE: NodeFacts = { vcpus: 80, threadsPerCore: 2, count: 1, vpus: 0 };

export interface InputParts {
  objective?: SizingInput['objective'];
  budget?: Partial<SizingInput['budget']>;
  device?: SizingInput['device'];
  runtime?: SizingInput['runtime'];
  threading?: SizingInput['threading'];
  node?: Partial<NodeFacts>;
  overrides?: Overrides;
}

export function input(parts: InputParts = {}): SizingInput {
  return {
    objective: parts.objective ?? 'throughput',
    budget: { vcpus: 80, vpus: 0, ...parts.budget },
    device: parts.device ?? 'CPU',
    runtime: parts.runtime ?? 'ovfleet',
    threading: parts.threading ?? 'tbb',
    node: { ...GUIDE_NODE, ...parts.node },
    overrides: { ...parts.overrides },
  };
}

export const GUIDE_KMP = {
  KMP_SETTINGS: '1',
  KMP_AFFINITY: 'granularity=fine,verbose,compact,1,0',
  KMP_BLOCKTIME: '1',
} as const;
