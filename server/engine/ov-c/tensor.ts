// Host tensors across the FFI boundary. Inputs: OpenVINO allocates the tensor (ov_tensor_create) and the
// JS bytes are copied in once, so no JS memory that V8 may move or free is referenced by OpenVINO.
// Outputs: copied out into a JS-owned Uint8Array, because the request reuses its output buffers on the
// next inference (a zero-copy view would change under the caller's feet).
import { ServerError } from '../../errors.ts';
import type { ElementType, Tensor } from '../types.ts';
import { ELEMENT_SIZE } from '../types.ts';
import { describeCode, elementTypeFromCode, OV_ELEMENT_TYPE } from './element-types.ts';
import { decodeInt64s, type NativeShape, nativeBytes, type Out, type OvcApi, type Ptr } from './library.ts';
import { check } from './status.ts';

function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Creates an OpenVINO-owned tensor holding a copy of `tensor`; the caller frees it (ov_tensor_free). */
export function createInputTensor(api: OvcApi, tensor: Tensor, name: string): Ptr {
  const expected = elementCount(tensor.shape) * ELEMENT_SIZE[tensor.elementType];
  if (tensor.data.byteLength !== expected) {
    throw new ServerError(
      'OVF_ERR_REQUEST_INVALID',
      `input ${name}: ${tensor.data.byteLength} bytes given, shape [${tensor.shape.join(',')}] of ${tensor.elementType} needs ${expected}`,
    );
  }
  const out: Out<Ptr> = [null];
  const shape = { rank: tensor.shape.length, dims: [...tensor.shape] };
  check(
    api,
    api.ov_tensor_create(OV_ELEMENT_TYPE[tensor.elementType], shape, out),
    'OVF_ERR_REQUEST_INVALID',
    `input ${name}`,
  );
  const handle = out[0] ?? 0n;
  if (expected > 0) {
    const data: Out<Ptr> = [null];
    const status = api.ov_tensor_data(handle, data);
    if (status !== 0 || !data[0]) {
      api.ov_tensor_free(handle);
      check(api, status || -1, 'OVF_ERR_ENGINE_INFER_FAILED', `input ${name}: tensor data`);
    }
    nativeBytes(data[0] ?? 0n, expected).set(tensor.data);
  }
  return handle;
}

/** Copies an OpenVINO tensor into a JS Tensor (does not free the handle). */
export function readTensor(api: OvcApi, handle: Ptr, name: string): Tensor {
  const what = `output ${name}`;
  const type: Out<number> = [null];
  check(api, api.ov_tensor_get_element_type(handle, type), 'OVF_ERR_ENGINE_INFER_FAILED', what);
  const elementType: ElementType | undefined = elementTypeFromCode(type[0] ?? -1);
  if (elementType === undefined) {
    throw new ServerError(
      'OVF_ERR_ENGINE_INFER_FAILED',
      `${what}: unsupported element type ${describeCode(type[0] ?? -1)}`,
    );
  }
  const nativeShape: Out<NativeShape> = [null];
  check(api, api.ov_tensor_get_shape(handle, nativeShape), 'OVF_ERR_ENGINE_INFER_FAILED', what);
  const ns = nativeShape[0];
  let shape: number[] = [];
  if (ns) {
    shape = decodeInt64s(ns.dims, Number(ns.rank));
    api.ov_shape_free(ns);
  }
  const size: Out<number> = [null];
  check(api, api.ov_tensor_get_byte_size(handle, size), 'OVF_ERR_ENGINE_INFER_FAILED', what);
  const byteSize = Number(size[0] ?? 0);
  if (byteSize === 0) return { elementType, shape, data: new Uint8Array(0) };
  const data: Out<Ptr> = [null];
  check(api, api.ov_tensor_data(handle, data), 'OVF_ERR_ENGINE_INFER_FAILED', what);
  return { elementType, shape, data: nativeBytes(data[0] ?? 0n, byteSize).slice() };
}
