"""Talks to ovfleet-server with tritonclient (gRPC and HTTP) and compares every inference with
OpenVINO's own result on the same input.

Prints one JSON object: {"checks": [{"name", "ok", "detail"}], "reference": {...}}. Exits 0 when the
script itself ran (the checks carry pass/fail); a crash exits non-zero with a traceback.

usage: protocol_check.py --grpc HOST:PORT --http HOST:PORT --model NAME=MODEL_FILE [--model ...]
                         [--version N] [--shape NAME:d0,d1,...] [--seed N]
Server-level checks run once; model checks run per --model and are prefixed with its name.
"""

import argparse
import json
import sys
import traceback

import numpy as np
import openvino as ov
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException, triton_to_np_dtype

FLOAT_TYPES = {"FP16", "FP32", "FP64", "BF16"}
NO_JSON_TYPES = {"FP16", "BF16"}


class Checks:
    def __init__(self):
        self.items = []

    def add(self, name, ok, detail=""):
        self.items.append({"name": name, "ok": bool(ok), "detail": str(detail)})

    def run(self, name, fn):
        try:
            result = fn()
            if result is None or result is True:
                self.add(name, True)
            else:
                self.add(name, False, result)
        except Exception as error:  # a failed check, not a crashed script
            self.add(name, False, f"{type(error).__name__}: {error}")


def concrete_shape(shape, override):
    if override is not None:
        return override
    return [1 if d < 0 else d for d in shape]


def make_input(rng, datatype, shape):
    dtype = triton_to_np_dtype(datatype)
    if datatype == "BOOL":
        return rng.integers(0, 2, size=shape).astype(bool)
    if datatype in FLOAT_TYPES:
        return rng.standard_normal(size=shape).astype(dtype)
    if datatype.startswith("UINT"):
        return rng.integers(0, 100, size=shape).astype(dtype)
    return rng.integers(-50, 50, size=shape).astype(dtype)


def compare(name, expected, actual, datatype):
    if actual is None:
        return f"{name}: no output"
    if tuple(actual.shape) != tuple(expected.shape):
        return f"{name}: shape {list(actual.shape)} != reference {list(expected.shape)}"
    if datatype in FLOAT_TYPES:
        a = actual.astype(np.float64)
        e = expected.astype(np.float64)
        if not np.allclose(a, e, rtol=1e-4, atol=1e-5):
            return f"{name}: max abs difference {np.max(np.abs(a - e))}"
        return None
    if not np.array_equal(actual, expected.astype(actual.dtype)):
        return f"{name}: values differ from reference"
    return None


def compare_all(reference, result, outputs):
    problems = [compare(o["name"], reference[o["name"]], result.as_numpy(o["name"]), o["datatype"]) for o in outputs]
    problems = [p for p in problems if p]
    return "; ".join(problems) if problems else None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grpc", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--model", action="append", required=True, help="NAME=MODEL_FILE")
    parser.add_argument("--version", default="")
    parser.add_argument("--shape", action="append", default=[])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    shapes = {}
    for item in args.shape:
        name, dims = item.split(":", 1)
        shapes[name] = [int(d) for d in dims.split(",")]

    checks = Checks()
    g = grpcclient.InferenceServerClient(url=args.grpc)
    h = httpclient.InferenceServerClient(url=args.http)

    # ---- server health and metadata
    checks.run("grpc.is_server_live", lambda: g.is_server_live() or "not live")
    checks.run("grpc.is_server_ready", lambda: g.is_server_ready() or "not ready")
    checks.run("http.is_server_live", lambda: h.is_server_live() or "not live")
    checks.run("http.is_server_ready", lambda: h.is_server_ready() or "not ready")
    checks.run("grpc.is_model_ready(unknown) is false", lambda: (not g.is_model_ready("no-such-model")) or "ready?")
    checks.run("http.is_model_ready(unknown) is false", lambda: (not h.is_model_ready("no-such-model")) or "ready?")

    def server_metadata(meta):
        return None if meta.get("name") == "ovfleet-server" and meta.get("version") else f"unexpected {meta}"

    checks.run("grpc.get_server_metadata", lambda: server_metadata(g.get_server_metadata(as_json=True)))
    checks.run("http.get_server_metadata", lambda: server_metadata(h.get_server_metadata()))

    core = ov.Core()
    for spec in args.model:
        model, model_file = spec.split("=", 1)
        check_model(Prefixed(checks, model), g, h, core, model, model_file, args.version, shapes, args.seed)

    json.dump({"checks": checks.items}, sys.stdout)
    sys.stdout.write("\n")
    g.close()
    h.close()


class Prefixed:
    def __init__(self, checks, prefix):
        self.checks = checks
        self.prefix = prefix

    def run(self, name, fn):
        self.checks.run(f"{self.prefix}: {name}", fn)


