#!/usr/bin/env bash
# Installs what dlc needs to build and test on Debian 12. Idempotent: packages
# already present are left alone, and apt is only asked when one is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkgconf git python3 python3-numpy
  llvm-19-dev llvm-19-tools liblld-19-dev clang-19 libclang-rt-19-dev clang-format-19
  libabsl-dev libgtest-dev libgmock-dev libcli11-dev nlohmann-json3-dev
  libopenblas-dev dataset-fashion-mnist zlib1g-dev libssl-dev libzstd-dev libedit-dev libxml2-dev libcurl4-openssl-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
