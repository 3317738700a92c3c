// koffi declarations of the OpenVINO C API (libopenvino_c). The wheel ships no headers, so the
// prototypes below are transcribed from openvino/c/*.h (2026.x). Pointers are BigInt in koffi 3; every
// OpenVINO object is handled as an opaque `void *`. Out-parameters are one-element arrays.
import koffi, { type LibraryHandle } from 'koffi';

/** A native pointer (koffi 3 represents pointers as BigInt). */
export type Ptr = bigint;
/** A one-element array koffi fills for an `_Out_` parameter. */
export type Out<T> = [T | null];

export interface Dim {
  min: number | bigint;
  max: number | bigint;
}
export interface NativePartialShape {
  rank: Dim;
  dims: Ptr | null;
}
export interface NativeShape {
  rank: number | bigint;
  dims: Ptr | null;
}
export interface NativeDevices {
  devices: Ptr | null;
  size: number | bigint;
}
export interface NativeVersion {
  buildNumber: Ptr | null;
  description: Ptr | null;
}

/** The subset of the C API ovfleet uses. Every `number` result is an ov_status_e (0 = OK). */
export interface OvcApi {
  ov_get_openvino_version(version: Out<NativeVersion>): number;
  ov_version_free(version: NativeVersion): void;
  ov_get_error_info(status: number): string;
  ov_get_last_err_msg(): Ptr | null;
  ov_free(content: Ptr): void;

  ov_core_create(core: Out<Ptr>): number;
  ov_core_free(core: Ptr): void;
  ov_core_get_available_devices(core: Ptr, devices: Out<NativeDevices>): number;
  ov_available_devices_free(devices: NativeDevices): void;
  ov_core_read_model(core: Ptr, modelPath: string, binPath: string | null, model: Out<Ptr>): number;
  /** Variadic: after `compiled`, pairs of ('const char *', key), ('const char *', value). */
  ov_core_compile_model(
    core: Ptr,
    model: Ptr,
    device: string,
    argCount: number,
    compiled: Out<Ptr>,
    ...properties: string[]
  ): number;

  ov_model_free(model: Ptr): void;
  ov_model_inputs_size(model: Ptr, size: Out<number>): number;
  ov_model_outputs_size(model: Ptr, size: Out<number>): number;
  ov_model_const_input_by_index(model: Ptr, index: number, port: Out<Ptr>): number;
  ov_model_reshape(model: Ptr, names: string[], shapes: Ptr, size: number): number;

  ov_port_get_any_name(port: Ptr, name: Out<Ptr>): number;
  ov_port_get_element_type(port: Ptr, type: Out<number>): number;
  ov_port_get_partial_shape(port: Ptr, shape: Out<NativePartialShape>): number;
  ov_output_const_port_free(port: Ptr): void;
  ov_partial_shape_free(shape: NativePartialShape): void;
  ov_shape_free(shape: NativeShape): void;

  ov_preprocess_prepostprocessor_create(model: Ptr, ppp: Out<Ptr>): number;
  ov_preprocess_prepostprocessor_free(ppp: Ptr): void;
  ov_preprocess_prepostprocessor_get_input_info_by_name(ppp: Ptr, name: string, info: Out<Ptr>): number;
  ov_preprocess_input_info_free(info: Ptr): void;
  ov_preprocess_input_info_get_tensor_info(info: Ptr, tensorInfo: Out<Ptr>): number;
  ov_preprocess_input_tensor_info_free(tensorInfo: Ptr): void;
  ov_preprocess_input_tensor_info_set_element_type(tensorInfo: Ptr, type: number): number;
  ov_preprocess_prepostprocessor_build(ppp: Ptr, model: Out<Ptr>): number;

  ov_compiled_model_free(compiled: Ptr): void;
  ov_compiled_model_inputs_size(compiled: Ptr, size: Out<number>): number;
  ov_compiled_model_outputs_size(compiled: Ptr, size: Out<number>): number;
  ov_compiled_model_input_by_index(compiled: Ptr, index: number, port: Out<Ptr>): number;
  ov_compiled_model_output_by_index(compiled: Ptr, index: number, port: Out<Ptr>): number;
  ov_compiled_model_get_property(compiled: Ptr, key: string, value: Out<Ptr>): number;
  ov_compiled_model_create_infer_request(compiled: Ptr, request: Out<Ptr>): number;

