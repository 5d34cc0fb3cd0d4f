#!/usr/bin/env python3
"""kill_resume.py --workdir DIR --model MODEL [options] -- COMMAND...

Checks that `dlc train` resumed after being stopped ends exactly where an
uninterrupted run ends. COMMAND is `dlc train` (or dlc_train_fake train).

  A: one uninterrupted run, --save A.safetensors.
  B: a run with --checkpoint that gets SIGTERM after its first checkpoint
     (it must exit with status 3 and say so), then runs with --resume that are
     SIGKILLed at random moments (during steps, during checkpoint writes,
     during start-up), then a last --resume run to the end, --save B.

A and B must be byte-identical, and so must their --metrics-out records
(without the timing fields). The data is written here as .npy files: random
features and a class that depends on them, without numpy.
"""
import argparse
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time


def write_npy(path, descr, shape, values):
    code = {"<f4": "f", "<i4": "i"}[descr]
    header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (
        descr, "".join(f"{d}, " for d in shape))
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode())
        f.write(struct.pack("<%d%s" % (len(values), code), *values))


def make_data(workdir, samples, features, classes, seed):
    rng = random.Random(seed)
    xs, ys = [], []
    for _ in range(samples):
        row = [rng.uniform(-1, 1) for _ in range(features)]
        xs += row
        ys.append(max(range(classes), key=lambda c: row[c % features] * (1 if c < features else -1)))
    x, y = os.path.join(workdir, "x.npy"), os.path.join(workdir, "y.npy")
    write_npy(x, "<f4", [samples, features], xs)
    write_npy(y, "<i4", [samples], ys)
    return f"npy:{x},{y}"


def fail(message):
    sys.stderr.write(f"kill_resume: FAIL: {message}\n")
    sys.exit(1)


def run(cmd, log):
    log.write("$ " + " ".join(cmd) + "\n")
    log.flush()
    return subprocess.Popen(cmd, stdout=log, stderr=subprocess.PIPE, text=True)


def records(path):
    out = []
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            r.pop("seconds", None)
            r.pop("samples_per_s", None)
            out.append(r)
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--workdir", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--samples", type=int, default=200)
    p.add_argument("--features", type=int, default=4)
    p.add_argument("--classes", type=int, default=3)
    p.add_argument("--kills", type=int, default=8)
    p.add_argument("--rng-seed", type=int, default=1)
    p.add_argument("--resume-args", default="", help="extra flags for the checkpointed runs")
    p.add_argument("command", nargs=argparse.REMAINDER)
    args = p.parse_args()
    command = [c for c in args.command if c != "--"]
    if not command:
        fail("no COMMAND after --")

    shutil.rmtree(args.workdir, ignore_errors=True)
    os.makedirs(args.workdir)
    w = lambda name: os.path.join(args.workdir, name)
    data = make_data(args.workdir, args.samples, args.features, args.classes, 11)
    base = command + [args.model, "--data", data, "--progress", "lines"]
    ckpt = base + ["--checkpoint", w("ckpt"), "--metrics-out", w("B.jsonl")] + args.resume_args.split()
    # Resumed runs take the seed from the checkpoint.
    seed = ["--seed", "7"]
    rng = random.Random(args.rng_seed)
    log = open(w("log.txt"), "w")

    # A: uninterrupted.
    start = time.monotonic()
    proc = run(base + seed + ["--save", w("A.safetensors"), "--metrics-out", w("A.jsonl")], log)
    _, err = proc.communicate()
    duration = time.monotonic() - start
    if proc.returncode != 0:
        fail(f"the uninterrupted run exited with {proc.returncode}: {err}")

    # B: SIGTERM once the first checkpoint exists.
    proc = run(ckpt + seed, log)
    checkpoint = os.path.join(w("ckpt"), "checkpoint.safetensors")
    while proc.poll() is None and not os.path.exists(checkpoint):
        time.sleep(0.001)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate()
    if proc.returncode != 3 or "interrupted by SIGTERM" not in err:
        fail(f"after SIGTERM: exit status {proc.returncode} (expected 3), stderr: {err!r}; "
             "the run may be too short to interrupt")
    log.write(err)

    # SIGKILL at random moments.
    kills = in_writes = 0
    for kill in range(args.kills):
        delay = rng.uniform(0, duration * 0.5)
        proc = run(ckpt + ["--resume"], log)
        try:
            _, err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
        log.write(f"# kill {kill}: after {delay:.3f}s, exit status {proc.returncode}\n{err}")
        if proc.returncode == 0:
            break
        if proc.returncode != -signal.SIGKILL:
            fail(f"a resumed run exited with {proc.returncode}: {err}")
        kills += 1
        # A temporary file left behind: the kill hit a checkpoint write.
        if any(".tmp." in name for name in os.listdir(w("ckpt"))):
            in_writes += 1

    # The rest, to the end.
    proc = run(ckpt + ["--resume", "--save", w("B.safetensors")], log)
    _, err = proc.communicate()
    if proc.returncode != 0:
        fail(f"the last resumed run exited with {proc.returncode}: {err}")
    with open(w("A.safetensors"), "rb") as a, open(w("B.safetensors"), "rb") as b:
        if a.read() != b.read():
            fail(f"the weights differ: {w('A.safetensors')} {w('B.safetensors')} (log: {w('log.txt')})")
    if records(w("A.jsonl")) != records(w("B.jsonl")):
        fail(f"the metrics differ: {w('A.jsonl')} {w('B.jsonl')}")
    print(f"kill_resume: OK: identical weights after SIGTERM and {kills} SIGKILLs, {in_writes} of them "
          f"during a checkpoint write (uninterrupted run {duration:.2f}s)")


if __name__ == "__main__":
    main()
