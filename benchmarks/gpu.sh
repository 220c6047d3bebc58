#!/usr/bin/env bash
# Times genzoo's gpu backend on a real GPU: webgl2, webgl and webgpu in headless
# Chromium, headlessgl in Node, GPU.js webasm as the CPU baseline. Under five
# minutes. Needs Debian's chromium (apt-get install -y chromium) and, for
# headlessgl, xvfb and the built `gl` package (see .ci/run). Nothing else in the
# build or the tests depends on a GPU.
#
#   benchmarks/gpu.sh              # the issue's shapes, on the GPU
#   benchmarks/gpu.sh --quick      # small shapes
#   benchmarks/gpu.sh --software   # SwiftShader instead of the GPU (to try it without one)
#   benchmarks/gpu.sh --modes webgpu,webgl2 --only matmul
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm install
npm run build --silent
exec timeout 290 node benchmarks/gpu-bench.js "$@"
