"""corrupt.py IN OUT flip|truncate|version: a damaged copy of an artifact.
flip changes one byte of a section (the content hash no longer matches),
truncate keeps the first half, version sets the format version to 7."""
import struct, sys
src, dst, how = sys.argv[1], sys.argv[2], sys.argv[3]
data = bytearray(open(src, "rb").read())
if how == "flip":
    data[-10] ^= 0xFF
elif how == "truncate":
    data = data[: len(data) // 2]
elif how == "version":
    data[8:12] = struct.pack("<I", 7)
open(dst, "wb").write(bytes(data))
