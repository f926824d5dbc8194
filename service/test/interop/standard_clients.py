"""Drives a running inference service with the standard Open Inference Protocol Python clients.

Triton's `tritonclient.http` (and `tritonclient.grpc` when --grpc is given) and KServe's
`InferenceRESTClient`, JSON and binary tensors, with and without
request/response compression, plus health, metadata, repository calls and client errors. Every answer is
compared with ONNX Runtime run directly on the model file of the version the service says it used
(`<repository>/<model>/<model_version>/model.onnx`).

Usage: python standard_clients.py --url http://127.0.0.1:PORT --repository DIR --model NAME
Prints one JSON object per case on stdout: {"case", "ok", "detail"}; exits 0 (the caller asserts per case).
"""

import argparse
import asyncio
import json
import os
import sys

import numpy as np
import onnxruntime as ort
from interop_report import report

ROWS = 24
SEED = 20261203


def make_rows(repository, model):
    """Deterministic rows drawn from the training profile: numeric samples and known categories."""
    version_dirs = sorted(
        (d for d in os.listdir(os.path.join(repository, model)) if d.isdigit()), key=int
    )
    with open(os.path.join(repository, model, version_dirs[-1], "profile.json")) as f:
        profile = json.load(f)
    rng = np.random.default_rng(SEED)
    rows = {}
    for name, feature in profile["features"].items():
        if feature["type"] == "numeric":
            sample = np.asarray(feature["sample"], dtype=np.float32)
            rows[name] = rng.choice(sample, size=(ROWS, 1)).astype(np.float32)
        else:
            categories = sorted(feature["frequencies"].keys())
            rows[name] = rng.choice(np.asarray(categories, dtype=object), size=(ROWS, 1))
    return rows


class Expected:
    """ONNX Runtime outputs per model version, computed on first use."""

    def __init__(self, repository, model, rows):
        self.repository, self.model, self.rows = repository, model, rows
        self.cache = {}

    def outputs(self, version):
        if version not in self.cache:
            path = os.path.join(self.repository, self.model, str(version), "model.onnx")
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            names = [o.name for o in session.get_outputs()]
            values = session.run(names, {i.name: self.rows[i.name] for i in session.get_inputs()})
            self.cache[version] = dict(zip(names, values))
        return self.cache[version]

    def check(self, version, got):
        """Raises AssertionError naming the output unless every output matches ONNX Runtime."""
        want = self.outputs(version)
        assert set(got) == set(want), f"outputs {sorted(got)} != ONNX Runtime's {sorted(want)}"
        details = []
        for name, expected in want.items():
            actual = np.asarray(got[name])
            assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
            if expected.dtype.kind in "iub":
                assert np.array_equal(actual, expected), f"{name}: {actual.tolist()} != {expected.tolist()}"
            else:
                diff = float(np.max(np.abs(actual.astype(np.float64) - expected.astype(np.float64))))
                assert diff <= 1e-6, f"{name}: max |diff| {diff} > 1e-6"
                details.append(f"{name} max|diff|={diff:.1e}")
        return ", ".join(details)


def datatype_of(array):
    return "BYTES" if array.dtype == object else "FP32"


def one_row_short(rows):
    """The rows with the first input one row shorter than the others, and that input's name."""
    bad = dict(rows)
    first = next(iter(bad))
    bad[first] = bad[first][:-1]
    return bad, first


# ---- Triton ---------------------------------------------------------------------------------------------


