import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { startHealthServer } from '../../../operator/controller/health-server.ts';
import { ControllerMetrics } from '../../../operator/controller/metrics.ts';

describe('health server', () => {
  it('serves /healthz, /readyz (503 until the caches sync) and the operator metrics', async () => {
    const metrics = new ControllerMetrics();
    let synced = false;
    const server = await startHealthServer(
      '127.0.0.1:0',
      metrics.registry,
      { healthy: () => true, ready: () => synced },
      pino({ level: 'silent' }),
    );
    try {
      const get = (path: string) => fetch(`http://127.0.0.1:${server.port}${path}`);
      expect((await get('/healthz')).status).toBe(200);
      expect((await get('/readyz')).status).toBe(503);
      synced = true;
      expect((await get('/readyz')).status).toBe(200);
      metrics.reconciles.inc({ result: 'success' });
      metrics.apiWrites.inc({ verb: 'PATCH', resource: 'deployments' });
      const text = await (await get('/metrics')).text();
      expect(text).toMatch(/ovfleet_reconcile_total\{result="success"\} 1/);
      expect(text).toMatch(/ovfleet_api_writes_total\{verb="PATCH",resource="deployments"\} 1/);
      expect(text).toContain('ovfleet_workqueue_depth');
      expect(text).toContain('ovfleet_reconcile_duration_seconds_bucket');
      expect((await get('/nope')).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
