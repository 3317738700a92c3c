import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** File paths of one certificate and its key (PEM). */
export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

/** Identities the control plane and its clients use; each gets a client certificate signed by the CA. */
export type ClientIdentity = 'admin' | 'controller-manager' | 'scheduler' | 'kwok';

export interface ClusterPki {
  readonly ca: CertPair;
  readonly apiserver: CertPair;
  /** Service-account token signing key (private) and verification key (public). */
  readonly serviceAccount: { readonly privateKey: string; readonly publicKey: string };
  readonly clients: Readonly<Record<ClientIdentity, CertPair>>;
}

/** Subject of each client certificate: CN is the user, O the group. */
const CLIENT_SUBJECTS: Record<ClientIdentity, string> = {
  admin: '/O=system:masters/CN=ovfleet-admin',
  'controller-manager': '/CN=system:kube-controller-manager',
  scheduler: '/CN=system:kube-scheduler',
  kwok: '/O=system:masters/CN=kwok',
};

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function openssl(args: readonly string[], signal: AbortSignal): Promise<void> {
  try {
    await run('openssl', args, { signal });
  } catch (err: unknown) {
    const stderr = typeof err === 'object' && err !== null && 'stderr' in err ? String(err.stderr) : '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim()}`, { cause: err });
  }
}

/** Signs a leaf certificate with the CA (OpenSSL 3 `req -x509 -CA`). */
async function leaf(
  dir: string,
  name: string,
  subject: string,
  extensions: readonly string[],
  ca: CertPair,
  signal: AbortSignal,
): Promise<CertPair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  const addext = extensions.flatMap((e) => ['-addext', e]);
  await openssl(
    ['req', '-x509', ...EC_KEY, '-keyout', pair.key, '-out', pair.cert, '-subj', subject, '-days', '30']
      .concat(['-CA', ca.cert, '-CAkey', ca.key, '-addext', 'basicConstraints=critical,CA:FALSE'])
      .concat(['-addext', 'keyUsage=critical,digitalSignature,keyEncipherment', ...addext]),
    signal,
  );
  return pair;
}

/** Creates a throwaway PKI for one cluster in `dir`. */
export async function createPki(dir: string, signal: AbortSignal): Promise<ClusterPki> {
  const ca = { cert: join(dir, 'ca.crt'), key: join(dir, 'ca.key') };
  await openssl(
    ['req', '-x509', ...EC_KEY, '-keyout', ca.key, '-out', ca.cert, '-subj', '/CN=ovfleet-test-ca']
      .concat(['-days', '30', '-addext', 'basicConstraints=critical,CA:TRUE'])
      .concat(['-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']),
    signal,
  );
  const sans = [
    'IP:127.0.0.1',
    'DNS:localhost',
    'IP:10.96.0.1',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    'DNS:kubernetes.default.svc.cluster.local',
  ].join(',');
  const serviceAccount = { privateKey: join(dir, 'sa.key'), publicKey: join(dir, 'sa.pub') };
  const [apiserver] = await Promise.all([
    leaf(
      dir,
      'apiserver',
      '/CN=kube-apiserver',
      [`subjectAltName=${sans}`, 'extendedKeyUsage=serverAuth'],
      ca,
      signal,
    ),
    openssl(
      [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        serviceAccount.privateKey,
      ],
      signal,
    ).then(() =>
      openssl(
        ['pkey', '-in', serviceAccount.privateKey, '-pubout', '-out', serviceAccount.publicKey],
        signal,
      ),
    ),
  ]);
  const identities = Object.keys(CLIENT_SUBJECTS) as ClientIdentity[];
  const pairs = await Promise.all(
    identities.map((id) =>
      leaf(dir, `client-${id}`, CLIENT_SUBJECTS[id], ['extendedKeyUsage=clientAuth'], ca, signal),
    ),
  );
  const clients = Object.fromEntries(identities.map((id, i) => [id, pairs[i]])) as Record<
    ClientIdentity,
    CertPair
  >;
  return { ca, apiserver, serviceAccount, clients };
}
