// Protocol workers (--grpc_workers / --rest_workers).
//
// Design: processes with node:cluster, one model owner.
//   * The primary process owns the engine, the model repository and every infer-request pool, so
//     `nireq` keeps its meaning: one pool of nireq requests per model version, however many workers.
//   * With grpc_workers = rest_workers = 1 there are no workers at all: the primary runs both
//     transports itself and a request never leaves the process (no hop).
//   * Otherwise the primary forks W = max(grpc_workers, rest_workers) worker processes, capped at
//     the instance's vCPUs (the CPU affinity the kubelet pinned, lowered by a cgroup CPU quota).
//     Worker i serves gRPC when i < grpc_workers and REST when i < rest_workers.
//     Workers listen on the same ports; node:cluster shares them
//     (the primary accepts and hands connections to workers round-robin), which works for any server
//     code: the node:http2 (gRPC) and node:http (REST) servers are used unchanged. A worker does all protocol work — HTTP/2 and
//     HTTP parsing, protobuf and JSON (de)serialisation, validation — on its own core and keeps many
//     requests in flight; only tensors go to the primary for inference, over the cluster IPC channel
//     with V8 ('advanced') serialisation, and the outputs come back the same way.
//   * Workers see the repository through a snapshot (names, versions, ports, properties, readiness)
//     the primary broadcasts after start and every reload; an inference names the model and the
//     version the client asked for (none = the primary's latest at that moment), so a reload never
//     strands a request on a version a worker still believed current.
//   * Metrics: workers forward their request events to the primary, which owns the one prom-client
//     registry; /metrics on any worker asks the primary for the text. POST /v1/config/reload on any
//     worker reloads in the primary.
//   * SIGTERM/SIGINT go to the primary: it tells every worker to stop accepting and finish what it
//     has in flight, waits for them to exit, drains the pools, then exits 0. Workers ignore the
//     signals themselves (a terminal's Ctrl-C reaches the whole process group) and exit when the
//     primary goes away.
// Why not worker_threads: threads would need SO_REUSEPORT on every transport's listener (Linux
// only, and a kernel hash instead of round-robin); processes keep the transports untouched and
// isolate a crash in protocol code from the model owner.
export { planWorkers, type WorkerPlan } from './worker-plan.ts';
