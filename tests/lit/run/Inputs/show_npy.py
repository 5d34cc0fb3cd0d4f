"""show_npy.py PATH: prints '<descr> (shape)' and the values, one line each."""
import ast, struct, sys
with open(sys.argv[1], "rb") as f:
    assert f.read(6) == b"\x93NUMPY"
    major = f.read(2)[0]
    n = struct.unpack("<H" if major == 1 else "<I", f.read(2 if major == 1 else 4))[0]
    hdr = ast.literal_eval(f.read(n).decode())
    data = f.read()
code = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}[hdr["descr"]]
count = len(data) // struct.calcsize(code)
print(hdr["descr"], tuple(hdr["shape"]))
print(" ".join(repr(v) for v in struct.unpack("<%d%s" % (count, code), data)))
