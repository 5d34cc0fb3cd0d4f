#!/usr/bin/env python3
"""PyTorch on the same GPU as dlc_gpu_bench, for comparison: eager and torch.compile.

Bandwidth of the same memory-bound work as dlc_gpu_bench (the elementwise chain over 256 MiB of f32,
row softmax and layernorm over [65536, 1024] f32; bytes = input read + output written once), and
training throughput (samples/s, Adam, random data of Fashion-MNIST's shape, resident on the GPU) of the
seed CNN (examples/mnist_cnn.dl; the model of ../shared/anchors/torch_cnn.py) at batch 64 and 512.
`models`: the tutorial's models as bench/gpu/dlc_bench.sh's part `models` measures dlc, in fp32 and bf16
(torch.autocast(dtype=torch.bfloat16); convolution models in channels_last in every row), each in eager,
torch.compile (default) and torch.compile(mode="reduce-overhead"): the MNIST CNN's training at batch 512,
VGG16's base inference and the transfer model's training step (frozen base) at batch 64, text_lstm's
training at batch 32 (the models of ../shared/anchors/peers/torch_seed_models.py).
One JSON object per line. usage: torch_bench.py [--budget SECONDS] [--only chain,softmax,layernorm,cnn,models]
Steps that would start after the budget is spent print a "skipped" line instead (torch.compile's first
call compiles, which takes tens of seconds)."""
import argparse, contextlib, json, statistics, sys, time

t_start = time.perf_counter()

def emit(**kw):
    print(json.dumps(kw), flush=True)

try:
    import torch, torch.nn as nn, torch.nn.functional as F
except Exception as e:  # noqa: BLE001 - report any import failure as a line
    emit(bench="device", impl="torch", error=f"import torch failed: {e}")
    sys.exit(1)

ap = argparse.ArgumentParser()
ap.add_argument("--budget", type=float, default=100.0, help="seconds; later steps are skipped")
ap.add_argument("--only", default="", help="comma-separated subset of chain,softmax,layernorm,cnn,models")
args = ap.parse_args()
only = set(filter(None, args.only.split(",")))

if not torch.cuda.is_available():
    emit(bench="device", impl="torch", error="torch.cuda.is_available() is False")
    sys.exit(1)
dev = torch.device("cuda")
def setting(read):  # TF32 flags: PyTorch's defaults, reported, not changed (the flags' API is changing)
    try:
        return read()
    except Exception:  # noqa: BLE001
        return None
emit(bench="device", impl="torch", torch=torch.__version__, cuda=torch.version.cuda,
     name=torch.cuda.get_device_name(0), matmul_tf32=setting(lambda: torch.backends.cuda.matmul.allow_tf32),
     cudnn_tf32=setting(lambda: torch.backends.cudnn.allow_tf32))

def over_budget():
    return time.perf_counter() - t_start > args.budget

def time_cuda(fn, warmup=3, iters=20):
    """Median and min milliseconds per call, CUDA events around each call."""
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    ev = [torch.cuda.Event(enable_timing=True) for _ in range(iters + 1)]
    ev[0].record()
    for i in range(iters):
        fn()
        ev[i + 1].record()
    torch.cuda.synchronize()
    ms = [ev[i].elapsed_time(ev[i + 1]) for i in range(iters)]
    return statistics.median(ms), min(ms)

def chain(x):  # dlc_gpu_bench's chain_f32x4
    t = x * 1.7 + 0.3
    return F.silu(t) + 0.5 * x

ROWS, COLS = 65536, 1024
N = 64 << 20  # 256 MiB of f32

def bandwidth_cases():
    x = torch.rand(N, device=dev) * 2 - 1
    r = torch.rand(ROWS, COLS, device=dev) * 2 - 1
    g = torch.rand(COLS, device=dev)
    b = torch.rand(COLS, device=dev)
    yield "chain", chain, (x,), 2.0 * N * 4
    yield "softmax", lambda t: torch.softmax(t, dim=-1), (r,), 2.0 * ROWS * COLS * 4
    yield "layernorm", lambda t: F.layer_norm(t, (COLS,), g, b, 1e-5), (r,), 2.0 * ROWS * COLS * 4

