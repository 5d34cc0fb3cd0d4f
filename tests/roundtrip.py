#!/usr/bin/env python3
"""Every IR file in the tests, and the IR of every .dl file, round-trips:
print -> parse -> print gives the same text.

usage: roundtrip.py DLC ROOT...
For each .dlir or .kir (kernel IR) file under ROOT that dlc accepts,
`dlc opt FILE` must print text that `dlc opt` prints unchanged. For each .dl file that compiles,
`dlc compile --emit ir` and `--emit opt-ir` must round-trip the same way.
Files that dlc rejects (error tests) are skipped. Prints 'N passed, N failed'."""
import os
import subprocess
import sys
import tempfile


def run(args, stdin=None):
    return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=60)


def check(dlc, text, suffix=".dlir"):
    """Parses `text` and prints it twice; returns an error string or None."""
    if suffix == ".kir":
        # dlc opt tells kernel IR by the file name, so it goes through a file.
        with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
            f.write(text)
        try:
            first = run([dlc, "opt", f.name])
        finally:
            os.unlink(f.name)
    else:
        first = run([dlc, "opt", "-"], stdin=text)
    if first.returncode != 0:
        return "printed IR does not parse: " + first.stderr.strip()[:300]
    if first.stdout != text:
        return "printed IR changes when parsed and printed again"
    return None


def main():
    dlc, roots = sys.argv[1], sys.argv[2:]
    passed = failed = 0
    for root in roots:
        for folder, _, files in sorted(os.walk(root)):
            for name in sorted(files):
                path = os.path.join(folder, name)
                texts = []
                suffix = ".dlir"
                if name.endswith(".kir"):
                    suffix = ".kir"
                    r = run([dlc, "opt", path])
                    if r.returncode == 0:
                        texts.append(r.stdout)
                elif name.endswith(".dlir"):
                    r = run([dlc, "opt", path])
                    if r.returncode == 0:
                        texts.append(r.stdout)
                elif name.endswith(".dl"):
                    for stage in ("ir", "opt-ir"):
                        r = run([dlc, "compile", path, "--emit", stage])
                        if r.returncode == 0:
                            texts.append(r.stdout)
                for text in texts:
                    error = check(dlc, text, suffix)
                    if error:
                        print(f"FAIL {path}: {error}")
                        failed += 1
                    else:
                        passed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
