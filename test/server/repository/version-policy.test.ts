import { describe, expect, it } from 'vitest';
import {
  describePolicy,
  selectVersions,
  versionPolicySchema,
} from '../../../server/repository/version-policy.ts';

describe('model version policy', () => {
  const onDisk = [3, 1, 10, 2];

  it('latest serves the highest N versions', () => {
    expect(selectVersions({ latest: { num_versions: 1 } }, onDisk)).toEqual([10]);
    expect(selectVersions({ latest: { num_versions: 2 } }, onDisk)).toEqual([3, 10]);
    expect(selectVersions({ latest: { num_versions: 9 } }, onDisk)).toEqual([1, 2, 3, 10]);
  });

  it('all serves every version, ascending numerically (10 after 2)', () => {
    expect(selectVersions({ all: {} }, onDisk)).toEqual([1, 2, 3, 10]);
  });

  it('specific serves only the listed versions that exist', () => {
    expect(selectVersions({ specific: { versions: [1, 3, 7] } }, onDisk)).toEqual([1, 3]);
  });

  it('nothing on disk serves nothing', () => {
    expect(selectVersions({ latest: { num_versions: 1 } }, [])).toEqual([]);
  });

  it('accepts the OVMS JSON forms and rejects malformed ones', () => {
    expect(versionPolicySchema.safeParse({ latest: { num_versions: 2 } }).success).toBe(true);
    expect(versionPolicySchema.safeParse({ all: {} }).success).toBe(true);
    expect(versionPolicySchema.safeParse({ specific: { versions: [1, 3] } }).success).toBe(true);
    expect(versionPolicySchema.safeParse({ latest: { num_versions: 0 } }).success).toBe(false);
    expect(versionPolicySchema.safeParse({ newest: {} }).success).toBe(false);
    expect(versionPolicySchema.safeParse({ specific: { versions: [] } }).success).toBe(false);
  });

  it('describes policies for logs', () => {
    expect(describePolicy({ specific: { versions: [1, 3] } })).toBe('specific(1,3)');
    expect(describePolicy({ latest: { num_versions: 2 } })).toBe('latest(2)');
  });
});
