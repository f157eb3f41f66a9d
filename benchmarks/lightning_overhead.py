"""The Lightning trainer's cost per epoch over a plain PyTorch loop, on cifar_fast.

    python benchmarks/lightning_overhead.py [--device cpu|cuda] [--images 5120] [--rounds 3]

Both train the same torch copy of ``seqnet.architectures.cifar_fast`` (made by
``lightning_models.to_torch``) for one epoch on the same random 32x32x3 images, batch 512, SGD with
Nesterov momentum: the loop by hand, Lightning through ``lightning_models.LitClassifier`` with no
logger, checkpoints or progress bar. ``benchmarks/bench_training.py`` uses :func:`epoch_times` for
its CIFAR case; ``benchmarks/gpu_check.sh`` runs this on a GPU.
"""
import argparse
import logging
import time
import warnings

import numpy as np
import torch
import torch.nn.functional as F


def epoch_times(model, X, y, device="cpu", rounds=3, batch_size=512, before_each=None):
    """Best-of-``rounds`` seconds of one epoch: ``(plain torch loop, Lightning)``. ``model`` is a built
    seqnet model; ``before_each()``, if given, runs (and is not timed) before each timing."""
    import pytorch_lightning as pl
    from torch.utils.data import DataLoader, TensorDataset

    from lightning_models import LitClassifier, to_torch
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    X_nchw = torch.from_numpy(np.ascontiguousarray(X.transpose(0, 3, 1, 2))).to(device)
    y_t = torch.from_numpy(y).to(device)
    plain = to_torch(model)[:-1].to(device)
    opt = torch.optim.SGD(plain.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    lit = LitClassifier(to_torch(model), optimizer="sgd", lr=0.01, momentum=0.9, nesterov=True)
    loader = DataLoader(TensorDataset(X_nchw.cpu(), y_t.cpu()), batch_size=batch_size, shuffle=True)
    trainer_args = dict(max_epochs=1, accelerator="gpu" if device.startswith("cuda") else "cpu", devices=1,
                        logger=False, enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, num_sanity_val_steps=0)

    def sync():
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    def plain_epoch():
        plain.train()
        order = torch.randperm(len(X_nchw), device=device)
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            opt.zero_grad(set_to_none=True)
            F.cross_entropy(plain(X_nchw[idx]), y_t[idx]).backward()
            opt.step()
        sync()

    def lightning_epoch():
        pl.Trainer(**trainer_args).fit(lit, train_dataloaders=loader)
        sync()

    times = {plain_epoch: [], lightning_epoch: []}
    for _ in range(rounds):
        for fn in times:
            if before_each is not None:
                before_each()
            start = time.perf_counter()
            fn()
            times[fn].append(time.perf_counter() - start)
    return min(times[plain_epoch]), min(times[lightning_epoch])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--images", type=int, default=5120)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from seqnet.architectures import cifar_fast
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.images, 32, 32, 3)).astype(np.float32)
    y = rng.integers(0, 10, args.images)
    model = cifar_fast(seed=0, whiten_from=X[:1000])
    plain, lit = epoch_times(model, X, y, args.device, args.rounds)
    print(f"cifar_fast, one epoch of {args.images} images on {args.device}: plain torch loop {plain:.2f} s, "
          f"Lightning {lit:.2f} s, Lightning overhead {lit - plain:+.2f} s per epoch ({lit / plain:.2f}x)")
