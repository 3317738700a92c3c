// Helpers of scripts/demo.ts: console output, waiting, ports, the example's model volume, and the
// rewrite of the rendered server args for a run on this machine.
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface Container {
  args?: string[];
  env?: { name: string; value?: string }[];
  resources?: { limits?: Record<string, string> };
}

export const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
let stepNo = 0;
export const step = (what: string) => console.log(`\n${bold(`==> [${++stepNo}] ${what}`)}`);
export const info = (what: string) => console.log(`    ${what}`);
export const indent = (text: string) =>
  text
    .trimEnd()
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    await sleep(300);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
}

/** The container's args with model path and ports rewritten for this machine. */
export function localArgs(args: readonly string[], modelPath: string, grpc: number, rest: number): string[] {
  const rewrite: Record<string, string> = {
    '--model_path': modelPath,
    '--port': String(grpc),
    '--rest_port': String(rest),
    '--grpc_bind_address': '127.0.0.1',
    '--rest_bind_address': '127.0.0.1',
  };
  const out: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const [flag = '', inline] = (args[i] ?? '').split(/=(.*)/s, 2);
    const value = inline ?? args[i + 1];
    if (inline === undefined) i++;
    if (flag in rewrite) {
      seen.add(flag);
      out.push(flag, rewrite[flag] ?? '');
    } else out.push(flag, value ?? '');
  }
  for (const [flag, value] of Object.entries(rewrite)) if (!seen.has(flag)) out.push(flag, value);
  return out;
}

/** The PersistentVolumeClaim `ocr-models` the examples mount, bound to a host-path PersistentVolume. */
export function modelVolume(namespace: string): unknown {
  return {
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: 'ocr-models' },
        spec: {
          capacity: { storage: '1Gi' },
          accessModes: ['ReadOnlyMany'],
          storageClassName: '',
          hostPath: { path: '/var/lib/ovfleet-models' },
          claimRef: { namespace, name: 'ocr-models' },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'ocr-models', namespace },
        spec: {
          accessModes: ['ReadOnlyMany'],
          storageClassName: '',
          volumeName: 'ocr-models',
          resources: { requests: { storage: '1Gi' } },
        },
      },
    ],
  };
}
