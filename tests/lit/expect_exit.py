#!/usr/bin/env python3
"""usage: expect_exit.py STATUS COMMAND [ARGS...]
Runs COMMAND, passing its stdout and stderr through, and fails unless it exits
with STATUS (a signal never matches). lit tests use it as %expect_exit."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != want:
    sys.stderr.write(f"expect_exit: {sys.argv[2]} exited with {proc.returncode}, expected {want}\n")
    sys.exit(1)
