"""make_idx.py DIR N_TRAIN N_TEST [MAX_LABEL]: writes MNIST-style IDX files of
2x2 images (train-*, and t10k-* when N_TEST > 0), gzip-compressed, with
labels i % (MAX_LABEL + 1) (default 2)."""
import gzip, os, struct, sys
folder, n_train, n_test = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
top = int(sys.argv[4]) if len(sys.argv) > 4 else 2
os.makedirs(folder, exist_ok=True)
def idx(path, dims, data):
    with gzip.open(path, "wb") as f:
        f.write(bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(data))
for prefix, n in (("train", n_train), ("t10k", n_test)):
    if n == 0:
        continue
    labels = [i % (top + 1) for i in range(n)]
    pixels = [v for l in labels for v in ((l * 80) % 256, 30, 255 - l * 60 % 256, 7)]
    idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), [n, 2, 2], pixels)
    idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), [n], labels)