  ov_infer_request_free(request: Ptr): void;
  ov_infer_request_set_input_tensor_by_index(request: Ptr, index: number, tensor: Ptr): number;
  ov_infer_request_get_output_tensor_by_index(request: Ptr, index: number, tensor: Out<Ptr>): number;
  ov_infer_request_infer(request: Ptr): number;
  ov_infer_request_start_async(request: Ptr): number;
  ov_infer_request_wait(request: Ptr): number;
  ov_infer_request_cancel(request: Ptr): number;
  /** `callback` points at an ov_callback_t that must outlive the request (OpenVINO keeps the pointer). */
  ov_infer_request_set_callback(request: Ptr, callback: Ptr): number;

  ov_tensor_create(type: number, shape: { rank: number; dims: number[] }, tensor: Out<Ptr>): number;
  ov_tensor_free(tensor: Ptr): void;
  ov_tensor_data(tensor: Ptr, data: Out<Ptr>): number;
  ov_tensor_get_byte_size(tensor: Ptr, size: Out<number>): number;
  ov_tensor_get_element_type(tensor: Ptr, type: Out<number>): number;
  ov_tensor_get_shape(tensor: Ptr, shape: Out<NativeShape>): number;
}

const PROTOTYPES: Record<keyof OvcApi, string> = {
  ov_get_openvino_version: 'int ov_get_openvino_version(_Out_ ov_version_t *version)',
  ov_version_free: 'void ov_version_free(ov_version_t *version)',
  ov_get_error_info: 'const char *ov_get_error_info(int status)',
  ov_get_last_err_msg: 'void *ov_get_last_err_msg()',
  ov_free: 'void ov_free(void *content)',

  ov_core_create: 'int ov_core_create(_Out_ void **core)',
  ov_core_free: 'void ov_core_free(void *core)',
  ov_core_get_available_devices:
    'int ov_core_get_available_devices(void *core, _Out_ ov_available_devices_t *devices)',
  ov_available_devices_free: 'void ov_available_devices_free(ov_available_devices_t *devices)',
  ov_core_read_model:
    'int ov_core_read_model(void *core, const char *path, const char *bin, _Out_ void **model)',
  ov_core_compile_model:
    'int ov_core_compile_model(void *core, void *model, const char *device, size_t n, _Out_ void **compiled, ...)',

  ov_model_free: 'void ov_model_free(void *model)',
  ov_model_inputs_size: 'int ov_model_inputs_size(void *model, _Out_ size_t *size)',
  ov_model_outputs_size: 'int ov_model_outputs_size(void *model, _Out_ size_t *size)',
  ov_model_const_input_by_index:
    'int ov_model_const_input_by_index(void *model, size_t i, _Out_ void **port)',
  ov_model_reshape: 'int ov_model_reshape(void *model, const char **names, void *shapes, size_t size)',

  ov_port_get_any_name: 'int ov_port_get_any_name(void *port, _Out_ void **name)',
  ov_port_get_element_type: 'int ov_port_get_element_type(void *port, _Out_ int *type)',
  ov_port_get_partial_shape: 'int ov_port_get_partial_shape(void *port, _Out_ ov_partial_shape_t *shape)',
  ov_output_const_port_free: 'void ov_output_const_port_free(void *port)',
  ov_partial_shape_free: 'void ov_partial_shape_free(ov_partial_shape_t *shape)',
  ov_shape_free: 'void ov_shape_free(ov_shape_t *shape)',

  ov_preprocess_prepostprocessor_create:
    'int ov_preprocess_prepostprocessor_create(void *model, _Out_ void **ppp)',
  ov_preprocess_prepostprocessor_free: 'void ov_preprocess_prepostprocessor_free(void *ppp)',
  ov_preprocess_prepostprocessor_get_input_info_by_name:
    'int ov_preprocess_prepostprocessor_get_input_info_by_name(void *ppp, const char *name, _Out_ void **info)',
  ov_preprocess_input_info_free: 'void ov_preprocess_input_info_free(void *info)',
  ov_preprocess_input_info_get_tensor_info:
    'int ov_preprocess_input_info_get_tensor_info(void *info, _Out_ void **tensor_info)',
  ov_preprocess_input_tensor_info_free: 'void ov_preprocess_input_tensor_info_free(void *tensor_info)',
  ov_preprocess_input_tensor_info_set_element_type:
    'int ov_preprocess_input_tensor_info_set_element_type(void *tensor_info, int type)',
  ov_preprocess_prepostprocessor_build:
    'int ov_preprocess_prepostprocessor_build(void *ppp, _Out_ void **model)',

  ov_compiled_model_free: 'void ov_compiled_model_free(void *compiled)',
  ov_compiled_model_inputs_size: 'int ov_compiled_model_inputs_size(void *compiled, _Out_ size_t *size)',
  ov_compiled_model_outputs_size: 'int ov_compiled_model_outputs_size(void *compiled, _Out_ size_t *size)',
  ov_compiled_model_input_by_index:
    'int ov_compiled_model_input_by_index(void *compiled, size_t i, _Out_ void **port)',
  ov_compiled_model_output_by_index:
    'int ov_compiled_model_output_by_index(void *compiled, size_t i, _Out_ void **port)',
  ov_compiled_model_get_property:
    'int ov_compiled_model_get_property(void *compiled, const char *key, _Out_ void **value)',
  ov_compiled_model_create_infer_request:
    'int ov_compiled_model_create_infer_request(void *compiled, _Out_ void **request)',

  ov_infer_request_free: 'void ov_infer_request_free(void *request)',
  ov_infer_request_set_input_tensor_by_index:
    'int ov_infer_request_set_input_tensor_by_index(void *request, size_t i, void *tensor)',
  ov_infer_request_get_output_tensor_by_index:
    'int ov_infer_request_get_output_tensor_by_index(void *request, size_t i, _Out_ void **tensor)',
  ov_infer_request_infer: 'int ov_infer_request_infer(void *request)',
  ov_infer_request_start_async: 'int ov_infer_request_start_async(void *request)',
  ov_infer_request_wait: 'int ov_infer_request_wait(void *request)',
  ov_infer_request_cancel: 'int ov_infer_request_cancel(void *request)',
  ov_infer_request_set_callback: 'int ov_infer_request_set_callback(void *request, void *callback)',

  ov_tensor_create: 'int ov_tensor_create(int type, ov_shape_in_t shape, _Out_ void **tensor)',
  ov_tensor_free: 'void ov_tensor_free(void *tensor)',
  ov_tensor_data: 'int ov_tensor_data(void *tensor, _Out_ void **data)',
  ov_tensor_get_byte_size: 'int ov_tensor_get_byte_size(void *tensor, _Out_ size_t *size)',
  ov_tensor_get_element_type: 'int ov_tensor_get_element_type(void *tensor, _Out_ int *type)',
  ov_tensor_get_shape: 'int ov_tensor_get_shape(void *tensor, _Out_ ov_shape_t *shape)',
};

