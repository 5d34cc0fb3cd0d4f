# lit configuration for dlc: %dlc runs the built driver; FileCheck and not
# come from LLVM 19; `gpu` is available when an NVIDIA device is present.
import os
import platform
import shutil
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".dlir", ".kir", ".dl", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py.in", "expect_exit.py", "timeout.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_obj_root, "tests", "lit")

config.substitutions.append(("%dlc", os.path.join(config.dlc_tools_dir, "dlc")))
config.substitutions.append(("%difffuzz", os.path.join(config.dlc_obj_root, "tools", "difffuzz", "dlc-difffuzz")))
config.substitutions.append(("%examples", os.path.join(config.dlc_src_root, "examples")))
config.substitutions.append(("%conformance", os.path.join(config.dlc_src_root, "..", "shared", "conformance")))
config.substitutions.append(("%python", config.python_executable))
# Before lit's own %t: `%timeout 5 CMD` is `timeout 5 CMD`, scaled in sanitizer builds.
config.substitutions.append(("%timeout", "%s %s %s" % (config.python_executable, os.path.join(config.test_source_root, "timeout.py"), config.dlc_timeout_scale)))
config.substitutions.append(("%expect_exit", "%s %s" % (config.python_executable, os.path.join(config.test_source_root, "expect_exit.py"))))

path = [config.llvm_tools_dir, config.dlc_tools_dir, config.environment.get("PATH", os.environ.get("PATH", ""))]
config.environment["PATH"] = os.pathsep.join(path)

# host-x86_64, host-aarch64: tests of code for another machine.
config.available_features.add("host-" + platform.machine())
# cpu-avx2, cpu-avx512f: what this CPU runs of the named x86-64 targets
# (tests that run cpu:x86-64-v3 or cpu:x86-64-v4 code here).
try:
    with open("/proc/cpuinfo") as cpuinfo:
        flags = next((line.split(":", 1)[1].split() for line in cpuinfo if line.startswith("flags")), [])
except OSError:
    flags = []
for flag in ("avx2", "avx512f"):
    if flag in flags:
        config.available_features.add("cpu-" + flag)
for feature in config.dlc_features:
    config.available_features.add(feature)
if os.path.exists("/dev/nvidia0") or os.path.exists("/dev/nvidiactl"):
    config.available_features.add("gpu")
# `dlc train`'s default source, the Debian package dataset-fashion-mnist.
if os.path.exists("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz"):
    config.available_features.add("fashion-mnist")
