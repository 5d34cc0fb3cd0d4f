"""make_safetensors.py PATH NAME:DTYPE:SHAPE ...: writes a safetensors file
whose tensors hold 0.0, 0.1, 0.2, ... (DTYPE F32 or F64; SHAPE like 4x3)."""
import json, struct, sys
path, specs = sys.argv[1], sys.argv[2:]
header, blobs, offset = {}, [], 0
for spec in specs:
    name, dtype, shape = spec.split(":")
    dims = [int(d) for d in shape.split("x")] if shape else []
    n = 1
    for d in dims: n *= d
    code, size = {"F32": ("f", 4), "F64": ("d", 8)}[dtype]
    blob = struct.pack("<%d%s" % (n, code), *[i / 10 for i in range(n)])
    header[name] = {"dtype": dtype, "shape": dims, "data_offsets": [offset, offset + len(blob)]}
    blobs.append(blob)
    offset += len(blob)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
with open(path, "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