function typeExists(name: string): boolean {
  try {
    koffi.type(name);
    return true;
  } catch {
    return false;
  }
}

/** koffi types are process-global (a name can be declared once), so they are declared once here. */
let declared = false;
function declareTypes(): void {
  if (declared) return;
  if (typeExists('ov_callback_t')) {
    // Declared by another instance of this module in the same process (e.g. a test runner that
    // re-evaluates modules while koffi's native registry persists): same layouts, reuse them.
    declared = true;
    return;
  }
  koffi.struct('ov_version_t', { buildNumber: 'void *', description: 'void *' });
  koffi.struct('ov_available_devices_t', { devices: 'void *', size: 'size_t' });
  koffi.struct('ov_dimension_t', { min: 'int64_t', max: 'int64_t' });
  koffi.struct('ov_partial_shape_t', { rank: 'ov_dimension_t', dims: 'void *' });
  koffi.struct('ov_shape_t', { rank: 'int64_t', dims: 'void *' });
  // The same layout, with dims given from JS (koffi copies the array for the duration of the call).
  koffi.struct('ov_shape_in_t', { rank: 'int64_t', dims: 'int64_t *' });
  const callback = koffi.proto('void ov_infer_callback(void *args)');
  koffi.struct('ov_callback_t', { callback_func: koffi.pointer(callback), args: 'void *' });
  declared = true;
}

/** The same functions run on a koffi worker thread (for slow calls: read_model, compile_model). */
export type OvcAsyncApi = {
  [K in keyof OvcApi]: (...args: Parameters<OvcApi[K]>) => Promise<ReturnType<OvcApi[K]>>;
};

export interface LoadedLibrary {
  readonly api: OvcApi;
  readonly asyncApi: OvcAsyncApi;
  readonly path: string;
  /**
   * ov_core_compile_model with `pairs` property pairs, on a worker thread. koffi cannot run variadic
   * functions asynchronously, so the call is declared with a fixed arity: on the System V x86-64 and
   * Linux AArch64 ABIs, pointer arguments of a variadic call travel exactly like fixed ones. Where that
   * does not hold (Apple arm64 passes variadic arguments on the stack) this is undefined and callers
   * use the synchronous variadic call.
   */
  readonly compileModelAsync:
    | ((
        core: Ptr,
        model: Ptr,
        device: string,
        compiled: Out<Ptr>,
        properties: readonly string[],
      ) => Promise<number>)
    | undefined;
}

