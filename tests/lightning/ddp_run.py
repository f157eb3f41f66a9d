"""One short training run of a small seqnet network with the Lightning trainer on CPU processes,
saving the trained weights (rank 0): the DDP tests launch it with different process counts.

    python tests/lightning/ddp_run.py OUT --devices 2 --batch-size 8 [--batchnorm] [--sync-batchnorm]
"""
import argparse

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

import seqnet
from lightning_models import LitClassifier, to_torch
from seqnet.layers import BatchNormalization, Dense

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--devices", type=int, default=1)
parser.add_argument("--num-nodes", type=int, default=1)
parser.add_argument("--batch-size", type=int, default=8)
parser.add_argument("--steps", type=int, default=6)
parser.add_argument("--batchnorm", action="store_true")
parser.add_argument("--sync-batchnorm", action="store_true")
args = parser.parse_args()

rng = np.random.default_rng(0)
X = rng.normal(size=(192, 6)).astype(np.float32)
y = rng.integers(0, 3, len(X))
layers = [Dense(8, activation="relu"), *([BatchNormalization()] if args.batchnorm else []),
          Dense(3, activation="softmax")]
model = seqnet.Sequential(layers, seed=0)
model.build((6,))
lit = LitClassifier(to_torch(model), optimizer="sgd", lr=0.1, momentum=0.9)
distributed = args.devices * args.num_nodes > 1


class InOrder(pl.LightningDataModule):
    """The examples in order, no shuffling: with 2 processes rank 0 takes the even examples and rank 1
    the odd ones, so each step's two batches of b are together the one process's batch of 2b.
    (Lightning's own sampler would shuffle a training set; this one is set by hand.)"""

    def train_dataloader(self):
        data = TensorDataset(torch.from_numpy(X), torch.from_numpy(y))
        sampler = DistributedSampler(data, num_replicas=self.trainer.world_size, rank=self.trainer.global_rank,
                                     shuffle=False)
        return DataLoader(data, batch_size=args.batch_size, sampler=sampler)


trainer = pl.Trainer(accelerator="cpu", devices=args.devices, num_nodes=args.num_nodes,
                     strategy="ddp" if distributed else "auto", sync_batchnorm=args.sync_batchnorm,
                     max_steps=args.steps, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                     enable_model_summary=False, use_distributed_sampler=False)
trainer.fit(lit, datamodule=InOrder())
if trainer.is_global_zero:
    torch.save({k: v.detach().clone() for k, v in lit.state_dict().items()}, args.out)