def triton_cases(url, model, rows, expected):
    import tritonclient.http as httpclient
    from tritonclient.utils import InferenceServerException

    client = httpclient.InferenceServerClient(url=url.removeprefix("http://"), concurrency=1)

    def infer(binary, request_compression=None, response_compression=None, data=rows):
        inputs = []
        for name, array in data.items():
            t = httpclient.InferInput(name, list(array.shape), datatype_of(array))
            t.set_data_from_numpy(array, binary_data=binary)
            inputs.append(t)
        outputs = [httpclient.InferRequestedOutput(n, binary_data=binary) for n in ("label", "probabilities")]
        result = client.infer(
            model,
            inputs,
            outputs=outputs,
            request_compression_algorithm=request_compression,
            response_compression_algorithm=response_compression,
        )
        response = result.get_response()
        got = {o["name"]: result.as_numpy(o["name"]) for o in response["outputs"]}
        return expected.check(response["model_version"], got)

    def health():
        assert client.is_server_live(), "is_server_live() is False"
        assert client.is_server_ready(), "is_server_ready() is False"
        assert client.is_model_ready(model), "is_model_ready() is False"
        meta = client.get_model_metadata(model)
        want = set(rows)
        got = {i["name"] for i in meta["inputs"]}
        assert got == want, f"metadata inputs {sorted(got)} != {sorted(want)}"
        server = client.get_server_metadata()
        assert "binary_tensor_data" in server["extensions"], server
        return f"model versions {meta['versions']}"

    def repository():
        index = client.get_model_repository_index()
        entry = next((e for e in index if e["name"] == model), None)
        assert entry is not None and entry["state"] == "READY", f"index {index}"
        client.load_model(model)
        assert client.is_model_ready(model), "not ready after load_model()"
        return f"index {index}"

    def client_error():
        bad, first = one_row_short(rows)
        try:
            infer(False, data=bad, request_compression="gzip")
        except InferenceServerException as e:
            message = str(e)
            assert first in message or "rows" in message, f"error does not name the input: {message}"
            return f"{message} / then: " + infer(True)
        raise AssertionError("a request with mismatched rows was accepted")

    return [
        ("triton: health, metadata", health),
        ("triton: JSON tensors", lambda: infer(False)),
        ("triton: binary tensors", lambda: infer(True)),
        ("triton: JSON, gzip request and response", lambda: infer(False, "gzip", "gzip")),
        ("triton: binary, deflate request and response", lambda: infer(True, "deflate", "deflate")),
        ("triton: binary, gzip request only", lambda: infer(True, "gzip", None)),
        ("triton: JSON, deflate response only", lambda: infer(False, None, "deflate")),
        ("triton: repository index and load", repository),
        ("triton: client error is a message, service keeps serving", client_error),
    ]


# ---- Triton over gRPC -----------------------------------------------------------------------------------


def triton_grpc_cases(address, model, rows, expected):
    import tritonclient.grpc as grpcclient
    from tritonclient.utils import InferenceServerException

    client = grpcclient.InferenceServerClient(url=address)

    def infer(compression=None, data=rows):
        inputs = []
        for name, array in data.items():
            t = grpcclient.InferInput(name, list(array.shape), datatype_of(array))
            t.set_data_from_numpy(array)
            inputs.append(t)
        outputs = [grpcclient.InferRequestedOutput(n) for n in ("label", "probabilities")]
        result = client.infer(model, inputs, outputs=outputs, request_id="grpc-interop", compression_algorithm=compression)
        response = result.get_response(as_json=True)
        assert response["id"] == "grpc-interop", response["id"]
        got = {n: result.as_numpy(n) for n in ("label", "probabilities")}
        return expected.check(response["model_version"], got)

    def health():
        assert client.is_server_live() and client.is_server_ready() and client.is_model_ready(model)
        meta = client.get_model_metadata(model, as_json=True)
        got = {i["name"] for i in meta["inputs"]}
        assert got == set(rows), f"metadata inputs {sorted(got)}"
        return f"versions {meta['versions']}"

    def client_error():
        bad, _ = one_row_short(rows)
        try:
            infer(data=bad)
        except InferenceServerException as e:
            assert e.status() == "StatusCode.INVALID_ARGUMENT", f"{e.status()}: {e.message()}"
            assert "rows" in e.message(), e.message()
            return f"{e.message()} / then: " + infer()
        raise AssertionError("a request with mismatched rows was accepted")

    return [
        ("triton grpc: health, metadata", health),
        ("triton grpc: infer (raw tensors)", infer),
        ("triton grpc: infer, gzip message compression", lambda: infer("gzip")),
        ("triton grpc: client error is INVALID_ARGUMENT, service keeps serving", client_error),
    ]


