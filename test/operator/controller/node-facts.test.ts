import { describe, expect, it } from 'vitest';
import type { Node } from '../../../operator/controller/kube-types.ts';
import { nodeFactsFor, parseCpu } from '../../../operator/controller/node-facts.ts';

function node(
  name: string,
  cpu: string,
  opts: { vpus?: string; unschedulable?: boolean; ready?: string } = {},
): Node {
  const allocatable: Record<string, string> = { cpu };
  if (opts.vpus) allocatable['ovfleet.io/vpu'] = opts.vpus;
  return {
    metadata: { name },
    spec: { unschedulable: opts.unschedulable ?? false },
    status: { allocatable, conditions: [{ type: 'Ready', status: opts.ready ?? 'True' }] },
  };
}

describe('node facts from the cluster', () => {
  it('parses CPU quantities into whole vCPUs', () => {
    expect([parseCpu('80'), parseCpu('79500m'), parseCpu('1.5'), parseCpu(undefined)]).toEqual([
      80, 79, 1, 0,
    ]);
  });

  it('describes the largest schedulable node and counts the usable ones', () => {
    const facts = nodeFactsFor(
      [
        node('a', '80'),
        node('b', '96'),
        node('c', '200', { unschedulable: true }),
        node('d', '300', { ready: 'False' }),
      ],
      'CPU',
      2,
    );
    expect(facts).toEqual({ facts: { vcpus: 96, threadsPerCore: 2, count: 2, vpus: 0 }, nodes: ['a', 'b'] });
  });

  it('for HDDL counts only nodes that advertise VPUs; none means no facts', () => {
    expect(nodeFactsFor([node('a', '80'), node('b', '80', { vpus: '8' })], 'HDDL', 2)).toEqual({
      facts: { vcpus: 80, threadsPerCore: 2, count: 1, vpus: 8 },
      nodes: ['b'],
    });
    expect(nodeFactsFor([node('a', '80')], 'HDDL', 2)).toBeUndefined();
    expect(nodeFactsFor([], 'CPU', 2)).toBeUndefined();
  });
});
