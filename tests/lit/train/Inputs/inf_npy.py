"""inf_npy.py PATH ROWS,COLS: writes an f32 .npy whose elements are all +inf,
which makes any model's loss NaN."""
import struct, sys
path, (rows, cols) = sys.argv[1], [int(d) for d in sys.argv[2].split(",")]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }" % (rows, cols)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%df" % (rows * cols), *([float("inf")] * (rows * cols))))
