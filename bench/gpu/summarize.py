#!/usr/bin/env python3
"""The comparisons of a GPU check (scripts/gpu_check.sh) in a few lines, from OUT_DIR's JSON lines:
cuBLASLt against plain cuBLAS for each GEMM of dlc_gpu_bench (the goal for bf16: at least 0.95 of cuBLAS),
and each model row of bench/gpu/dlc_bench.sh's part `models` beside PyTorch's rows for the same work
(bench/gpu/torch_bench.py --only models). usage: summarize.py OUT_DIR"""
import json, os, sys
from collections import defaultdict

GEMM_GOAL = 0.95  # cuBLASLt's share of cuBLAS's throughput, bf16


def rows(path):
    """The JSON objects of a .jsonl file; comment lines ('#') and anything else skipped."""
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path, errors="replace"):
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def gemm_lines(gpu_bench):
    by = defaultdict(dict)  # (dtype, shape) -> impl -> TFLOPs
    for r in gpu_bench:
        if r.get("bench") == "gemm" and "TFLOPs" in r:
            by[(r["dtype"], r["shape"])][r["impl"]] = r["TFLOPs"]
    yield "== GEMM TFLOPs: cuBLASLt / cuBLAS (goal for bf16: >= %.2f)" % GEMM_GOAL
    if not by:
        yield "  (no gemm rows in gpu_bench.jsonl)"
    for (dtype, shape), impls in sorted(by.items()):
        lt = impls.get("cublasLt")
        ref = impls.get("cublasSgemm", impls.get("cublasGemmEx"))
        if lt is None or not ref:
            continue
        ratio = lt / ref
        verdict = ("ok" if ratio >= GEMM_GOAL else "BELOW GOAL") if dtype == "bf16" else ""
        yield f"  {dtype:5} {shape:16} cublasLt {lt:8.2f}  cublas {ref:8.2f}  ratio {ratio:5.3f} {verdict}"


def rate(r):
    """A row's throughput and its unit, or its error."""
    for key, unit in (("samples_per_s", "samples/s"), ("images_per_s", "images/s")):
        if r.get(key) is not None:
            return f"{r[key]:.0f} {unit}"
    return r.get("error") or r.get("skipped") or "no rate (rc %s)" % r.get("rc")


def model_lines(dlc_bench, torch_bench):
    table = defaultdict(dict)  # (bench, precision) -> implementation -> text
    for r in dlc_bench:
        if "precision" in r and "bench" in r:
            table[(r["bench"], r["precision"])]["dlc"] = rate(r)
    for r in torch_bench:
        if "precision" in r and "bench" in r:
            table[(r["bench"], r["precision"])][r.get("impl", "torch")] = rate(r)
    yield "== models: dlc beside PyTorch (same batch, same card)"
    if not table:
        yield "  (no model rows)"
    for (bench, prec), impls in sorted(table.items()):
        cells = "; ".join(f"{impl} {text}" for impl, text in sorted(impls.items(), key=lambda kv: kv[0] != "dlc"))
        yield f"  {bench} {prec}: {cells}"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    for line in gemm_lines(rows(os.path.join(out, "gpu_bench.jsonl"))):
        print(line)
    for line in model_lines(rows(os.path.join(out, "dlc_bench.jsonl")), rows(os.path.join(out, "torch_bench.jsonl"))):
        print(line)


if __name__ == "__main__":
    main()
