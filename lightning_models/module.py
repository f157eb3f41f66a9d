"""``LitClassifier``: any classification backbone (a bridged seqnet model, say) as a LightningModule."""
from __future__ import annotations

from typing import Any

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from seqnet.schedulers import RUN_SCHEDULES, for_run

OPTIMIZERS = ("sgd", "adam")
SCHEDULERS = (None, *RUN_SCHEDULES)


class LitClassifier(pl.LightningModule):
    """Train a classifier with a numerically stable loss on logits.

    Parameters
    ----------
    backbone : nn.Module
        Maps NCHW (or flat) inputs to class scores. A final ``nn.Softmax`` (as :func:`to_torch`
        emits for a seqnet model ending in softmax) is left out while training: the loss is
        ``cross_entropy`` on the logits before it.
    optimizer : {"sgd", "adam"}
        seqnet's optimizer names with seqnet's meanings, run by ``torch.optim.SGD`` / ``Adam``
        (seqnet's optimizers follow torch's update rules).
    lr, momentum, weight_decay : float
    nesterov : bool, default False
        Nesterov momentum for SGD (as ``seqnet.optimizers.SGD(nesterov=True)``).
    scheduler : {None, "constant", "cosine", "exponential", "step", "onecycle"}
        Stepped every batch, computed by seqnet's own schedule of that name over the run
        (:func:`seqnet.schedulers.for_run`), so a name means the same in both trainers.
    label_smoothing : float, default 0
    tta_flip : bool, default False
        Average the logits of each image and its mirror image when evaluating and predicting.
    bn_bias_lr_scale : float, default 1
        BatchNorm's biases learn at this multiple of the rate (seqnet's ``lr_scales={"beta": s}``).
    whiten_bias_epochs : int, default 0
        The first convolution's bias (``cifar_fast``'s frozen whitening layer) learns for this
        many epochs, then freezes; its filters stay frozen.
    """

    def __init__(self, backbone: nn.Module, optimizer: str = "sgd", lr: float = 0.01, momentum: float = 0.9,
                 weight_decay: float = 0.0, scheduler: str | None = None, label_smoothing: float = 0.0,
                 tta_flip: bool = False, nesterov: bool = False, bn_bias_lr_scale: float = 1.0,
                 whiten_bias_epochs: int = 0) -> None:
        super().__init__()
        if optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {optimizer!r}; known: {', '.join(OPTIMIZERS)}")
        if scheduler not in SCHEDULERS:
            raise ValueError(f"unknown scheduler {scheduler!r}; known: {', '.join(map(str, SCHEDULERS))}")
        self.save_hyperparameters(ignore=["backbone"])
        self.backbone = backbone
        children = list(backbone.children()) if isinstance(backbone, nn.Sequential) else []
        # not a second module: the model summary would count the backbone's parameters twice
        self._ends_in_softmax = bool(children) and isinstance(children[-1], nn.Softmax)
        if whiten_bias_epochs:
            self._first_conv().bias.requires_grad_(True)

    def _first_conv(self) -> nn.Conv2d:
        first = next((m for m in self.backbone.modules() if isinstance(m, nn.Conv2d)), None)
        if first is None or first.bias is None:
            raise ValueError("whiten_bias_epochs needs a network whose first convolution has a bias (cifar_fast)")
        return first

    def on_train_epoch_end(self) -> None:
        if self.hparams.get("whiten_bias_epochs") and self.current_epoch + 1 >= self.hparams.whiten_bias_epochs:
            self._first_conv().bias.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits (scores before any softmax)."""
        if self._ends_in_softmax:
            for module in list(self.backbone.children())[:-1]:
                x = module(x)
            return x
        return self.backbone(x)

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
        params: Any = [p for p in self.parameters() if p.requires_grad]
        scale = h.get("bn_bias_lr_scale", 1.0)
        if scale != 1.0:
            biases = {id(m.bias) for m in self.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)}
            params = [{"params": [p for p in params if id(p) not in biases]},
                      {"params": [p for p in params if id(p) in biases], "lr": h.lr * scale}]
        if h.optimizer == "sgd":
            opt = torch.optim.SGD(params, lr=h.lr, momentum=h.momentum, nesterov=h.get("nesterov", False),
                                  weight_decay=h.weight_decay)
        else:
            opt = torch.optim.Adam(params, lr=h.lr, weight_decay=h.weight_decay)
        if h.scheduler in (None, "constant"):
            return opt
        schedule = self.schedule()
        sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: schedule(step) / h.lr)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}

    def schedule(self) -> Any:
        """seqnet's schedule for this run (None for a constant rate): the rate at every update. Made
        once, when the optimizer is (every process then knows the number of updates)."""
        if self.hparams.scheduler in (None, "constant"):
            return None
        if getattr(self, "_schedule", None) is None:
            self._schedule = for_run(self.hparams.scheduler, self.hparams.lr,
                                     int(self.trainer.estimated_stepping_batches))
        return self._schedule


class Lookahead(pl.Callback):
    """``seqnet.callbacks.Lookahead`` for the Lightning trainer: every ``every`` updates the running
    average of the module's floating-point state (parameters and BatchNorm statistics) moves to
    ``d * average + (1 - d) * weights``, ``d = decay * (step / total) ** ramp``, and the weights
    are set to it; the last epoch ends on the average, before its checkpoint is written."""

    def __init__(self, every: int = 5, decay: float = 0.95 ** 5, ramp: float = 3.0) -> None:
        self.every, self.decay, self.ramp = int(every), float(decay), float(ramp)
        self.average: list[torch.Tensor] = []
        self.step, self.total = 0, 1

    def _weights(self, module: nn.Module) -> list[torch.Tensor]:
        return [w for w in module.state_dict().values() if w.is_floating_point()]

    def on_train_start(self, trainer: Any, module: nn.Module) -> None:
        self.average = [w.detach().clone() for w in self._weights(module)]
        self.step, self.total = int(trainer.global_step), max(1, int(trainer.estimated_stepping_batches))

    def on_train_batch_end(self, trainer: Any, module: nn.Module, outputs: Any, batch: Any, batch_idx: int) -> None:
        self.step += 1
        if self.step % self.every == 0:
            self.pull(module, self.decay * min(1.0, self.step / self.total) ** self.ramp)

    def on_train_epoch_end(self, trainer: Any, module: nn.Module) -> None:
        if trainer.current_epoch + 1 >= trainer.max_epochs:
            self.pull(module, 1.0)

    @torch.no_grad()
    def pull(self, module: nn.Module, decay: float) -> None:
        for average, weight in zip(self.average, self._weights(module)):
            average.mul_(decay).add_(weight, alpha=1.0 - decay)
            weight.copy_(average)
