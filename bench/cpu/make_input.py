#!/usr/bin/env python3
"""make_input.py PATH SHAPE: an f32 .npy of the given shape (values i % 13 / 13), without numpy."""
import struct, sys
path, shape = sys.argv[1], [int(d) for d in sys.argv[2].split(",")]
n = 1
for d in shape:
    n *= d
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in shape)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%df" % n, *[(i % 13) / 13.0 for i in range(n)]))
