#!/usr/bin/env bash
# GPU check of the Lightning mirror, in about 10 minutes on one modern GPU:
#   (a) fashion_cnn on real Fashion-MNIST for a few epochs: test accuracy and time per epoch;
#   (b) cifar_fast on real CIFAR-10 (the JPEG archive, CIFAR_DATA) with its defaults (10 epochs):
#       test accuracy and seconds to train, in 32-bit and in bf16-mixed precision (CIFAR-shaped
#       synthetic data in the real pickle format when the archive is absent: speed only);
#   (c) the write-up's cifar_cnn on the same data for CNN_EPOCHS epochs;
#   (d) Lightning's overhead per epoch over a plain PyTorch loop (benchmarks/lightning_overhead.py);
#   (e) the DDP proofs (tests/lightning/test_ddp.py: 2 processes of batch b = 1 of 2b, a simulated
#       two-node launch) and, with --sync-batchnorm, a cifar_fast epoch on the GPU.
# Usage: FASHION_DIR=/path/to/fashion-mnist CIFAR_DATA=/path/to/cifar10-jpeg.tar.gz bash benchmarks/gpu_check.sh [OUT_DIR]
# (ACCELERATOR=cpu EPOCHS=1 CIFAR_EPOCHS=1 CNN_EPOCHS=1 SYNTH_ROWS=256 rehearse it on a machine without a GPU.)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/gpu_check}
fashion=${FASHION_DIR:-/usr/share/datasets/fashion-mnist}
accelerator=${ACCELERATOR:-gpu}
epochs=${EPOCHS:-3}
rows=${SYNTH_ROWS:-10000}
cifar=${CIFAR_DATA:-$HOME/.seqnet/datasets/cifar-10-python.tar.gz}
cifar_epochs=${CIFAR_EPOCHS:-10}
cnn_epochs=${CNN_EPOCHS:-10}
mkdir -p "$out"
python -c "import torch; print('device:', torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'no GPU')"

echo "== (a) fashion_cnn on Fashion-MNIST, $epochs epochs, fp32"
python -m lightning_models.train --data "$fashion" --arch fashion_cnn --epochs "$epochs" \
  --batch-size 256 --accelerator "$accelerator" --devices 1 --on-device --out "$out/fashion_cnn"
python -c "import json; r = json.load(open('$out/fashion_cnn/results.json')); \
print(f\"fashion_cnn: test accuracy {r['test_accuracy']:.4f}, {r['seconds_per_epoch']:.2f} s per epoch\")"

if [ -f "$cifar" ]; then
  data="$cifar"; val=5000; note="real CIFAR-10 (JPEG)"
else
  echo "(no CIFAR-10 archive at $cifar: synthetic CIFAR-shaped data, speed only)"
  data="$out/synthetic"; val="$rows"; note="synthetic data: accuracy is chance"
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
fi
report() {  # run folder, label
  python -c "import json; r = json.load(open('$1/results.json')); s = r['seconds_per_epoch']; \
print(f\"$2: test accuracy {r['test_accuracy']:.4f}, {s:.2f} s per epoch, {s * r['epochs']:.1f} s to train ($note)\")"
}
echo "== (b) cifar_fast on $note, $cifar_epochs epochs"
for precision in 32 bf16-mixed; do
  python -m lightning_models.train --data "$data" --arch cifar_fast --epochs "$cifar_epochs" \
    --val-split "$val" --accelerator "$accelerator" --devices 1 --on-device --precision "$precision" \
    --out "$out/cifar_fast_$precision"
  report "$out/cifar_fast_$precision" "cifar_fast $precision"
done
echo "== (c) cifar_cnn (the write-up's network) on $note, $cnn_epochs epochs"
python -m lightning_models.train --data "$data" --arch cifar_cnn --epochs "$cnn_epochs" \
  --val-split "$val" --accelerator "$accelerator" --devices 1 --on-device --out "$out/cifar_cnn"
report "$out/cifar_cnn" "cifar_cnn"
echo "== (d) Lightning's overhead per epoch over a plain PyTorch loop"
device=cuda; [ "$accelerator" = cpu ] && device=cpu
python benchmarks/lightning_overhead.py --device "$device" --images 25600 --rounds 2
echo "== (e) DDP: the exactness tests (CPU processes, gloo), then SyncBatchNorm on the GPU"
python -m pytest -q -p no:cacheprovider tests/lightning/test_ddp.py
if [ "$accelerator" != cpu ]; then
  python -m lightning_models.train --data "$data" --arch cifar_fast --epochs 1 --val-split "$val" \
    --accelerator "$accelerator" --devices 1 --sync-batchnorm --out "$out/cifar_fast_syncbn"
  report "$out/cifar_fast_syncbn" "cifar_fast sync-batchnorm"
fi
