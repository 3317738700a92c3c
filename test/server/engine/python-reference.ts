// Runs the same model through OpenVINO's own Python API (the reference for numerical results):
// spawns $OVFLEET_PYTHON with a short script, feeding inputs and reading outputs as base64 JSON.
import { spawn } from 'node:child_process';
import type { ElementType, Tensor } from '../../../server/engine/types.ts';
import { ovfleetPython } from '../../support/tools.ts';

const SCRIPT = `
import base64, json, sys
import numpy as np
import openvino as ov
core = ov.Core()

def run(req):
    model = core.read_model(req["model"])
    if req.get("inputElementTypes"):
        ppp = ov.preprocess.PrePostProcessor(model)
        for name, t in req["inputElementTypes"].items():
            ppp.input(name).tensor().set_element_type(getattr(ov.Type, t))
        model = ppp.build()
    compiled = core.compile_model(model, "CPU", req.get("properties", {}))
    request = compiled.create_infer_request()
    for name, t in req["inputs"].items():
        et = getattr(ov.Type, t["type"])
        raw = base64.b64decode(t["data"])
        if t["type"] in ("bf16", "f16"):
            tensor = ov.Tensor(et, t["shape"])
            np.copyto(tensor.data.view(np.uint8).reshape(-1), np.frombuffer(raw, np.uint8))
        else:
            tensor = ov.Tensor(np.frombuffer(raw, et.to_dtype()).reshape(t["shape"]).copy())
        request.set_tensor(name, tensor)
    request.infer()
    out = {}
    for port in compiled.outputs:
        t = request.get_tensor(port)
        data = np.ascontiguousarray(t.data).view(np.uint8).tobytes()
        out[port.any_name] = {"type": t.element_type.get_type_name(), "shape": list(t.shape), "data": base64.b64encode(data).decode()}
    return out

print(json.dumps([run(r) for r in json.load(sys.stdin)]))
`;

export interface ReferenceRequest {
  readonly model: string;
  readonly inputs: ReadonlyMap<string, Tensor>;
  readonly properties?: Readonly<Record<string, string>>;
  readonly inputElementTypes?: Readonly<Record<string, ElementType>>;
}

/** OpenVINO Python's outputs for the same model and inputs (INFERENCE_PRECISION_HINT f32 unless given). */
export async function pythonReference(request: ReferenceRequest): Promise<Map<string, Tensor>> {
  const [result] = await pythonReferences([request]);
  if (!result) throw new Error('python reference returned nothing');
  return result;
}

/** Several references in one Python process (importing openvino costs about a second). */
export async function pythonReferences(
  requests: readonly ReferenceRequest[],
): Promise<Map<string, Tensor>[]> {
  const payload = JSON.stringify(
    requests.map((request) => ({
      model: request.model,
      properties: { INFERENCE_PRECISION_HINT: 'f32', ...request.properties },
      inputElementTypes: request.inputElementTypes ?? {},
      inputs: Object.fromEntries(
        [...request.inputs].map(([name, t]) => [
          name,
          { type: t.elementType, shape: t.shape, data: Buffer.from(t.data).toString('base64') },
        ]),
      ),
    })),
  );
  const child = spawn(ovfleetPython(), ['-c', SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => stdout.push(c));
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  child.stdin.end(payload);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new Error(`python reference failed (${code}): ${Buffer.concat(stderr).toString()}`);
  const parsed = JSON.parse(Buffer.concat(stdout).toString()) as Record<
    string,
    { type: string; shape: number[]; data: string }
  >[];
  return parsed.map(
    (outputs) =>
      new Map(
        Object.entries(outputs).map(([name, t]) => [
          name,
          {
            elementType: t.type as ElementType,
            shape: t.shape,
            data: new Uint8Array(Buffer.from(t.data, 'base64')),
          },
        ]),
      ),
  );
}
