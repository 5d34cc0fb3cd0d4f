#!/usr/bin/env bash
# dlc used as an installed package, from outside the tree (ctest
# package_install):
#
#   package_test.sh BUILD_DIR SOURCE_DIR CXX [CXXFLAGS] [LDFLAGS]
#
# Installs BUILD_DIR into a temporary prefix with `cmake --install` (which
# builds nothing), then checks the layout; compiles each public header alone
# with only the prefix and Abseil on the include path; checks that
# libdlc_runtime.so holds and needs no compiler; builds examples/host out of
# tree with find_package(dlc) and runs dlc_host_example (dlc::dlc) on
# examples/mnist_cnn.dl and dlc_run_artifact (dlc::runtime) on the artifact
# the installed bin/dlc compiles from it; builds a runtime-only program with
# `pkg-config dlc-runtime` and the headers' usage examples with
# `pkg-config dlc`, and runs both.
set -euo pipefail
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
cxx=$3
cxxflags=${4:-}
ldflags=${5:-}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dlc-package.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "package_test: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "install into $prefix"
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" || { cat "$tmp/install.log"; fail "cmake --install failed"; }
libdir=$(sed -n 's|^libdir=\${prefix}/||p' "$build/dlc.pc")
[ -n "$libdir" ] || fail "no libdir in $build/dlc.pc"
for f in include/dlc/dlc.h include/dlc/dtype.h include/dlc/tensor.h include/dlc/tensor_file.h \
         "$libdir/libdlc.so" "$libdir/libdlc_runtime.so" "$libdir/cmake/dlc/dlcConfig.cmake" \
         "$libdir/cmake/dlc/dlcConfigVersion.cmake" "$libdir/cmake/dlc/dlcTargets.cmake" \
         "$libdir/pkgconfig/dlc.pc" "$libdir/pkgconfig/dlc-runtime.pc" bin/dlc; do
  [ -e "$prefix/$f" ] || fail "not installed: $f"
done
(cd "$prefix" && find . -type f -o -type l | sort | sed 's|^\./|  |')

