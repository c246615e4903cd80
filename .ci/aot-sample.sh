#!/usr/bin/env bash
# The Native AOT sample (issue 17): publish samples/QualityPrediction.Trees.Aot with PublishAot=true, check that its
# output holds no ONNX Runtime and no ML.NET, run it, and check that it answered from the model through the managed
# tree runtime. Prints the executable's size and its time from process start to first score.
# Usage: bash .ci/aot-sample.sh [OUTPUT_DIR]; exit code 0 when every check passes.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-TestResults/aot-sample}"
rm -rf "$out"
mkdir -p "$out"
log="$out.publish.log"
if ! dotnet publish samples/QualityPrediction.Trees.Aot -c Release -r linux-x64 -o "$out" > "$log" 2>&1; then
  tail -n 30 "$log" >&2
  echo "aot sample: FAILED: publish failed (log: $log)"
  exit 1
fi

exe="$out/QualityPrediction.Trees.Aot"
engines=$(find "$out" -iname '*onnxruntime*' -o -iname 'Microsoft.ML*' | head -n 5)
if [ -n "$engines" ]; then
  echo "aot sample: FAILED: the output holds engine files: $engines"
  exit 1
fi

if [ ! -x "$exe" ] || [ -e "$out/QualityPrediction.Trees.Aot.dll" ]; then
  echo "aot sample: FAILED: no native executable (or a managed one) in $out"
  exit 1
fi

run=$("$exe" 2>&1)
status=$?
echo "$run"
if [ "$status" -ne 0 ] || ! grep -q '(trees runtime' <<<"$run" || [ "$(grep -c 'source Model' <<<"$run")" -ne 2 ]; then
  echo "aot sample: FAILED: exit $status, expected two model answers through the trees runtime"
  exit 1
fi

size=$(stat -c %s "$exe")
echo "aot sample: passed (native executable $((size / 1024)) KiB; $(grep -o 'first score [0-9]* ms' <<<"$run"))"
