#!/usr/bin/env python3
"""PyTorch eager on the CPU, fp32 and torch.autocast("cpu", bf16 | fp16): the seed CNN's training step at batch 64
and text_lstm's at batch 32 (examples/mnist_cnn.dl, examples/text_lstm.dl), channels_last for the CNN, on random data
resident in memory. The peer of dlc's --precision rows (bench/cpu/precision_rounds.sh).
usage: torch_autocast.py THREADS STEPS   -> one JSON line per (model, precision)"""
import json, sys, time
import torch, torch.nn as nn

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.set_num_interop_threads(1)
torch.manual_seed(0)

def cnn():
    return nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(64, 64, 3), nn.ReLU(), nn.Flatten(), nn.Linear(576, 64),
                         nn.ReLU(), nn.Linear(64, 10)).to(memory_format=torch.channels_last)

class TextLSTM(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding, self.lstm, self.dense = nn.Embedding(1000, 128), nn.LSTM(128, 128, batch_first=True), nn.Linear(128, 1000)
    def forward(self, tokens):
        out, _ = self.lstm(self.embedding(tokens))
        return self.dense(out[:, -1])

def batches(name, batch):
    if name == "mnist_cnn":
        x = torch.rand(batch, 1, 28, 28).to(memory_format=torch.channels_last)
        return x, torch.randint(0, 10, (batch,))
    return torch.randint(0, 1000, (batch, 20)), torch.randint(0, 1000, (batch,))

for name, make, batch in (("mnist_cnn", cnn, 64), ("text_lstm", TextLSTM, 32)):
    for precision in ("fp32", "bf16", "fp16"):
        model = make()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)
        lossf = nn.CrossEntropyLoss()
        x, y = batches(name, batch)
        dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(precision)
        scaler = torch.amp.GradScaler("cpu", enabled=precision == "fp16")
        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cpu", dtype=dtype or torch.bfloat16, enabled=dtype is not None):
                loss = lossf(model(x).float(), y)
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()
        try:
            for _ in range(5): step()
            t0 = time.perf_counter()
            for _ in range(steps): step()
            dt = time.perf_counter() - t0
            print(json.dumps({"anchor": "torch_autocast", "model": name, "precision": precision, "batch": batch,
                              "samples_per_s": round(batch * steps / dt, 1), "torch": torch.__version__}), flush=True)
        except Exception as e:  # an op without a CPU kernel in this precision
            print(json.dumps({"anchor": "torch_autocast", "model": name, "precision": precision,
                              "error": str(e)[:200]}), flush=True)
