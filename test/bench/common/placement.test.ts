import { describe, expect, it } from 'vitest';
import { choosePlacement, pinned } from '../../../bench/common/placement.ts';

describe('choosePlacement', () => {
  it('gives the load generator one CPU of two and the system under test the other', () => {
    expect(choosePlacement('split', 2)).toEqual({
      kind: 'split',
      sutCpus: '0',
      clientCpus: '1',
      sutVcpus: 1,
      clientVcpus: 1,
    });
  });

  it('gives the load generator a quarter of a larger machine', () => {
    expect(choosePlacement('split', 16)).toMatchObject({
      sutCpus: '0-11',
      clientCpus: '12-15',
      sutVcpus: 12,
      clientVcpus: 4,
    });
  });

  it('cannot split one CPU and says so by reporting shared', () => {
    expect(choosePlacement('split', 1)).toMatchObject({ kind: 'shared', sutCpus: undefined, sutVcpus: 1 });
  });

  it('pins nothing when shared', () => {
    expect(choosePlacement('shared', 8)).toMatchObject({
      sutCpus: undefined,
      clientCpus: undefined,
      sutVcpus: 8,
    });
  });
});

describe('pinned', () => {
  it('wraps a command in taskset only when CPUs are given', () => {
    expect(pinned('0-1', 'node', ['a.js'])).toEqual(['taskset', ['-c', '0-1', 'node', 'a.js']]);
    expect(pinned(undefined, 'node', ['a.js'])).toEqual(['node', ['a.js']]);
  });
});
