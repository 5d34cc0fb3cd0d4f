#!/usr/bin/env python3
"""The peer of artifact_bench for deployment: ONNX Runtime (CPU EP) loading
the seed CNN from an .onnx file and answering its first batch-1 query.

The graph is the seed CNN (conv 32/64/64 3x3 relu, maxpool 2, dense 64 relu,
dense 10 softmax, NHWC input transposed to NCHW first) written with
onnx.helper, with Glorot-uniform weights; no torch needed. Prints one JSON
line: session creation, the first run, their sum, and the steady batch-1
latency (median of --runs), in the same process, with intra-op threads as
given (ORT's default is every core).

usage: ort_first_inference.py [--threads N] [--runs N] [--onnx PATH]
needs: onnxruntime, onnx, numpy (bench/cpu/artifact_bench.sh makes a venv)
"""
import argparse, json, os, tempfile, time

t_import = time.perf_counter()
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
import_s = time.perf_counter() - t_import


def glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=shape).astype(np.float32)


def build(path):
    rng = np.random.default_rng(0)
    inits, nodes = [], []
    def init(name, array):
        inits.append(numpy_helper.from_array(array, name))
    nodes.append(helper.make_node("Transpose", ["x"], ["x_nchw"], perm=[0, 3, 1, 2]))
    prev, channels = "x_nchw", 1
    for i, out in enumerate([32, 64, 64]):
        init(f"w{i}", glorot(rng, (out, channels, 3, 3), channels * 9, out * 9))
        init(f"b{i}", np.zeros(out, np.float32))
        nodes.append(helper.make_node("Conv", [prev, f"w{i}", f"b{i}"], [f"c{i}"], kernel_shape=[3, 3]))
        nodes.append(helper.make_node("Relu", [f"c{i}"], [f"r{i}"]))
        prev = f"r{i}"
        if i < 2:
            nodes.append(helper.make_node("MaxPool", [prev], [f"p{i}"], kernel_shape=[2, 2], strides=[2, 2]))
            prev = f"p{i}"
        channels = out
    # Keras flattens NHWC: transpose back before the flatten so dense weights match that order.
    nodes.append(helper.make_node("Transpose", [prev], ["r_nhwc"], perm=[0, 2, 3, 1]))
    nodes.append(helper.make_node("Flatten", ["r_nhwc"], ["flat"], axis=1))
    init("wd0", glorot(rng, (576, 64), 576, 64)); init("bd0", np.zeros(64, np.float32))
    init("wd1", glorot(rng, (64, 10), 64, 10)); init("bd1", np.zeros(10, np.float32))
    nodes.append(helper.make_node("Gemm", ["flat", "wd0", "bd0"], ["d0"]))
    nodes.append(helper.make_node("Relu", ["d0"], ["h"]))
    nodes.append(helper.make_node("Gemm", ["h", "wd1", "bd1"], ["d1"]))
    nodes.append(helper.make_node("Softmax", ["d1"], ["probs"], axis=1))
    graph = helper.make_graph(nodes, "mnist_cnn",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 28, 28, 1])],
                              [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.checker.check_model(model)
    onnx.save(model, path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--onnx", default="")
    args = ap.parse_args()
    path = args.onnx or os.path.join(tempfile.mkdtemp(prefix="ort_first_"), "cnn_b1.onnx")
    if not os.path.exists(path):
        build(path)
    x = (np.arange(784, dtype=np.float32) % 13 / 13.0).reshape(1, 28, 28, 1)
    t0 = time.perf_counter()
    opts = ort.SessionOptions()
    if args.threads:
        opts.intra_op_num_threads = args.threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    t1 = time.perf_counter()
    out = sess.run(None, {"x": x})[0]
    t2 = time.perf_counter()
    assert abs(float(out.sum()) - 1.0) < 1e-4
    lat = []
    for _ in range(args.runs):
        s = time.perf_counter()
        sess.run(None, {"x": x})
        lat.append((time.perf_counter() - s) * 1e6)
    lat.sort()
    print(json.dumps({"bench": "ort_first_inference", "onnxruntime": ort.__version__, "threads": args.threads or "default",
                      "import_ms": round(import_s * 1e3, 1), "session_ms": round((t1 - t0) * 1e3, 3),
                      "first_run_ms": round((t2 - t1) * 1e3, 3), "load_and_first_inference_ms": round((t2 - t0) * 1e3, 3),
                      "b1_latency_us": round(lat[len(lat) // 2], 1), "onnx": path}))


if __name__ == "__main__":
    main()