for name, fn, fargs, nbytes in bandwidth_cases():
    if only and name not in only:
        continue
    for impl in ("eager", "compile"):
        if over_budget():
            emit(bench=name, impl=f"torch_{impl}", skipped="time budget spent")
            continue
        try:
            f = fn if impl == "eager" else torch.compile(fn)
            t0 = time.perf_counter()
            f(*fargs)
            torch.cuda.synchronize()
            first_s = time.perf_counter() - t0
            med, mn = time_cuda(lambda: f(*fargs))
            emit(bench=name, impl=f"torch_{impl}", bytes=nbytes, ms=med, min_ms=mn, GBps=nbytes / (med * 1e6),
                 first_call_s=round(first_s, 3))
        except Exception as e:  # noqa: BLE001
            emit(bench=name, impl=f"torch_{impl}", error=f"{type(e).__name__}: {e}"[:500])

def cnn():
    # examples/mnist_cnn.dl, as ../shared/anchors/torch_cnn.py writes it: the .dl model's final softmax with
    # categorical cross-entropy is CrossEntropyLoss on the logits.
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(576, 64),
                         nn.ReLU(), nn.Linear(64, 10))

def timed_steps(step, warmup, steps):
    """Runs step(i) `warmup` times, then `steps` timed times. Returns (seconds for
    the timed steps, seconds for the warm-up, the last step's result)."""
    t0 = time.perf_counter()
    for i in range(warmup):
        step(i)
    torch.cuda.synchronize()
    warm_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(steps):
        result = step(i)
    torch.cuda.synchronize()
    return time.perf_counter() - t0, warm_s, result

def train_throughput(batch, compiled, steps=50, warmup=5):
    torch.manual_seed(0)
    m = cnn().to(dev)
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    lossf = nn.CrossEntropyLoss()
    f = torch.compile(m) if compiled else m
    pool = 8  # distinct batches, resident on the GPU: this measures the step, not the data loader
    xs = torch.rand(pool, batch, 1, 28, 28, device=dev)
    ys = torch.randint(0, 10, (pool, batch), device=dev)

    def step(i):
        opt.zero_grad(set_to_none=True)
        loss = lossf(f(xs[i % pool]), ys[i % pool])
        loss.backward()
        opt.step()
        return loss

    dt, warm_s, loss = timed_steps(step, warmup, steps)
    return batch * steps / dt, dt / steps * 1e3, warm_s, float(loss)

if not only or "cnn" in only:
    for compiled in (False, True):
        for batch in (64, 512):
            impl = "torch_compile" if compiled else "torch_eager"
            if over_budget():
                emit(bench="cnn_train", impl=impl, batch=batch, skipped="time budget spent")
                continue
            try:
                sps, ms, warm_s, loss = train_throughput(batch, compiled)
                emit(bench="cnn_train", impl=impl, batch=batch, optimizer="adam", samples_per_s=round(sps),
                     ms_per_step=ms, warmup_s=round(warm_s, 3), loss=loss)
            except Exception as e:  # noqa: BLE001
                emit(bench="cnn_train", impl=impl, batch=batch, error=f"{type(e).__name__}: {e}"[:500])

# The tutorial's models (see the docstring). Rows in order of what matters most when the budget runs out:
# every eager row, then torch.compile's default mode, then reduce-overhead (CUDA graphs).
VGG_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]

def vgg16_base():
    layers, c = [], 3
    for v in VGG_CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
            c = v
    return nn.Sequential(*layers)

class TextLSTM(nn.Module):  # examples/text_lstm.dl
    def __init__(self):
        super().__init__()
        self.e, self.l, self.d = nn.Embedding(1000, 128), nn.LSTM(128, 128, batch_first=True), nn.Linear(128, 1000)

    def forward(self, x):
        y, _ = self.l(self.e(x))
        return self.d(y[:, -1])

def precision_ctx(prec):
    return torch.autocast("cuda", dtype=torch.bfloat16) if prec == "bf16" else contextlib.nullcontext()

def compiled(module, mode):
    if mode == "eager":
        return module
    return torch.compile(module) if mode == "compile" else torch.compile(module, mode="reduce-overhead")

def mark_step(mode):  # reduce-overhead's CUDA graphs: a new step may overwrite the last one's outputs
    if mode == "compile_reduce_overhead" and hasattr(torch, "compiler"):
        torch.compiler.cudagraph_mark_step_begin()

