"""random_npy.py PATH SHAPE [SEED]: writes a little-endian C-order f4 .npy of
uniform values in [0, 1), without numpy."""
import random, struct, sys
path, shape = sys.argv[1], [int(d) for d in sys.argv[2].split(",")]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 0)
n = 1
for d in shape: n *= d
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in shape)
header += " " * (63 - (10 + len(header)) % 64) + "\n"
with open(path, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
    f.write(struct.pack("<%df" % n, *(rng.random() for _ in range(n))))
