#!/usr/bin/env python3
"""usage: timeout.py SCALE SECONDS COMMAND [ARGS...]
Runs `timeout SECONDS*SCALE COMMAND` (exit 124 when the time runs out). lit
tests use it as `%timeout SECONDS`; SCALE comes from lit.site.cfg: 1, or 10 in
a sanitizer build (the asan preset), where dlc runs several times slower."""
import os
import sys

seconds = float(sys.argv[1]) * float(sys.argv[2])
os.execvp("timeout", ["timeout", f"{seconds:g}"] + sys.argv[3:])
