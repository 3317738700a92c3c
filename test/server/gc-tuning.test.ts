// The GC setting ovfleet-server applies at startup, and its off switch.
import { describe, expect, it } from 'vitest';
import { GC_FLAGS, tuneGarbageCollector } from '../../server/gc-tuning.ts';

describe('tuneGarbageCollector', () => {
  it("accounts external memory in V8's global limit unless OVFLEET_GC_TUNING=off", () => {
    expect(GC_FLAGS).toContain('--external-memory-accounted-in-global-limit');
    expect(tuneGarbageCollector({ OVFLEET_GC_TUNING: 'off' })).toEqual([]);
    expect(tuneGarbageCollector({})).toEqual(GC_FLAGS);
  });

  it('names only flags this Node.js knows (an unknown V8 flag would be ignored silently)', async () => {
    const { execFileSync } = await import('node:child_process');
    const known = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    for (const flag of GC_FLAGS) expect(known).toContain(flag.replace(/^--no-/, '--'));
  });
});
