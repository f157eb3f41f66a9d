#!/usr/bin/env bash
# GPU check of the Lightning mirror, in under 5 minutes on one modern GPU:
#   (a) fashion_cnn on real Fashion-MNIST for a few epochs: test accuracy and time per epoch;
#   (b) cifar_fast on CIFAR-shaped synthetic data (written in the real pickle format):
#       time per epoch and images per second, in 32-bit and in bf16-mixed precision.
# Usage: FASHION_DIR=/path/to/fashion-mnist bash benchmarks/gpu_check.sh [OUT_DIR]
# (ACCELERATOR=cpu EPOCHS=1 SYNTH_ROWS=256 rehearse it on a machine without a GPU.)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/gpu_check}
fashion=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
accelerator=${ACCELERATOR:-gpu}
epochs=${EPOCHS:-3}
rows=${SYNTH_ROWS:-10000}
mkdir -p "$out"
python -c "import torch; print('device:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU')"

echo "== (a) fashion_cnn on Fashion-MNIST, $epochs epochs, fp32"
python -m lightning_models.train --data fashion_mnist --data-dir "$fashion" --arch fashion_cnn --epochs "$epochs" \
  --batch-size 256 --accelerator "$accelerator" --devices 1 --on-device --out "$out/fashion_cnn"
python -c "import json; r = json.load(open('$out/fashion_cnn/results.json')); \
print(f\"fashion_cnn: test accuracy {r['test_accuracy']:.4f}, {r['seconds_per_epoch']:.2f} s per epoch\")"

echo "== (b) cifar_fast on synthetic CIFAR-10-shaped data"
python - "$out/synthetic" "$rows" <<'PY'
import pickle, sys
from pathlib import Path
import numpy as np
root = Path(sys.argv[1]) / "cifar-10-batches-py"
root.mkdir(parents=True, exist_ok=True)
rows = int(sys.argv[2])
rng = np.random.default_rng(0)
for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
    batch = {b"data": rng.integers(0, 256, (rows, 3072), dtype=np.uint8),
             b"labels": rng.integers(0, 10, rows).tolist()}
    (root / name).write_bytes(pickle.dumps(batch, protocol=2))
PY
for precision in 32 bf16-mixed; do
  python -m lightning_models.train --data cifar10 --data-dir "$out/synthetic" --arch cifar_fast --epochs "$epochs" \
    --val-split "$rows" --accelerator "$accelerator" --devices 1 --on-device --precision "$precision" \
    --out "$out/cifar_fast_$precision"
  python -c "import json; r = json.load(open('$out/cifar_fast_$precision/results.json')); s = r['seconds_per_epoch']; \
print(f'cifar_fast $precision: {s:.2f} s per epoch, {4 * $rows / s:,.0f} images/s (synthetic data: accuracy is chance)')"
done