def check_model(checks, g, h, core, model, model_file, version, shapes, seed):
    checks.run("grpc.is_model_ready", lambda: g.is_model_ready(model, version) or "model not ready")
    checks.run("http.is_model_ready", lambda: h.is_model_ready(model, version) or "model not ready")

    # Reference: OpenVINO itself, f32 precision, on the same model file.
    compiled = core.compile_model(model_file, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    meta = h.get_model_metadata(model, version)
    gmeta = g.get_model_metadata(model, version, as_json=True)

    def metadata_matches():
        names = [i["name"] for i in meta["inputs"]]
        ov_names = [p.get_any_name() for p in compiled.inputs]
        if sorted(names) != sorted(ov_names):
            return f"inputs {names} != OpenVINO's {ov_names}"
        g_inputs = [(i["name"], i["datatype"], [int(d) for d in i["shape"]]) for i in gmeta["inputs"]]
        h_inputs = [(i["name"], i["datatype"], i["shape"]) for i in meta["inputs"]]
        if g_inputs != h_inputs:
            return f"gRPC metadata {g_inputs} != HTTP metadata {h_inputs}"
        if meta["name"] != model or gmeta["name"] != model:
            return "model name differs"
        return None

    checks.run("metadata (gRPC == HTTP == OpenVINO ports)", metadata_matches)

    rng = np.random.default_rng(seed)
    arrays = {}
    for i in meta["inputs"]:
        arrays[i["name"]] = make_input(rng, i["datatype"], concrete_shape(i["shape"], shapes.get(i["name"])))
    request = compiled.create_infer_request()
    ov_result = request.infer({name: arr for name, arr in arrays.items()})
    reference = {}
    for port in compiled.outputs:
        value = np.array(ov_result[port])
        for name in port.get_names():
            reference[name] = value
    outputs = meta["outputs"]
    input_types = {i["name"]: i["datatype"] for i in meta["inputs"]}

    def grpc_inputs():
        inputs = []
        for name, arr in arrays.items():
            tensor = grpcclient.InferInput(name, list(arr.shape), input_types[name])
            tensor.set_data_from_numpy(arr)
            inputs.append(tensor)
        return inputs

    def http_inputs(binary):
        inputs = []
        for name, arr in arrays.items():
            tensor = httpclient.InferInput(name, list(arr.shape), input_types[name])
            tensor.set_data_from_numpy(arr, binary_data=binary)
            inputs.append(tensor)
        return inputs

    # ---- inference: gRPC raw, HTTP JSON, HTTP binary, requested outputs
    checks.run(
        "grpc.infer raw == OpenVINO",
        lambda: compare_all(reference, g.infer(model, grpc_inputs(), model_version=version), outputs),
    )
    if not any(t in NO_JSON_TYPES for t in input_types.values()):
        checks.run(
            "http.infer JSON == OpenVINO",
            lambda: compare_all(
                reference,
                h.infer(
                    model,
                    http_inputs(False),
                    model_version=version,
                    outputs=[httpclient.InferRequestedOutput(o["name"], binary_data=False) for o in outputs],
                ),
                outputs,
            ),
        )
    checks.run(
        "http.infer binary == OpenVINO",
        lambda: compare_all(
            reference,
            h.infer(
                model,
                http_inputs(True),
                model_version=version,
                outputs=[httpclient.InferRequestedOutput(o["name"], binary_data=True) for o in outputs],
            ),
            outputs,
        ),
    )
    checks.run(
        "http.infer binary input, default outputs == OpenVINO",
        lambda: compare_all(reference, h.infer(model, http_inputs(True), model_version=version), outputs),
    )
    checks.run(
        "http.infer gzip-compressed request == OpenVINO",
        lambda: compare_all(
            reference,
            h.infer(model, http_inputs(True), model_version=version, request_compression_algorithm="gzip"),
            outputs,
        ),
    )
    checks.run(
        "grpc.infer gzip-compressed request == OpenVINO",
        lambda: compare_all(
            reference,
            g.infer(model, grpc_inputs(), model_version=version, compression_algorithm="gzip"),
            outputs,
        ),
    )
    last = outputs[-1]

    def only_requested(result, proto):
        names = [o["name"] for o in (result.get_response(as_json=True) if proto == "grpc" else result.get_response())["outputs"]]
        if names != [last["name"]]:
            return f"returned outputs {names}, requested only {last['name']}"
        return compare_all(reference, result, [last])

    checks.run(
        "grpc.infer requested output only",
        lambda: only_requested(
            g.infer(model, grpc_inputs(), model_version=version, outputs=[grpcclient.InferRequestedOutput(last["name"])]),
            "grpc",
        ),
    )
    checks.run(
        "http.infer requested output only",
        lambda: only_requested(
            h.infer(model, http_inputs(True), model_version=version, outputs=[httpclient.InferRequestedOutput(last["name"])]),
            "http",
        ),
    )

    # ---- errors as tritonclient reports them
    def expect_error(fn, fragment):
        try:
            fn()
        except InferenceServerException as error:
            text = f"{error.status()} {error.message()}"
            return None if fragment in text else f"error {text!r} does not mention {fragment!r}"
        return "no error raised"

    checks.run(
        "grpc.infer unknown model → NOT_FOUND",
        lambda: expect_error(lambda: g.infer("no-such-model", grpc_inputs()), "NOT_FOUND"),
    )
    checks.run(
        "http.infer unknown model → 404 naming it",
        lambda: expect_error(lambda: h.infer("no-such-model", http_inputs(True)), "no-such-model"),
    )



if __name__ == "__main__":
    try:
        main()
    except Exception:
        traceback.print_exc()
        sys.exit(2)
