"""``LitClassifier``: any classification backbone (a bridged seqnet model, say) as a LightningModule."""
from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

OPTIMIZERS = ("sgd", "adam")
SCHEDULERS = (None, "constant", "cosine", "exponential", "step", "onecycle")


class LitClassifier(pl.LightningModule):
    """Train a classifier with a numerically stable loss on logits.

    Parameters
    ----------
    backbone : nn.Module
        Maps NCHW (or flat) inputs to class scores. A final ``nn.Softmax`` (as :func:`to_torch`
        emits for a seqnet model ending in softmax) is left out while training: the loss is
        ``cross_entropy`` on the logits before it.
    optimizer : {"sgd", "adam"}
        seqnet's optimizer names, mapped to ``torch.optim.SGD`` (Nesterov momentum) / ``Adam``.
    lr, momentum, weight_decay : float
    scheduler : {None, "constant", "cosine", "exponential", "step", "onecycle"}
        Stepped every batch: cosine anneals to 0 over the run, exponential decays by 100x over
        it, step halves the rate every third of it, onecycle warms up for a quarter then anneals.
    label_smoothing : float, default 0
    tta_flip : bool, default False
        Average the logits of each image and its mirror image when evaluating and predicting.
    """

    def __init__(self, backbone: nn.Module, optimizer: str = "sgd", lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0, scheduler: str | None = None, label_smoothing: float = 0.0,
                 tta_flip: bool = False) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")
        if scheduler not in SCHEDULERS:
            raise ValueError(f"unknown scheduler {scheduler!r}; known: {', '.join(map(str, SCHEDULERS))}")
        self.save_hyperparameters(ignore=["backbone"])
        self.backbone = backbone
        children = list(backbone.children()) if isinstance(backbone, nn.Sequential) else []
        self.logits_net = backbone[:-1] if children and isinstance(children[-1], nn.Softmax) else backbone

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (scores before any softmax)."""
        return self.logits_net(x)

    def _eval_logits(self, x: torch.Tensor) -> torch.Tensor:
        logits = self(x)
        if self.hparams.tta_flip and x.dim() == 4:
            logits = (logits + self(x.flip(3))) / 2
        return logits

    def _shared(self, batch: Any, stage: str, logits: torch.Tensor) -> torch.Tensor:
        _, y = batch
        loss = F.cross_entropy(logits, y, label_smoothing=self.hparams.label_smoothing if stage == "train" else 0.0)
        acc = (logits.argmax(dim=1) == y).float().mean()
        on_step = stage == "train"
        self.log(f"{stage}_loss", loss, on_step=on_step, on_epoch=True, prog_bar=True, sync_dist=not on_step)
        self.log(f"{stage}_acc", acc, on_step=on_step, on_epoch=True, prog_bar=True, sync_dist=not on_step)
        return loss

    def training_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        """Loss of a training batch ``(x, y)`` (label smoothing applied); logs train_loss and train_acc."""
        return self._shared(batch, "train", self(batch[0]))

    def validation_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        """Logs val_loss and val_acc of a batch, averaged over the epoch and the processes."""
        return self._shared(batch, "val", self._eval_logits(batch[0]))

    def test_step(self, batch: Any, batch_idx: int) -> torch.Tensor:
        """Logs test_loss and test_acc of a batch, averaged over the epoch and the processes."""
        return self._shared(batch, "test", self._eval_logits(batch[0]))

    def predict_step(self, batch: Any, batch_idx: int, dataloader_idx: int = 0) -> torch.Tensor:
        """Class probabilities for a batch ``x`` or ``(x, y)``."""
        x = batch[0] if isinstance(batch, (list, tuple)) else batch
        return torch.softmax(self._eval_logits(x), dim=1)

    def configure_optimizers(self) -> Any:
        """The optimizer named in the hyperparameters and, if any, its per-step schedule."""
        h = self.hparams
        params = [p for p in self.parameters() if p.requires_grad]
        if h.optimizer == "sgd":
            opt = torch.optim.SGD(params, lr=h.lr, momentum=h.momentum, nesterov=h.momentum > 0,
                                  weight_decay=h.weight_decay)
        else:
            opt = torch.optim.Adam(params, lr=h.lr, weight_decay=h.weight_decay)
        if h.scheduler in (None, "constant"):
            return opt
        total = max(int(self.trainer.estimated_stepping_batches), 1)
        if h.scheduler == "cosine":
            sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total)
        elif h.scheduler == "exponential":
            sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.01 ** (1 / total))
        elif h.scheduler == "step":
            sched = torch.optim.lr_scheduler.StepLR(opt, step_size=max(total // 3, 1), gamma=0.5)
        else:
            sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=h.lr, total_steps=total, pct_start=0.25)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}
