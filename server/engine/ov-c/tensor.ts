// Host tensors across the FFI boundary, kept per infer request and port so the hot path makes as few
// FFI calls and allocations as possible.
// Inputs: OpenVINO allocates the tensor (ov_tensor_create) and the JS bytes are copied in, so no JS
// memory that V8 may move or free is referenced by OpenVINO. The tensor stays set on the request and is
// refilled in place while the shape stays the same; a new shape creates (and sets) a new one.
// Outputs: copied out into a JS-owned Uint8Array, because the request reuses its output buffers on the
// next inference (a zero-copy view would change under the caller's feet).
import { ServerError } from '../../errors.ts';
import type { ElementType, PortInfo, Tensor } from '../types.ts';
import { ELEMENT_SIZE } from '../types.ts';
import { describeCode, elementTypeFromCode, OV_ELEMENT_TYPE } from './element-types.ts';
import { decodeInt64s, type NativeShape, nativeBytes, type Out, type OvcApi, type Ptr } from './library.ts';
import { check } from './status.ts';

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Scratch out-parameters: FFI calls are synchronous on the JS thread, so one of each is enough.
const outPtr: Out<Ptr> = [null];
const outNumber: Out<number> = [null];
const outShape: Out<NativeShape> = [null];

/** The native input tensor of one port of one infer request, refilled in place while its shape holds. */
export class InputSlot {
  #api: OvcApi;
  #port: PortInfo;
  #handle: Ptr = 0n;
  #shape: readonly number[] = [];
  #view: Uint8Array = new Uint8Array(0);
  /** A tensor `fill` created that is not yet set on the request. */
  #pending: { handle: Ptr; shape: readonly number[]; view: Uint8Array } | null = null;

  constructor(api: OvcApi, port: PortInfo) {
    this.#api = api;
    this.#port = port;
  }

  /**
   * Puts `tensor`'s bytes into this port's native tensor. Returns the handle of a newly created tensor
   * that the caller must set on the request (then call `adopt`), or 0n when the current one was refilled.
   */
  fill(tensor: Tensor): Ptr {
    const name = this.#port.name;
    const expected = elementCount(tensor.shape) * ELEMENT_SIZE[tensor.elementType];
    if (tensor.data.byteLength !== expected) {
      throw new ServerError(
        'OVF_ERR_REQUEST_INVALID',
        `input ${name}: ${tensor.data.byteLength} bytes given, shape [${tensor.shape.join(',')}] of ${tensor.elementType} needs ${expected}`,
      );
    }
    if (this.#handle !== 0n && sameShape(this.#shape, tensor.shape)) {
      this.#view.set(tensor.data);
      return 0n;
    }
    const api = this.#api;
    outPtr[0] = null;
    check(
      api,
      api.ov_tensor_create(
        OV_ELEMENT_TYPE[tensor.elementType],
        { rank: tensor.shape.length, dims: [...tensor.shape] },
        outPtr,
      ),
      'OVF_ERR_REQUEST_INVALID',
      `input ${name}`,
    );
    const handle = outPtr[0] ?? 0n;
    let view: Uint8Array = new Uint8Array(0);
    if (expected > 0) {
      outPtr[0] = null;
      const status = api.ov_tensor_data(handle, outPtr);
      if (status !== 0 || !outPtr[0]) {
        api.ov_tensor_free(handle);
        check(api, status || -1, 'OVF_ERR_ENGINE_INFER_FAILED', `input ${name}: tensor data`);
      }
      view = nativeBytes(outPtr[0] ?? 0n, expected);
      view.set(tensor.data);
    }
    this.#pending = { handle, shape: [...tensor.shape], view };
    return handle;
  }

  /** The tensor `fill` created is now set on the request: keep it and drop the previous one. */
  adopt(): void {
    const next = this.#pending;
    if (!next) return;
    this.#pending = null;
    this.free();
    this.#handle = next.handle;
    this.#shape = next.shape;
    this.#view = next.view;
  }

  /** Setting the tensor `fill` created failed: free it and keep the current one. */
  discard(): void {
    if (this.#pending) this.#api.ov_tensor_free(this.#pending.handle);
    this.#pending = null;
  }

  /** Frees this slot's tensor (the request may keep its own reference until it is freed itself). */
  free(): void {
    if (this.#handle !== 0n) this.#api.ov_tensor_free(this.#handle);
    this.#handle = 0n;
    this.#shape = [];
    this.#view = new Uint8Array(0);
  }
}

/** Reads one output port's tensor; the element type is asked once, the shape only if the port is dynamic. */
export class OutputReader {
  #api: OvcApi;
  #name: string;
  #staticShape: readonly number[] | null;
  #elementType: ElementType | null = null;
  #dataPtr: Ptr = 0n;
  #view: Uint8Array = new Uint8Array(0);

  constructor(api: OvcApi, port: PortInfo) {
    this.#api = api;
    this.#name = port.name;
    const dims = port.shape.filter((d): d is number => typeof d === 'number');
    this.#staticShape = dims.length === port.shape.length ? dims : null;
  }

  /** Copies the OpenVINO tensor `handle` into a JS Tensor (does not free the handle). */
  read(handle: Ptr): Tensor {
    const api = this.#api;
    const elementType = this.#elementType ?? this.#readElementType(handle);
    let shape: number[];
    if (this.#staticShape) {
      shape = [...this.#staticShape];
    } else {
      outShape[0] = null;
      check(api, api.ov_tensor_get_shape(handle, outShape), 'OVF_ERR_ENGINE_INFER_FAILED', this.#what());
      const ns = outShape[0] as NativeShape | null;
      shape = [];
      if (ns) {
        shape = decodeInt64s(ns.dims, Number(ns.rank));
        api.ov_shape_free(ns);
      }
    }
    const byteSize = elementCount(shape) * ELEMENT_SIZE[elementType];
    if (byteSize === 0) return { elementType, shape, data: new Uint8Array(0) };
    outPtr[0] = null;
    check(api, api.ov_tensor_data(handle, outPtr), 'OVF_ERR_ENGINE_INFER_FAILED', this.#what());
    const ptr = outPtr[0] ?? 0n;
    // A view is only a window on the address range; it is reused while the data pointer and size are
    // unchanged (the buffer is live: the request holds it and `handle` references it right now).
    if (ptr !== this.#dataPtr || this.#view.byteLength !== byteSize) {
      this.#dataPtr = ptr;
      this.#view = nativeBytes(ptr, byteSize);
    }
    return { elementType, shape, data: this.#view.slice() };
  }

  #readElementType(handle: Ptr): ElementType {
    const api = this.#api;
    outNumber[0] = null;
    check(
      api,
      api.ov_tensor_get_element_type(handle, outNumber),
      'OVF_ERR_ENGINE_INFER_FAILED',
      this.#what(),
    );
    const code = outNumber[0] ?? -1;
    const elementType = elementTypeFromCode(code);
    if (elementType === undefined) {
      throw new ServerError(
        'OVF_ERR_ENGINE_INFER_FAILED',
        `${this.#what()}: unsupported element type ${describeCode(code)}`,
      );
    }
    this.#elementType = elementType;
    return elementType;
  }

  #what(): string {
    return `output ${this.#name}`;
  }
}