function fixedArityCompile(lib: LibraryHandle): LoadedLibrary['compileModelAsync'] {
  if (process.platform === 'darwin' || process.platform === 'win32') return undefined;
  const byArity = new Map<number, ReturnType<LibraryHandle['func']>>();
  return (core, model, device, compiled, properties) => {
    const pairs = properties.length / 2;
    let fn = byArity.get(pairs);
    if (!fn) {
      const extra = Array.from({ length: properties.length }, (_, i) => `const char *p${i}`).join(', ');
      fn = lib.func(
        `int ov_core_compile_model(void *core, void *model, const char *device, size_t n, _Out_ void **compiled${extra ? `, ${extra}` : ''})`,
      );
      byArity.set(pairs, fn);
    }
    const call = fn;
    return new Promise<number>((resolve, reject) => {
      call.async(
        core,
        model,
        device,
        properties.length,
        compiled,
        ...properties,
        (error: unknown, result: number) => (error ? reject(error) : resolve(result)),
      );
    });
  };
}

/** Loads libopenvino_c from an absolute path (its RPATH `$ORIGIN` finds libopenvino, TBB, plugins). */
export function loadLibrary(path: string): LoadedLibrary {
  declareTypes();
  const lib = koffi.load(path);
  const api: Record<string, unknown> = {};
  const asyncApi: Record<string, unknown> = {};
  for (const [name, prototype] of Object.entries(PROTOTYPES)) {
    const fn = lib.func(prototype);
    api[name] = fn;
    asyncApi[name] = (...args: unknown[]) =>
      new Promise((resolve, reject) => {
        fn.async(...args, (error: unknown, result: unknown) => (error ? reject(error) : resolve(result)));
      });
  }
  return {
    api: api as unknown as OvcApi,
    asyncApi: asyncApi as unknown as OvcAsyncApi,
    path,
    compileModelAsync: fixedArityCompile(lib),
  };
}

/** Reads a NUL-terminated string OpenVINO allocated, then frees it with ov_free. */
export function takeString(api: OvcApi, ptr: Ptr | null): string {
  if (ptr === null || ptr === 0n) return '';
  const text = koffi.decode(ptr, 'char', -1) as string;
  api.ov_free(ptr);
  return text;
}

/** A stable native ov_callback_t {func, args} whose address can be handed to OpenVINO. */
export interface NativeCallback {
  readonly struct: Ptr;
  release(): void;
}

export function createCallback(fn: () => void): NativeCallback {
  declareTypes();
  const func = koffi.register(fn, koffi.pointer(koffi.type('ov_infer_callback')));
  const struct = koffi.alloc('ov_callback_t', 1) as Ptr;
  koffi.encode(struct, 'ov_callback_t', { callback_func: func, args: null });
  return {
    struct,
    release: () => {
      koffi.unregister(func);
      koffi.free(struct);
    },
  };
}

/** Views native memory without copying (valid only while the owner keeps it alive). */
export function nativeBytes(ptr: Ptr, length: number): Uint8Array {
  return length === 0 ? new Uint8Array(0) : new Uint8Array(koffi.view(ptr, length));
}

export function decodeDims(ptr: Ptr | null, rank: number): Dim[] {
  if (ptr === null || rank === 0) return [];
  return koffi.decode(ptr, 'ov_dimension_t', rank) as Dim[];
}

export function decodeInt64s(ptr: Ptr | null, count: number): number[] {
  if (ptr === null || count === 0) return [];
  return Array.from(koffi.decode(ptr, 'int64_t', count) as ArrayLike<number | bigint>, Number);
}

export function decodeStrings(ptr: Ptr | null, count: number): string[] {
  if (ptr === null || count === 0) return [];
  return koffi.decode(ptr, 'char *', count) as string[];
}

/** Native array of ov_partial_shape_t for ov_model_reshape (koffi-allocated; free with the returned fn). */
export function allocPartialShapes(shapes: readonly { min: number; max: number }[][]): {
  ptr: Ptr;
  free: () => void;
} {
  declareTypes();
  const dimBlocks = shapes.map((dims) => {
    const block = koffi.alloc('ov_dimension_t', Math.max(dims.length, 1)) as Ptr;
    koffi.encode(block, 'ov_dimension_t', dims, dims.length);
    return block;
  });
  const ptr = koffi.alloc('ov_partial_shape_t', Math.max(shapes.length, 1)) as Ptr;
  koffi.encode(
    ptr,
    'ov_partial_shape_t',
    shapes.map((dims, i) => ({ rank: { min: dims.length, max: dims.length }, dims: dimBlocks[i] })),
    shapes.length,
  );
  return {
    ptr,
    free: () => {
      for (const block of dimBlocks) koffi.free(block);
      koffi.free(ptr);
    },
  };
}
