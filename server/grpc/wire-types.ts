// The shapes @grpc/proto-loader produces and accepts for proto/inference.proto, with the loader
// options used here (keepCase, longs as strings, enums as strings, bytes as Buffer, defaults on).

export interface WireParameter {
  bool_param?: boolean;
  int64_param?: string;
  string_param?: string;
  double_param?: number;
  uint64_param?: string;
  parameter_choice?: string;
}

export interface WireContents {
  bool_contents: boolean[];
  int_contents: number[];
  int64_contents: string[];
  uint_contents: number[];
  uint64_contents: string[];
  fp32_contents: number[];
  fp64_contents: number[];
  bytes_contents: Buffer[];
}

export interface WireInferInput {
  name: string;
  datatype: string;
  shape: string[];
  parameters: Record<string, WireParameter>;
  contents: WireContents | null;
}

export interface WireInferRequest {
  model_name: string;
  model_version: string;
  id: string;
  parameters: Record<string, WireParameter>;
  inputs: WireInferInput[];
  outputs: { name: string; parameters: Record<string, WireParameter> }[];
  raw_input_contents: Buffer[];
}

export interface WireInferResponse {
  model_name: string;
  model_version: string;
  id: string;
  outputs: { name: string; datatype: string; shape: number[] }[];
  raw_output_contents: Uint8Array[];
}

export interface WireNameVersion {
  name: string;
  version: string;
}