# ---- KServe ---------------------------------------------------------------------------------------------


def kserve_cases(url, model, rows, expected):
    import httpx
    from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
    from kserve.protocol.infer_type import RequestedOutput

    def run(coro):
        return asyncio.run(coro)

    def served_version():
        versions = httpx.get(f"{url}/v2/models/{model}", timeout=10).json()["versions"]
        assert len(versions) == 1, f"several versions served: {versions}"
        return versions[0]

    async def infer(binary, headers=None, want_encoding=None, data=rows):
        client = InferenceRESTClient(RESTConfig(protocol="v2", timeout=30))
        try:
            inputs = []
            for name, array in data.items():
                t = InferInput(name, list(array.shape), datatype_of(array))
                t.set_data_from_numpy(array, binary_data=binary)
                inputs.append(t)
            outputs = [RequestedOutput(n, parameters={"binary_data": binary}) for n in ("label", "probabilities")]
            request = InferRequest(model, inputs, request_id="kserve-interop", request_outputs=outputs)
            response_headers = {}
            response = await client.infer(url, request, model_name=model, headers=headers, response_headers=response_headers)
            encoding = {k.lower(): v for k, v in response_headers.items()}.get("content-encoding")
            assert encoding == want_encoding, f"response Content-Encoding {encoding!r}, expected {want_encoding!r}"
            got = {o.name: o.as_numpy() for o in response.outputs}
            # KServe's InferResponse.from_bytes drops model_version: ask the metadata which version serves.
            version = response.model_version or served_version()
            return f"{expected.check(version, got)}, content-encoding {encoding}"
        finally:
            await client._client.aclose()

    async def client_error():
        bad = {k: v for k, v in rows.items()}
        dropped = next(iter(bad))
        del bad[dropped]
        try:
            await infer(False, data=bad)
        except httpx.HTTPStatusError as e:
            assert e.response.status_code == 400, f"status {e.response.status_code}"
            assert dropped in str(e), f"error does not name the missing input: {e}"
            return f"{e} / then: " + await infer(True, want_encoding="gzip")
        raise AssertionError("a request without an input was accepted")

    # httpx sends Accept-Encoding: gzip, deflate (and br/zstd when installed) by default: the service answers gzip.
    return [
        ("kserve: JSON tensors, gzip response (httpx default)", lambda: run(infer(False, want_encoding="gzip"))),
        ("kserve: binary tensors, gzip response", lambda: run(infer(True, want_encoding="gzip"))),
        (
            "kserve: JSON tensors, no compression",
            lambda: run(infer(False, headers={"accept-encoding": "identity"}, want_encoding=None)),
        ),
        (
            "kserve: binary tensors, deflate response",
            lambda: run(infer(True, headers={"accept-encoding": "deflate"}, want_encoding="deflate")),
        ),
        ("kserve: client error is 400 with a message, service keeps serving", lambda: run(client_error())),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--grpc", help="host:port of the service's gRPC endpoint (GRPC_PORT)")
    parser.add_argument("--only", choices=["triton", "kserve"])
    args = parser.parse_args()
    rows = make_rows(args.repository, args.model)
    expected = Expected(args.repository, args.model, rows)
    cases = []
    if args.only in (None, "triton"):
        cases += triton_cases(args.url, args.model, rows, expected)
    if args.only in (None, "triton") and args.grpc:
        cases += triton_grpc_cases(args.grpc, args.model, rows, expected)
    if args.only in (None, "kserve"):
        cases += kserve_cases(args.url, args.model, rows, expected)
    return report(cases)


if __name__ == "__main__":
    sys.exit(main())
