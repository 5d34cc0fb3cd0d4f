# Reads `--emit plan` on stdin; fails unless the arena is smaller than the
# sum of its buffers (the plan reused memory) and parameters are written.
import re
import sys

text = sys.stdin.read()
m = re.search(r"arena (\d+) bytes \((\d+) without reuse\)", text)
if not m:
    sys.exit("no plan header")
arena, unshared = int(m.group(1)), int(m.group(2))
print(f"arena {arena} of {unshared} bytes")
if not arena < unshared:
    sys.exit("the memory plan reused nothing")
if "write @conv2d.kernel" not in text:
    sys.exit("no parameter write")
