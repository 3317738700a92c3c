import { readFile, writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import type { CertPair } from './pki.ts';

const b64 = async (file: string): Promise<string> => (await readFile(file)).toString('base64');

/** Writes a kubeconfig with one cluster, one user and one context, certificates embedded. */
export async function writeKubeconfig(opts: {
  readonly path: string;
  readonly server: string;
  readonly caCert: string;
  readonly client: CertPair;
  readonly user: string;
}): Promise<void> {
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'ovfleet',
        cluster: { server: opts.server, 'certificate-authority-data': await b64(opts.caCert) },
      },
    ],
    users: [
      {
        name: opts.user,
        user: {
          'client-certificate-data': await b64(opts.client.cert),
          'client-key-data': await b64(opts.client.key),
        },
      },
    ],
    contexts: [{ name: 'ovfleet', context: { cluster: 'ovfleet', user: opts.user, namespace: 'default' } }],
    'current-context': 'ovfleet',
  };
  await writeFile(opts.path, stringify(doc), { mode: 0o600 });
}
