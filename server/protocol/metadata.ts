// Model metadata (KServe v2) and the Triton-style model configuration that perf_analyzer reads,
// both built from a served model's ports. Shared by gRPC and REST (same field names on both).
import type { PortInfo } from '../engine/types.ts';
import type { ModelRegistry, ServedModel } from '../repository/types.ts';
import { DATATYPE_OF, TRITON_TYPE_OF } from './datatypes.ts';
import { metadataShape } from './tensor-check.ts';

export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

function tensorMetadata(port: PortInfo): TensorMetadata {
  return { name: port.name, datatype: DATATYPE_OF[port.elementType], shape: metadataShape(port.shape) };
}

/** Every version of the model that is currently listed, as decimal strings, ascending. */
export function listVersions(registry: ModelRegistry, name: string): string[] {
  const entry = registry.list().find((m) => m.name === name);
  const versions = entry?.versions.map((v) => v.version) ?? [];
  return [...new Set(versions)].sort((a, b) => a - b).map(String);
}

export function modelMetadata(
  registry: ModelRegistry,
  model: ServedModel,
  askedVersion: boolean,
): ModelMetadata {
  return {
    name: model.name,
    versions: askedVersion ? [String(model.version)] : listVersions(registry, model.name),
    platform: model.platform,
    inputs: model.inputs.map(tensorMetadata),
    outputs: model.outputs.map(tensorMetadata),
  };
}

export interface ModelConfigView {
  name: string;
  platform: string;
  backend: string;
  max_batch_size: number;
  input: { name: string; data_type: string; dims: number[] }[];
  output: { name: string; data_type: string; dims: number[] }[];
}

/**
 * Triton's view of the model: no server-side batching (max_batch_size 0), so dims carry the full
 * shape including any batch dimension.
 */
export function modelConfig(model: ServedModel): ModelConfigView {
  const port = (p: PortInfo) => ({
    name: p.name,
    data_type: TRITON_TYPE_OF[p.elementType],
    dims: metadataShape(p.shape),
  });
  return {
    name: model.name,
    platform: model.platform,
    backend: 'openvino',
    max_batch_size: 0,
    input: model.inputs.map(port),
    output: model.outputs.map(port),
  };
}
