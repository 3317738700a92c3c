// The worker side of the IPC: a worker answers lookups from its snapshot and sends inferences to the
// primary; the primary picks the version. Messages are captured instead of crossing a process.
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../server/engine/types.ts';
import { ServerError } from '../../../server/errors.ts';
import type { ServedModel } from '../../../server/repository/types.ts';
import type { RegistrySnapshot, ToPrimary, VersionSnapshot } from '../../../server/workers/ipc-messages.ts';
import { PrimaryChannel, RemoteRegistry } from '../../../server/workers/remote-registry.ts';
import { pickVersion } from '../../../server/workers/worker-supervisor.ts';

const version = (v: number): VersionSnapshot => ({
  name: 'm',
  version: v,
  platform: 'openvino_ir',
  inputs: [{ name: 'x', names: ['x'], elementType: 'f32', shape: [1] }],
  outputs: [{ name: 'y', names: ['y'], elementType: 'f32', shape: [1] }],
  properties: { NUM_STREAMS: '1' },
  nireq: 2,
  state: 'AVAILABLE',
});
const snapshot: RegistrySnapshot = {
  ready: true,
  models: [{ name: 'm', versions: [version(2), version(1)] }],
};
const tensor = (byte: number): Tensor => ({ elementType: 'u8', shape: [1], data: new Uint8Array([byte]) });

function setup(): { sent: ToPrimary[]; channel: PrimaryChannel; registry: RemoteRegistry } {
  const sent: ToPrimary[] = [];
  const channel = new PrimaryChannel((m) => sent.push(m));
  const registry = new RemoteRegistry(channel);
  registry.update(snapshot);
  return { sent, channel, registry };
}

describe('worker registry', () => {
  it('answers lookups from the snapshot: latest by default, a named version, clear errors', () => {
    const { registry } = setup();
    expect(registry.ready()).toBe(true);
    expect(registry.get('m').version).toBe(2);
    expect(registry.get('m', 1).version).toBe(1);
    expect(() => registry.get('m', 7)).toThrow(
      expect.objectContaining({ code: 'OVF_ERR_MODEL_VERSION_NOT_FOUND' }),
    );
    expect(() => registry.get('other')).toThrow(expect.objectContaining({ code: 'OVF_ERR_MODEL_NOT_FOUND' }));
    expect(registry.list()[0]?.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('a default-version inference tells the primary which version the worker saw, and reports the one that ran', async () => {
    const { sent, channel, registry } = setup();
    const model = registry.get('m');
    const reply = model.infer(new Map([['x', tensor(5)]]));
    const request = sent[0];
    expect(request).toMatchObject({ type: 'infer', name: 'm', version: undefined, preferred: 2 });
    if (request?.type !== 'infer') throw new Error('no infer message');
    expect(request.inputs.get('x')?.data).toEqual(new Uint8Array([5]));
    channel.deliver({
      type: 'infer-result',
      id: request.id,
      version: 3,
      outputs: new Map([['y', tensor(6)]]),
    });
    expect((await reply).get('y')?.data).toEqual(new Uint8Array([6]));
    expect(model.version).toBe(3); // the response names the version that actually answered
  });

  it('sends only the tensor bytes of a view into a larger buffer', () => {
    const { sent, registry } = setup();
    const big = new Uint8Array(1024).fill(9);
    void registry
      .get('m', 1)
      .infer(new Map([['x', { elementType: 'u8', shape: [1], data: big.subarray(10, 11) }]]));
    const request = sent[0];
    if (request?.type !== 'infer') throw new Error('no infer message');
    expect(request.version).toBe(1);
    expect(request.inputs.get('x')?.data.buffer.byteLength).toBe(1);
  });

  it('forwards cancellation and turns error replies back into ServerErrors', async () => {
    const { sent, channel, registry } = setup();
    const controller = new AbortController();
    const reply = registry.get('m').infer(new Map([['x', tensor(1)]]), { signal: controller.signal });
    controller.abort();
    const request = sent[0];
    if (request?.type !== 'infer') throw new Error('no infer message');
    expect(sent[1]).toEqual({ type: 'cancel', id: request.id });
    channel.deliver({
      type: 'reply-error',
      id: request.id,
      error: { code: 'OVF_ERR_REQUEST_CANCELLED', message: 'cancelled while waiting' },
    });
    await expect(reply).rejects.toMatchObject({
      code: 'OVF_ERR_REQUEST_CANCELLED',
      message: 'cancelled while waiting',
    });
  });

  it('fails open calls when the primary goes away', async () => {
    const { channel, registry } = setup();
    const reply = registry.get('m').infer(new Map([['x', tensor(1)]]));
    channel.failAll('gone');
    await expect(reply).rejects.toMatchObject({ code: 'OVF_ERR_SERVER_SHUTTING_DOWN' });
  });
});

describe('primary picks the version for a worker request', () => {
  const served = (v: number) => ({ version: v }) as ServedModel;
  const repo = (versions: number[]) => ({
    get(_name: string, v?: number): ServedModel {
      if (v === undefined) return served(Math.max(...versions));
      if (!versions.includes(v)) throw new ServerError('OVF_ERR_MODEL_VERSION_NOT_FOUND', `no ${v}`);
      return served(v);
    },
  });

  it('a named version is exactly that one (or its error)', () => {
    expect(pickVersion(repo([1, 2]), 'm', 1, 2).version).toBe(1);
    expect(() => pickVersion(repo([2]), 'm', 1, 2)).toThrow(/no 1/);
  });

  it('the default goes to the version the worker validated against while it is served, else the latest', () => {
    expect(pickVersion(repo([1, 2]), 'm', undefined, 1).version).toBe(1);
    expect(pickVersion(repo([2, 3]), 'm', undefined, 1).version).toBe(3);
  });
});
