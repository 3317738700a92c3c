import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthProbe } from './components.ts';
import type { CertPair } from './pki.ts';

/** TLS material for probes that authenticate as the cluster admin. */
export interface ProbeCredentials {
  readonly caCert: string;
  readonly admin: CertPair;
}

/** GETs the probe's URL; resolves the HTTP status, or 0 when nothing answered. */
export function probeOnce(probe: HealthProbe, creds: ProbeCredentials, timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    const done = (status: number): void => resolve(status);
    const options =
      probe.tls === 'admin'
        ? {
            ca: readFileSync(creds.caCert),
            cert: readFileSync(creds.admin.cert),
            key: readFileSync(creds.admin.key),
          }
        : { rejectUnauthorized: false };
    const req =
      probe.tls === 'none'
        ? httpRequest(probe.url, { timeout: timeoutMs })
        : httpsRequest(probe.url, { ...options, timeout: timeoutMs });
    req.once('response', (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(0));
    req.end();
  });
}
