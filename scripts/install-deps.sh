#!/usr/bin/env bash
# Installs the Debian packages Foldstack builds and runs with, skipping those already present.
set -euo pipefail
PACKAGES=(
  bazel-bootstrap bazel-platforms bazel-rules-java bazel-skylib g++
  libtorch-dev libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler libabsl-dev
  libsqlite3-dev sqlite3 libgtest-dev libgmock-dev libbenchmark-dev libopencv-dev libyaml-cpp-dev
  nlohmann-json3-dev libcpp-httplib-dev libssl-dev zlib1g-dev dataset-fashion-mnist
  # c10d's ProcessGroupGloo header (data-parallel trainer ranks) includes <gloo/...>.
  libgloo-dev
  # Debian's LibTorch calls the system libblas.so.3: OpenBLAS replaces the reference BLAS
  # (10x slower matmuls in the ViT/Swin/BEiT linears) for C++ and Python alike.
  libopenblas0-pthread
  # oneDNN's sgemm (the same oneDNN LibTorch links) for the trainer's CPU linears
  # (worker/trainer/models/layers/linear.h): 1.1-1.7x OpenBLAS on the transformer shapes.
  libdnnl-dev
  # Eigen: the bayes sampler's Gaussian process (coordinator/sweep/samplers/bayes).
  libeigen3-dev
  # Side-by-side search-quality and pruning benchmarks (tests/bench/sweep_*).
  python3-optuna
  # The PyTorch example sweep program (experiments/programs/train.py) and the Python peers of the
  # model and input benchmarks.
  python3-torch python3-torchvision python3-pil
  # The dashboard's browser test (tests/dashboard): headless Chromium driven by selenium.
  chromium chromium-driver python3-selenium
)
missing=()
for package in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
