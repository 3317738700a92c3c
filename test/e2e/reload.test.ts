// A model reload under load loses no request: concurrent clients keep inferring while a new version
// folder appears (picked up by the file-system poll), the old folder disappears, POST
// /v1/config/reload runs, and the config file changes (which reloads every version). Every request
// must succeed, and once the switch is done every answer comes from the new version. Runs with the
// primary serving REST itself and with two protocol worker processes.
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeAddModel } from '../support/models.ts';
import { httpCall, type InferReply, inferJson } from '../support/rest-client.ts';
import { runServer } from '../support/server-process.ts';

const CLIENTS = 4;
const MAX_REQUESTS = 30_000; // bound on the whole load loop (a tiny model answers in about a millisecond)
const MAX_MS = 60_000;

/** Writes version `v` (output = input + v) next to the base path, then renames it in atomically. */
async function publishVersion(base: string, version: number): Promise<void> {
  const staging = join(base, `.staging-${version}`);
  await mkdir(staging, { recursive: true });
  await writeAddModel(staging, { name: 'model', constant: version });
  await rename(staging, join(base, String(version)));
}

describe.each([
  ['in the primary', [] as string[]],
  ['with 2 REST workers', ['--rest_workers', '2']],
])('reload under load (%s)', (label, extraArgs) => {
  it('loses no request and switches to the new version', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ovf-reload-'));
    const base = join(root, 'm');
    await mkdir(base);
    await publishVersion(base, 1);
    const config = join(root, 'config.json');
    const writeConfig = (nireq: number) =>
      writeFile(
        config,
        JSON.stringify({ model_config_list: [{ config: { name: 'm', base_path: base, nireq } }] }),
      );
    await writeConfig(1);
    const server = await runServer([
      '--config_path',
      config,
      '--file_system_poll_wait_seconds',
      '1',
      '--log_level',
      'INFO',
      ...extraArgs,
    ]);
    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
    const replies: InferReply[] = [];
    const failures: string[] = [];
    let stop = false;
    const started = Date.now();
    const client = async (): Promise<void> => {
      while (!stop && replies.length + failures.length < MAX_REQUESTS && Date.now() - started < MAX_MS) {
        try {
          const reply = await inferJson(
            server.url,
            'm',
            { name: 'input', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] },
            agent,
          );
          if (reply.status === 200) replies.push(reply);
          else failures.push(`${reply.status} ${reply.body}`);
        } catch (error: unknown) {
          failures.push(String(error));
        }
      }
    };
    const load = Promise.all(Array.from({ length: CLIENTS }, client));
    const waitFor = async (what: string, condition: () => boolean): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (!condition()) {
        if (Date.now() > deadline || stop) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await waitFor('load to start', () => replies.length >= 20);
      // 1. a new version folder appears: the poll loads it and switches
      await publishVersion(base, 2);
      await waitFor('version 2 to answer', () => replies.some((r) => r.version === '2'));
      const switchedAt = replies.length;
      // 2. the old folder disappears and a reload is requested
      await rm(join(base, '1'), { recursive: true });
      const reload = await httpCall(`${server.url}/v1/config/reload`, { method: 'POST' });
      expect(reload.status).toBe(200);
      // 3. the config changes (nireq): every served version is reloaded under load
      await writeConfig(2);
      const reconfigured = await httpCall(`${server.url}/v1/config/reload`, { method: 'POST' });
      expect(reconfigured.status).toBe(200);
      expect(reconfigured.body).toContain('loaded m:2');
      expect(reconfigured.body).toContain('unloaded m:2');
      const afterReconfig = replies.length;
      await waitFor('more load after the reloads', () => replies.length >= afterReconfig + 40);
      stop = true;
      await load;

      console.info(
        JSON.stringify({
          reload_under_load: label,
          ok: replies.length,
          failed: failures.length,
          ms: Date.now() - started,
        }),
      );
      expect(failures).toEqual([]);
      const answers = replies.map((r) => `${r.version}:${r.data.join(',')}`);
      expect(new Set(answers)).toEqual(new Set(['1:1,1,1,1', '2:2,2,2,2']));
      // once version 1 was unloaded (step 2 finished), nothing answers from it any more
      expect(answers.slice(afterReconfig).every((a) => a === '2:2,2,2,2')).toBe(true);
      expect(answers.slice(0, switchedAt)).toContain('1:1,1,1,1');
      const unloaded = server.logs.filter((l) => l.msg === 'model version unloaded').map((l) => l.version);
      expect(unloaded).toEqual(expect.arrayContaining([1, 2]));
    } finally {
      stop = true;
      await load.catch(() => undefined);
      agent.destroy();
      expect(await server.stop()).toBe(0);
    }
  });
});
