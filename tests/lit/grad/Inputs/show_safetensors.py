"""show_safetensors.py PATH: prints 'NAME DTYPE SHAPE' per tensor, in file order."""
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
for name, info in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                         key=lambda kv: kv[1]["data_offsets"][0]):
    print(name, info["dtype"], info["shape"])
