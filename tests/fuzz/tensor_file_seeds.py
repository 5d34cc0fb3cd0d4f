#!/usr/bin/env python3
"""Writes the seed corpus of tensor_file_fuzzer (corpus/tensor_file/): small
valid safetensors, .npy and IDX files of each dtype and rank dlc reads.

Run with a Python that has numpy (Debian: /usr/bin/python3 with
python3-numpy). The files are committed; rerun only to change them."""
import json
import os
import struct

import numpy as np

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "tensor_file")
os.makedirs(out, exist_ok=True)


def write(name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


# safetensors: an 8-byte little-endian header length, a compact JSON header
# padded with spaces to a multiple of 8 (as the safetensors library writes),
# then the tensors' bytes in order.
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    if metadata:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


f32 = np.array([0.5, -1.0, 2.0, 3.5, 0.0, 1e-3], dtype="<f4").tobytes()
write("fc.safetensors", safetensors({"fc.kernel": ("F32", [2, 3], f32), "fc.bias": ("F32", [3], f32[:12])},
                                    {"format": "pt", "step": "3"}))
write("dtypes.safetensors", safetensors({
    "a": ("F64", [2], np.array([1.5, -2.0], dtype="<f8").tobytes()),
    "b": ("F16", [2], np.array([1.0, 65504.0], dtype="<f2").tobytes()),
    "c": ("BF16", [1], b"\x80\x3f"),
    "d": ("I32", [1, 1], np.array([[-7]], dtype="<i4").tobytes()),
    "e": ("I64", [], np.array(2**40, dtype="<i8").tobytes()),
    "f": ("BOOL", [3], b"\x01\x00\x01"),
}))
write("empty.safetensors", safetensors({"z": ("F32", [0, 4], b"")}))


def npy(name, array, version=None):
    with open(os.path.join(out, name), "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)


npy("f4_2x3.npy", np.arange(6, dtype="<f4").reshape(2, 3))
npy("f8_scalar.npy", np.array(3.25, dtype="<f8"))
npy("f2_2.npy", np.array([1.0, -0.0], dtype="<f2"))
npy("i4_3.npy", np.array([-1, 0, 1], dtype="<i4"))
npy("i8_2x1x1.npy", np.array([[[5]], [[-6]]], dtype="<i8"))
npy("b1_2.npy", np.array([True, False]))
npy("f4_v2.npy", np.array([1.5], dtype="<f4"), version=(2, 0))


# IDX: 0, 0, dtype 0x08 (unsigned byte), rank; big-endian uint32 dims; data.
def idx(name, dims, data):
    write(name, bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data))


idx("labels.idx", [5], [1, 2, 3, 4, 9])
idx("images.idx", [2, 2, 3], range(12))
idx("empty.idx", [0, 28, 28], [])
