"""close_safetensors.py A B [RTOL ATOL]: exit 0 when the two files hold the
same f32 tensors (names, shapes) that agree elementwise within atol + rtol *
max |a| of each tensor; prints one line per tensor."""
import json, struct, sys


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        out[name] = (info["shape"], struct.unpack("<%df" % ((end - begin) // 4), data[begin:end]))
    return out


a, b = load(sys.argv[1]), load(sys.argv[2])
rtol = float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4
atol = float(sys.argv[4]) if len(sys.argv) > 4 else 1e-6
if sorted(a) != sorted(b):
    sys.exit("different tensors: %s vs %s" % (sorted(a), sorted(b)))
failed = False
for name in sorted(a):
    (sa, va), (sb, vb) = a[name], b[name]
    if sa != sb:
        sys.exit("%s: shape %s vs %s" % (name, sa, sb))
    scale = max(abs(x) for x in va) if va else 0.0
    worst = max((abs(x - y) for x, y in zip(va, vb)), default=0.0)
    ok = worst <= atol + rtol * scale
    failed = failed or not ok
    print("%s %s: %s" % (name, sa, "close" if ok else "differs by %g (scale %g)" % (worst, scale)))
sys.exit(1 if failed else 0)
