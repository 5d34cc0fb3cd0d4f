"""inner_loop.py FILE.s FUNCTION...: for each function of an assembly file
(x86-64 AT&T or AArch64), describes the innermost loop that multiplies and
adds the most vectors (the reduction step of a full register tile): how many vector FMAs it
runs, on which registers, and how many stack accesses (spills and reloads of
the accumulators) it makes. A loop is a label and a later branch back to it."""
import re, sys

FMA = re.compile(r"^\s*(vfmadd\w*ps|vfnmadd\w*ps|fmla)\s")
LABEL = re.compile(r"^(\.?L\w+|\w[\w.$]*):")
BRANCH_TARGET = re.compile(r"(\.LBB\w+)\s*$")
STACK = re.compile(r"\(%rsp\)|\[sp\b|\[x29\b")
# %rbp addresses the stack only in a function that makes it the frame
# pointer; elsewhere it is one more general-purpose register.
FRAME_POINTER = re.compile(r"^\s*movq\s+%rsp, %rbp")
FRAME = re.compile(r"\(%rbp\)")


def function_lines(lines, name):
    start = next((i for i, l in enumerate(lines) if l.startswith(name + ":")), None)
    if start is None:
        sys.exit("no function %s" % name)
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith(".Lfunc_end")), len(lines))
    return lines[start:end]


def innermost_fma_loop(body):
    labels = {}
    loops = []
    for i, line in enumerate(body):
        m = LABEL.match(line)
        if m:
            labels[m.group(1)] = i
            continue
        m = BRANCH_TARGET.search(line.split("//")[0].split("#")[0])
        if m and m.group(1) in labels:
            loops.append((labels[m.group(1)], i))
    innermost = [(b, e) for b, e in loops if not any(b <= b2 and e2 <= e and (b2, e2) != (b, e) for b2, e2 in loops)]
    fmas = lambda span: sum(1 for l in body[span[0]:span[1]] if FMA.match(l))
    with_fma = [span for span in innermost if fmas(span) > 0]
    # The full tiles' loop: the one with the most FMAs (the last tile has fewer rows).
    return max(with_fma, key=fmas) if with_fma else None


def registers(lines):
    found = set()
    for l in lines:
        if FMA.match(l):
            found.update(re.findall(r"%([xyz]mm)\d+", l))
            found.update("v.%s" % s for s in re.findall(r"v\d+\.(4s|2d|8h)", l))
    return ",".join(sorted(found)) or "none"


lines = open(sys.argv[1]).read().splitlines()
for name in sys.argv[2:]:
    body = function_lines(lines, name)
    span = innermost_fma_loop(body)
    if span is None:
        print("%s: no loop of vector FMAs" % name)
        continue
    loop = body[span[0]:span[1] + 1]
    fmas = sum(1 for l in loop if FMA.match(l))
    framed = any(FRAME_POINTER.match(l) for l in body)
    stack = sum(1 for l in loop if STACK.search(l) or (framed and FRAME.search(l)))
    print("%s: inner loop: %d fma on %s, %d stack accesses" % (name, fmas, registers(loop), stack))