step "each public header compiles alone"
absl_include=$(pkg-config --cflags-only-I absl_status)  # empty where Abseil is in /usr/include
for h in "$prefix"/include/dlc/*.h; do
  name=$(basename "$h")
  printf '#include "dlc/%s"\n#include "dlc/%s"\n' "$name" "$name" >"$tmp/alone.cc"
  # shellcheck disable=SC2086
  "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Werror -I"$prefix/include" $absl_include "$tmp/alone.cc" ||
    fail "dlc/$name does not compile alone"
  if grep -nE '#include "' "$h" | grep -vE '#include "(dlc|absl)/'; then
    fail "dlc/$name includes a header that is not public"
  fi
done

step "libdlc_runtime.so holds and needs no compiler"
runtime_so=$prefix/$libdir/libdlc_runtime.so
if readelf -d "$runtime_so" | grep NEEDED | grep -iE 'llvm|lld|nvrtc|z3|libdlc\.so'; then
  fail "libdlc_runtime.so needs a compiler library"
fi
if nm -DC --defined-only "$runtime_so" |
    grep -E ' (llvm::|lld::|dlc::(ast|frontend|passes|codegen|reference|kir)::|dlc::ir::(Module|Function|Operation|Value|OpTable|parseModule|printModule|verifyModule))' | head; then
  fail "libdlc_runtime.so defines compiler symbols"
fi
if nm -DC "$prefix/$libdir/libdlc.so" | grep -E ' [TW] llvm::' | head -3; then
  fail "libdlc.so exports LLVM's symbols"
fi
if nm -C --defined-only "$prefix/$libdir/libdlc.so" | grep -E ' [Tt] (dlc::runtime::Tensor::zeros|dlc::ir::parseDType)\('; then
  fail "libdlc.so holds a second copy of the runtime"
fi
# grep without -q in pipes: -q exits at the first match, and under pipefail
# the writer's SIGPIPE would fail the check at random (it did, under load).
readelf -d "$prefix/$libdir/libdlc.so" | grep 'RUNPATH.*\[\$ORIGIN\]' >/dev/null || fail "libdlc.so does not find libdlc_runtime.so beside it"

step "examples/host out of tree with find_package(dlc)"
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$src/examples/host" -B "$tmp/host" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="$cxxflags" \
  -DCMAKE_EXE_LINKER_FLAGS="$ldflags" >"$tmp/host-configure.log" ||
  { cat "$tmp/host-configure.log"; fail "configuring examples/host failed"; }
cmake --build "$tmp/host" >"$tmp/host-build.log" || { cat "$tmp/host-build.log"; fail "building examples/host failed"; }
host=$tmp/host/dlc_host_example
ldd "$host" | grep "$prefix/$libdir/libdlc.so" >/dev/null || { ldd "$host"; fail "dlc_host_example does not use the installed libdlc.so"; }
out=$(cd "$tmp" && "$host" "$src/examples/mnist_cnn.dl") || { echo "$out"; fail "dlc_host_example failed"; }
echo "$out"
# Softmax outputs sum to 1 per row: two rows sum to 2.
grep -q 'output 0: f32\[2, 10\] sum 2\.0000' <<<"$out" || fail "unexpected output of dlc_host_example"

step "the installed dlc compiles an artifact; dlc_run_artifact (dlc::runtime only) runs it"
mkdir "$tmp/run" && cp "$src/examples/mnist_cnn.dl" "$tmp/run/"
"$prefix/bin/dlc" compile "$tmp/run/mnist_cnn.dl" -o "$tmp/run/mnist_cnn.dlx" || fail "dlc compile failed"
runner=$tmp/host/dlc_run_artifact
if readelf -d "$runner" | grep NEEDED | grep 'libdlc\.so' >/dev/null; then
  fail "dlc_run_artifact needs libdlc.so"
fi
out=$("$runner" "$tmp/run/mnist_cnn.dlx") || { echo "$out"; fail "dlc_run_artifact failed"; }
echo "$out"
grep -q 'output 0: f32\[1, 10\] sum 1\.0000' <<<"$out" || fail "unexpected output of dlc_run_artifact"

step "pkg-config: a runtime-only program"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
[ "$(pkg-config --modversion dlc)" = "$(pkg-config --modversion dlc-runtime)" ] || fail "dlc.pc and dlc-runtime.pc differ in version"
# shellcheck disable=SC2046,SC2086
"$cxx" -std=c++20 $cxxflags "$src/tests/package/runtime_program.cc" -o "$tmp/runtime_program" $ldflags \
  $(pkg-config --cflags --libs dlc-runtime) || fail "the runtime program does not build with pkg-config dlc-runtime"
if readelf -d "$tmp/runtime_program" | grep NEEDED | grep 'libdlc\.so' >/dev/null; then
  fail "the runtime program needs libdlc.so"
fi
out=$(LD_LIBRARY_PATH=$prefix/$libdir "$tmp/runtime_program" "$tmp") || { echo "$out"; fail "runtime_program failed"; }
echo "$out"
grep -q 'runtime: t bf16\[3, 4\] sum 33\.0 metadata k=v' <<<"$out" || fail "unexpected output of runtime_program"

step "pkg-config: the public headers' usage examples"
python3 "$src/tests/package/extract_examples.py" "$tmp/examples.cc" "$prefix"/include/dlc/*.h
# shellcheck disable=SC2046,SC2086
"$cxx" -std=c++20 -Wall -Wextra $cxxflags "$tmp/examples.cc" -o "$tmp/examples" $ldflags \
  $(pkg-config --cflags --libs dlc) || fail "the headers' examples do not build with pkg-config dlc"
out=$(cd "$tmp/run" && LD_LIBRARY_PATH=$prefix/$libdir "$tmp/examples") || { echo "$out"; fail "an example failed"; }
echo "$out"
echo "package_test: ok"
