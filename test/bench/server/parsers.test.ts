import { describe, expect, it } from 'vitest';
import { parseBenchmarkReport } from '../../../bench/server/benchmark-app.ts';
import { parsePerfAnalyzerCsv } from '../../../bench/server/perf-analyzer.ts';

describe('parsePerfAnalyzerCsv', () => {
  it('reads throughput and converts client latencies from µs to ms', () => {
    const csv =
      'Concurrency,Inferences/Second,Client Send,Client Recv,p50 latency,p90 latency,p95 latency,p99 latency,request/response,response wait\n' +
      '1,793.697,3,2,630,2275,3953,9553,5,1239\n';
    expect(parsePerfAnalyzerCsv(csv)).toEqual([
      { concurrency: 1, throughput: 793.697, p50Ms: 0.63, p90Ms: 2.275, p99Ms: 9.553 },
    ]);
  });

  it('names the missing column', () => {
    expect(() => parsePerfAnalyzerCsv('Concurrency,Inferences/Second\n1,2\n')).toThrow(/p50 latency/);
  });
});

describe('parseBenchmarkReport', () => {
  it('reads the execution results of a no_counters report', () => {
    const csv = [
      'Execution results',
      'read model time (ms);160.64',
      'total number of iterations;24',
      'latency (ms);427.71',
      'avg latency;453.31',
      'min latency;227.37',
      'max latency;789.60',
      'throughput;4.32',
    ].join('\n');
    expect(parseBenchmarkReport(csv, 2)).toEqual({
      nireq: 2,
      throughput: 4.32,
      medianMs: 427.71,
      averageMs: 453.31,
      minMs: 227.37,
      maxMs: 789.6,
      iterations: 24,
    });
  });

  it('fails when the report lacks throughput', () => {
    expect(() => parseBenchmarkReport('latency (ms);1\n', 1)).toThrow(/throughput/);
  });
});
