import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BenchResult, checkTarget, hostFacts, writeResult } from '../../../bench/common/results.ts';

describe('checkTarget', () => {
  it('meets a higher-is-better goal at or above it and misses below', () => {
    expect(checkTarget('ratio', 0.9, 0.9).status).toBe('met');
    expect(checkTarget('ratio', 0.9, 0.89).status).toBe('missed');
  });

  it('meets a lower-is-better goal at or below it', () => {
    const t = checkTarget('delta', 0.3, 0.25, { higherIsBetter: false, unit: 'ms' });
    expect(t).toMatchObject({ status: 'met', goal: '<= 0.3 ms' });
    expect(checkTarget('delta', 0.3, 0.31, { higherIsBetter: false }).status).toBe('missed');
  });

  it('reports a missing measurement as not measured, never as met', () => {
    expect(checkTarget('ratio', 0.9, null).status).toBe('not-measured');
  });
});

describe('writeResult', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const result = (): BenchResult => ({
    bench: 'sizing',
    startedAt: '2026-01-02T03:04:05.678Z',
    finishedAt: '2026-01-02T03:09:05.000Z',
    host: hostFacts(),
    settings: { vcpus: 2 },
    rows: [{ config: 'a', throughput: 10 }],
    targets: [checkTarget('plan efficiency', 0.9, 0.95)],
    notes: [],
  });

  it('writes <bench>-<timestamp>.json that reads back as written', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    const file = await writeResult(result(), dir);
    expect(file).toBe(join(dir, 'sizing-2026-01-02T030405Z.json'));
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(result());
  });

  it('refuses a result that breaks the schema', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-results-'));
    const bad = { ...result(), startedAt: 'yesterday' };
    await expect(writeResult(bad, dir)).rejects.toThrow();
  });
});
