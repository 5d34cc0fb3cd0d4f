"""close_npy.py A.npy B.npy [RTOL ATOL]: exit 0 when the two float arrays have
the same dtype and shape and agree elementwise within atol + rtol * |a|."""
import ast, struct, sys


def load(path):
    with open(path, "rb") as f:
        assert f.read(6) == b"\x93NUMPY"
        major = f.read(2)[0]
        n = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
        hdr = ast.literal_eval(f.read(n).decode())
        data = f.read()
    code = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}[hdr["descr"]]
    count = len(data) // struct.calcsize(code)
    return hdr["descr"], tuple(hdr["shape"]), struct.unpack("<%d%s" % (count, code), data)


a, b = load(sys.argv[1]), load(sys.argv[2])
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 2e-4
atol = float(sys.argv[4]) if len(sys.argv) > 4 else 2e-4
if a[:2] != b[:2]:
    sys.exit("different arrays: %s %s vs %s %s" % (a[0], a[1], b[0], b[1]))
bad = [(i, x, y) for i, (x, y) in enumerate(zip(a[2], b[2])) if not abs(x - y) <= atol + rtol * abs(x)]
if bad:
    sys.exit("%d of %d elements differ, first: %r" % (len(bad), len(a[2]), bad[:5]))
print("close: %d elements" % len(a[2]))
