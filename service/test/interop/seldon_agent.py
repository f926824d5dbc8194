"""Plays Seldon Core 2's agent against a running service started with MODEL_CONTROL=explicit and GRPC_PORT.

The agent (v2.10, SELDON_SERVER_TYPE=triton) drives the server over the Open Inference Protocol's gRPC
control plane only: ServerLive, RepositoryIndex, RepositoryModelLoad / RepositoryModelUnload with the
versioned name `<model>_<n>`, after copying the Model's artifact folder to `<repository>/<model>_<n>/<n>/`
(plus the handler's config.pbtxt); inference then goes over REST to `/v2/models/<model>_<n>/infer`. Triton's
own gRPC client (`tritonclient.grpc`, the same protocol messages) makes the calls; REST inference uses
`tritonclient.http`, compared with ONNX Runtime on the copied model file.

Usage: python seldon_agent.py --grpc HOST:PORT --http http://HOST:PORT --repository DIR --models DIR
Prints one JSON object per case on stdout: {"case", "ok", "detail"}.
"""

import argparse
import json
import os
import shutil
import sys

import numpy as np
import onnxruntime as ort
from interop_report import report
import tritonclient.grpc as grpcclient
import tritonclient.http as httpclient
from tritonclient.utils import InferenceServerException


def agent_writes(repository, models, model, n, artifact_version):
    """What the agent's triton repository handler leaves for Model `model` generation `n`."""
    name = f"{model}_{n}"
    src = os.path.join(models, model, artifact_version)
    dst = os.path.join(repository, name)
    shutil.copytree(src, os.path.join(dst, str(n)))
    with open(os.path.join(dst, "config.pbtxt"), "w") as f:
        f.write(f'name: "{name}"\n')
    return name


def rest_infer_matches_ort(http_url, repository, name, n):
    rows = json.load(open(os.path.join(repository, name, str(n), "example.json")))["inputs"]
    arrays = {
        k: (np.asarray(v, dtype=object) if isinstance(v[0], str) else np.asarray(v, dtype=np.float32)).reshape(-1, 1)
        for k, v in rows.items()
    }
    client = httpclient.InferenceServerClient(url=http_url.removeprefix("http://"))
    inputs = []
    for k, a in arrays.items():
        t = httpclient.InferInput(k, list(a.shape), "BYTES" if a.dtype == object else "FP32")
        t.set_data_from_numpy(a, binary_data=True)
        inputs.append(t)
    result = client.infer(name, inputs)
    response = result.get_response()
    assert response["model_name"] == name and response["model_version"] == str(n), response
    session = ort.InferenceSession(os.path.join(repository, name, str(n), "model.onnx"))
    want = dict(zip([o.name for o in session.get_outputs()], session.run(None, arrays)))
    assert np.array_equal(result.as_numpy("label"), want["label"]), "labels differ from ONNX Runtime"
    diff = float(np.max(np.abs(result.as_numpy("probabilities") - want["probabilities"])))
    assert diff <= 1e-6, f"probabilities differ from ONNX Runtime by {diff}"
    return f"model_version {response['model_version']}, max|diff| {diff:.1e}"


def expect_status(fn, code):
    try:
        fn()
    except InferenceServerException as e:
        assert e.status() == f"StatusCode.{code}", f"status {e.status()} ({e.message()}), expected {code}"
        return e.message()
    raise AssertionError(f"expected {code}, the call succeeded")


def cases(args):
    client = grpcclient.InferenceServerClient(url=args.grpc)
    state = {}

    def live():
        assert client.is_server_live(), "ServerLive false"
        assert client.is_server_ready(), "ServerReady false with an empty repository"
        meta = client.get_server_metadata(as_json=True)
        assert "model_repository" in meta["extensions"], meta
        index = client.get_model_repository_index(as_json=True)
        assert index.get("models", []) == [], f"index not empty: {index}"
        return f"server {meta['name']} {meta['version']}"

    def unknown():
        return expect_status(lambda: client.load_model("readmission_1"), "NOT_FOUND")

    def load():
        name = agent_writes(args.repository, args.models, "readmission", 1, "2")
        client.load_model(name)
        assert client.is_model_ready(name), "ModelReady false after RepositoryModelLoad"
        assert client.is_model_ready(name, "1"), "ModelReady false for version 1"
        index = client.get_model_repository_index(as_json=True)["models"]
        assert index == [{"name": name, "version": "1", "state": "READY"}], index
        meta = client.get_model_metadata(name, as_json=True)
        assert meta["versions"] == ["1"] and len(meta["inputs"]) == 12, meta
        assert meta["inputs"][0]["shape"] == ["-1", "1"], meta["inputs"][0]
        state["name"] = name
        return f"index {index}"

    def infer():
        return rest_infer_matches_ort(args.http, args.repository, state["name"], 1)

    def reload_is_noop():
        client.load_model(state["name"])  # the agent reloads after a 404/400 from the proxy
        return rest_infer_matches_ort(args.http, args.repository, state["name"], 1)

    def unload():
        client.unload_model(state["name"])
        assert client.is_server_ready(), "server not ready after unloading its only model"
        assert not client.is_model_ready(state["name"]), "model still ready after unload"
        index = client.get_model_repository_index(as_json=True)["models"]
        assert index == [{"name": state["name"], "state": "UNAVAILABLE", "reason": "unloaded"}], index
        shutil.rmtree(os.path.join(args.repository, state["name"]))
        message = expect_status(lambda: client.unload_model("readmission_7"), "NOT_FOUND")
        return f"then unknown unload: {message}"

    def next_generation():
        name = agent_writes(args.repository, args.models, "readmission", 2, "1")
        client.load_model(name)
        return rest_infer_matches_ort(args.http, args.repository, name, 2)

    def metadata_errors():
        missing = expect_status(lambda: client.get_model_metadata("nope"), "NOT_FOUND")
        not_loaded = expect_status(lambda: client.get_model_metadata(state["name"]), "UNAVAILABLE")
        return f"{missing} / {not_loaded}"

    return [
        ("agent: ServerLive, ServerReady, empty RepositoryIndex", live),
        ("agent: RepositoryModelLoad before the files exist is NOT_FOUND", unknown),
        ("agent: RepositoryModelLoad of <model>_<n> after the agent wrote it", load),
        ("agent proxy: REST inference on the versioned name matches ONNX Runtime", infer),
        ("agent: a repeated RepositoryModelLoad keeps serving", reload_is_noop),
        ("agent: RepositoryModelUnload, server stays ready, files removed", unload),
        ("agent: next generation loads and serves", next_generation),
        ("agent: ModelMetadata errors as gRPC status codes", metadata_errors),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--grpc", required=True)
    parser.add_argument("--http", required=True)
    parser.add_argument("--repository", required=True)
    parser.add_argument("--models", required=True)
    args = parser.parse_args()
    return report(cases(args))


if __name__ == "__main__":
    sys.exit(main())
