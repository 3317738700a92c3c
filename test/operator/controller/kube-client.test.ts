import { describe, expect, it } from 'vitest';
import { resourceOf } from '../../../operator/controller/kube-client.ts';

describe('resourceOf (the resource label of ovfleet_api_writes_total)', () => {
  it('names the resource, and the subresource when there is one', () => {
    expect(resourceOf('/apis/apps/v1/namespaces/ns/deployments/x')).toBe('deployments');
    expect(resourceOf('/apis/ovfleet.io/v1alpha1/namespaces/ns/inferenceservices/x/status')).toBe(
      'inferenceservices/status',
    );
    expect(resourceOf('/apis/coordination.k8s.io/v1/namespaces/ns/leases/ovfleet-operator')).toBe('leases');
    expect(resourceOf('/apis/events.k8s.io/v1/namespaces/ns/events')).toBe('events');
    expect(resourceOf('/api/v1/nodes')).toBe('nodes');
    expect(resourceOf('/apis/apps/v1/deployments?watch=true')).toBe('deployments');
  });
});
