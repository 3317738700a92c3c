import { describe, expect, it } from 'vitest';
import { parseControllerOptions } from '../../../operator/controller/options.ts';
import { OperatorError } from '../../../operator/errors.ts';

describe('controller options', () => {
  it('takes the pod identity and namespace from the Downward API environment', () => {
    const o = parseControllerOptions(
      { leaderElect: true },
      { POD_NAME: 'op-7f9', POD_NAMESPACE: 'ovfleet-system' },
    );
    expect(o).toMatchObject({ leaderElect: true, identity: 'op-7f9', leaseNamespace: 'ovfleet-system' });
    expect(o.metricsPort).toBe(8080);
    expect(o.healthPort).toBe(8081);
  });

  it('accepts numbers given as flag strings', () => {
    const o = parseControllerOptions({ resyncSeconds: '2', workers: '8', retryPeriodSeconds: '0.5' }, {});
    expect([o.resyncSeconds, o.workers, o.retryPeriodSeconds]).toEqual([2, 8, 0.5]);
  });

  it('refuses a renew deadline that is not shorter than the lease, naming the field', () => {
    const attempt = () => parseControllerOptions({ leaseDurationSeconds: 5, renewDeadlineSeconds: 5 }, {});
    expect(attempt).toThrow(OperatorError);
    expect(attempt).toThrow(/renewDeadlineSeconds/);
  });
});