def train_case(make_model, make_batch, lossf, batch, mode, prec, trainable=None):
    """Returns step(i): one Adam step of the model (or of `trainable(model)`'s parameters, the rest frozen)."""
    torch.manual_seed(0)
    m = make_model().to(dev)
    params = list(trainable(m).parameters()) if trainable else list(m.parameters())
    if trainable:
        for p in m.parameters():
            p.requires_grad_(False)
        for p in params:
            p.requires_grad_(True)
    opt = torch.optim.Adam(params, lr=1e-3, eps=1e-7)
    f = compiled(m, mode)
    pool = [make_batch(batch) for _ in range(2)]  # resident on the GPU: the step, not the data loader

    def step(i):
        mark_step(mode)
        x, y = pool[i % len(pool)]
        opt.zero_grad(set_to_none=True)
        with precision_ctx(prec):
            loss = lossf(f(x), y)
        loss.backward()
        opt.step()
        return loss
    return step

def cnn_batch(b):
    return (torch.rand(b, 1, 28, 28, device=dev).to(memory_format=torch.channels_last),
            torch.randint(0, 10, (b,), device=dev))

def image_batch(b):
    return (torch.rand(b, 3, 224, 224, device=dev).to(memory_format=torch.channels_last),
            torch.randint(0, 10, (b,), device=dev))

def token_batch(b):
    return torch.randint(0, 1000, (b, 20), device=dev), torch.randint(0, 1000, (b,), device=dev)

def transfer_model():
    base = vgg16_base()
    head = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, 256), nn.ReLU(), nn.Linear(256, 10))
    return nn.Sequential(base, head).to(memory_format=torch.channels_last)

MODEL_TRAIN = {  # name: (model, batch maker, batch, steps, trainable part or None)
    "train_mnist_cnn": (lambda: cnn().to(memory_format=torch.channels_last), cnn_batch, 512, 50, None),
    "train_text_lstm": (TextLSTM, token_batch, 32, 50, None),
    "train_transfer": (transfer_model, image_batch, 64, 10, lambda m: m[1]),
}

def run_train(name, mode, prec):
    make_model, make_batch, batch, steps, trainable = MODEL_TRAIN[name]
    step = train_case(make_model, make_batch, nn.CrossEntropyLoss(), batch, mode, prec, trainable)
    dt, warm_s, loss = timed_steps(step, 3, steps)
    emit(bench=f"{name}_b{batch}", impl=f"torch_{mode}", precision=prec, batch=batch, steps=steps,
         samples_per_s=round(batch * steps / dt, 1), ms_per_step=dt / steps * 1e3, warmup_s=round(warm_s, 3),
         loss=float(loss))

def run_vgg_infer(mode, prec, batch=64):
    torch.manual_seed(0)
    m = vgg16_base().to(dev).to(memory_format=torch.channels_last).eval()
    f = compiled(m, mode)
    x, _ = image_batch(batch)

    def call():
        mark_step(mode)
        with torch.inference_mode(), precision_ctx(prec):
            return f(x)
    t0 = time.perf_counter()
    call()
    torch.cuda.synchronize()
    first_s = time.perf_counter() - t0
    med, mn = time_cuda(call, warmup=3, iters=10)
    emit(bench=f"infer_vgg16_base_b{batch}", impl=f"torch_{mode}", precision=prec, batch=batch, ms=med, min_ms=mn,
         images_per_s=round(batch * 1e3 / med, 1), first_call_s=round(first_s, 3))

if not only or "models" in only:
    cases = [("infer_vgg16_base_b64", None)] + [(f"{n}_b{MODEL_TRAIN[n][2]}", n) for n in MODEL_TRAIN]
    for mode in ("eager", "compile", "compile_reduce_overhead"):
        for label, train_name in cases:
            for prec in ("fp32", "bf16"):
                if over_budget():
                    emit(bench=label, impl=f"torch_{mode}", precision=prec, skipped="time budget spent")
                    continue
                try:
                    if train_name:
                        run_train(train_name, mode, prec)
                    else:
                        run_vgg_infer(mode, prec)
                except Exception as e:  # noqa: BLE001
                    emit(bench=label, impl=f"torch_{mode}", precision=prec, error=f"{type(e).__name__}: {e}"[:500])
                finally:
                    torch.cuda.empty_cache()
        if hasattr(torch, "_dynamo"):
            torch._dynamo.reset()  # each mode compiles afresh; dynamo's cache limit is not hit across modes

emit(bench="done", impl="torch", seconds=round(time.perf_counter() - t_start, 1))
