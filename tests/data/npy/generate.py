#!/usr/bin/env python3
"""Writes the .npy fixtures read by tests/unit/runtime/tensor_file_test.cc.

Run from this folder with a Python that has numpy (Debian: /usr/bin/python3
with python3-numpy). The files are committed; rerun only to add one."""
import numpy as np

def save(name, array, version=None):
    with open(name, "wb") as f:
        np.lib.format.write_array(f, array, version=version, allow_pickle=False)

save("f4_2x3.npy", (np.arange(6, dtype="<f4").reshape(2, 3) * 0.5 - 1))
save("f8_scalar.npy", np.array(3.25, dtype="<f8"))
save("f2_4.npy", np.array([1.0, 65504.0, 2.0**-24, -0.0], dtype="<f2"))
save("i4_3.npy", np.array([-2**31, 0, 2**31 - 1], dtype="<i4"))
save("i8_2x2.npy", np.array([[-1, 2**40], [3, -2**62]], dtype="<i8"))
save("b1_5.npy", np.array([True, False, True, True, False]))
save("f4_0x3.npy", np.zeros((0, 3), dtype="<f4"))
save("f4_v2.npy", np.array([1.5, -2.5], dtype="<f4"), version=(2, 0))
save("f4_v3.npy", np.array([1.5, -2.5], dtype="<f4"), version=(3, 0))
# Rejected by dlc, each with its own message.
save("f4_fortran.npy", np.asfortranarray(np.arange(6, dtype="<f4").reshape(2, 3)))
save("f4_big_endian.npy", np.array([1.0, 2.0], dtype=">f4"))
save("u1_3.npy", np.array([1, 2, 3], dtype="u1"))
