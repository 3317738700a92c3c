"""The Python peer: KServe's model server (kserve on PyPI) serving one model through OpenVINO's
Python API with the same device properties and number of infer requests as ovfleet.

What a careful user would write: a kserve.Model whose predict hands the input to an OpenVINO
AsyncInferQueue of `nireq` requests and awaits the result, so that the event loop keeps accepting
requests while inferences run on every stream.

Adjustments for the benchmark, none of them in the inference path:
  * every listener binds 127.0.0.1 (kserve binds all interfaces);
  * the gRPC server also answers ModelConfig with a minimal Triton-style config (max_batch_size 0 and
    the model's ports), because perf_analyzer -- the one client used for every system -- asks for it
    before measuring, and kserve's gRPC service does not implement it; REST likewise gets
    GET /v2/models/<name>/config;
  * per-request latency logging is off and kserve logs at WARNING, so the peer is not measured
    writing log lines ovfleet does not write.

  python peer.py --bench_spec '{"name":…,"modelPath":…,"inputName":…,"shape":[…],"properties":{…},
                                "nireq":2,"httpPort":…,"grpcPort":…}'
"""

import argparse
import asyncio
import json
import logging

import grpc
import kserve
import numpy as np
import openvino as ov
from kserve import InferOutput, InferRequest, InferResponse
from kserve.protocol.grpc import server as kserve_grpc_server
from kserve.protocol.rest import server as kserve_rest_server

V2_DATATYPE = {
    ov.Type.f32: "FP32",
    ov.Type.f16: "FP16",
    ov.Type.f64: "FP64",
    ov.Type.i64: "INT64",
    ov.Type.i32: "INT32",
    ov.Type.u8: "UINT8",
    ov.Type.i8: "INT8",
    ov.Type.boolean: "BOOL",
}
# Triton model_config.proto DataType numbers.
TRITON_TYPE = {"BOOL": 1, "UINT8": 2, "INT8": 6, "INT32": 8, "INT64": 9, "FP16": 10, "FP32": 11, "FP64": 12}


class OpenVinoModel(kserve.Model):
    def __init__(self, spec):
        super().__init__(spec["name"])
        self.spec = spec
        self.compiled = None
        self.queue = None

    def load(self) -> bool:
        core = ov.Core()
        model = core.read_model(self.spec["modelPath"])
        model.reshape({self.spec["inputName"]: ov.PartialShape(self.spec["shape"])})
        self.compiled = core.compile_model(model, "CPU", self.spec["properties"])
        self.queue = ov.AsyncInferQueue(self.compiled, self.spec["nireq"])
        self.queue.set_callback(self._done)
        self.ready = True
        return self.ready

    def _done(self, request, userdata):
        loop, future = userdata
        outputs = [request.get_output_tensor(i).data.copy() for i in range(len(self.compiled.outputs))]
        loop.call_soon_threadsafe(future.set_result, outputs)

    def ports(self, which):
        return [
            {"name": p.get_any_name(), "datatype": V2_DATATYPE[p.get_element_type()], "shape": list(p.get_shape())}
            for p in which
        ]

    def get_input_types(self):
        return self.ports(self.compiled.inputs)

    def get_output_types(self):
        return self.ports(self.compiled.outputs)

    async def predict(self, payload: InferRequest, headers=None, response_headers=None) -> InferResponse:
        data = payload.inputs[0].as_numpy()
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        # start_async waits (in this thread) only when all nireq requests are busy, as ovfleet's pool does.
        self.queue.start_async({self.spec["inputName"]: data}, (loop, future))
        results = await future
        outputs = []
        for port, array in zip(self.compiled.outputs, results):
            out = InferOutput(name=port.get_any_name(), shape=list(array.shape), datatype=V2_DATATYPE[port.get_element_type()])
            out.set_data_from_numpy(np.ascontiguousarray(array))
            outputs.append(out)
        return InferResponse(
            response_id=payload.id or "", model_name=self.name, infer_outputs=outputs, from_grpc=payload.from_grpc
        )


# ---------------------------------------------------------------- minimal protobuf for ModelConfig


def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number, wire, payload):
    key = _varint((number << 3) | wire)
    if wire == 2:
        return key + _varint(len(payload)) + payload
    return key + payload


def _port(name, datatype, dims, dims_field):
    packed = b"".join(_varint(d) for d in dims)
    return _field(1, 2, name.encode()) + _field(2, 0, _varint(TRITON_TYPE[datatype])) + _field(dims_field, 2, packed)


def model_config_response(model):
    config = _field(1, 2, model.name.encode()) + _field(2, 2, b"openvino")
    for p in model.get_input_types():
        config += _field(5, 2, _port(p["name"], p["datatype"], p["shape"], 4))
    for p in model.get_output_types():
        config += _field(6, 2, _port(p["name"], p["datatype"], p["shape"], 3))
    return _field(1, 2, config)


def model_config_handler(model):
    async def handle(request, context):
        return model_config_response(model)

    return handle


def model_config_json(model):
    def port(p):
        return {"name": p["name"], "data_type": "TYPE_" + p["datatype"], "dims": p["shape"]}

    return {
        "name": model.name,
        "platform": "openvino",
        "max_batch_size": 0,
        "input": [port(p) for p in model.get_input_types()],
        "output": [port(p) for p in model.get_output_types()],
    }


def patch_servers(model):
    """Loopback-only listeners, and ModelConfig for perf_analyzer (see the module docstring)."""

    class LoopbackConfig(kserve_rest_server.uvicorn.Config):
        def __init__(self, *args, **kwargs):
            kwargs["host"] = "127.0.0.1"
            super().__init__(*args, **kwargs)

    kserve_rest_server.uvicorn.Config = LoopbackConfig

    register = kserve_rest_server.RESTServer._register_endpoints

    def register_with_config(self, app):
        async def config(model_name: str):
            return model_config_json(model)

        app.add_api_route(r"/v2/models/{model_name}/config", config, methods=["GET"])
        register(self, app)

    kserve_rest_server.RESTServer._register_endpoints = register_with_config

    config_handler = grpc.method_handlers_generic_handler(
        "inference.GRPCInferenceService",
        {
            "ModelConfig": grpc.unary_unary_rpc_method_handler(
                model_config_handler(model),
                request_deserializer=lambda b: b,
                response_serializer=lambda b: b,
            )
        },
    )
    make_server = kserve_grpc_server.aio.server

    def server(*args, **kwargs):
        srv = make_server(*args, **kwargs)
        srv.add_generic_rpc_handlers((config_handler,))
        real_add = srv.add_insecure_port
        srv.add_insecure_port = lambda address: real_add("127.0.0.1:" + address.rsplit(":", 1)[1])
        return srv

    kserve_grpc_server.aio.server = server


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench_spec", required=True)
    ours, _ = parser.parse_known_args()
    spec = json.loads(ours.bench_spec)
    model = OpenVinoModel(spec)
    model.load()
    patch_servers(model)
    server = kserve.ModelServer(
        http_port=spec["httpPort"],
        grpc_port=spec["grpcPort"],
        workers=1,
        enable_grpc=True,
        enable_latency_logging=False,
    )
    # After ModelServer configured kserve's logging: keep warnings and errors only.
    for name in ("kserve", "kserve.trace", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(name).setLevel(logging.WARNING)
    server.start([model])


if __name__ == "__main__":
    main()
