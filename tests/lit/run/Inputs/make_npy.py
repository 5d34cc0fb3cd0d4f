"""make_npy.py PATH DTYPE SHAPE [FILL]: writes a little-endian C-order .npy
whose elements are 0, 1, 2, ... (or all FILL), without numpy."""
import struct, sys
path, descr, shape = sys.argv[1], sys.argv[2], [int(d) for d in sys.argv[3].split(",")]
fill = int(sys.argv[4]) if len(sys.argv) > 4 else None
n = 1
for d in shape: n *= d
code = {"f4": "f", "f8": "d", "i4": "i", "i8": "q"}[descr]
header = "{'descr': '<%s', 'fortran_order': False, 'shape': (%s), }" % (descr, "".join(f"{d}, " for d in shape))
header += " " * (63 - (10 + len(header)) % 64) + "\n"
values = [fill if fill is not None else i for i in range(n)]
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%d%s" % (n, code), *values))
