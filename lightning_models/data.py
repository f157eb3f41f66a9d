"""LightningDataModules for Fashion-MNIST and CIFAR-10, reading files with seqnet's own loaders."""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from seqnet.datasets import load_cifar10, load_fashion_mnist


class DeviceBatches:
    """Mini-batches cut from tensors that already live on the training device (no copies, no workers)."""

    def __init__(self, X: torch.Tensor, y: torch.Tensor, batch_size: int, shuffle: bool, seed: int = 0) -> None:
        self.X, self.y, self.batch_size, self.shuffle = X, y, batch_size, shuffle
        self.generator = torch.Generator(device=X.device).manual_seed(seed)

    def __len__(self) -> int:
        return -(-len(self.X) // self.batch_size)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        n = len(self.X)
        order = (torch.randperm(n, device=self.X.device, generator=self.generator) if self.shuffle
                 else torch.arange(n, device=self.X.device))
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            yield self.X[idx], self.y[idx]


def random_crop(x: torch.Tensor, padding: int = 4) -> torch.Tensor:
    """Per-image random crop (after zero padding) of an NCHW batch, on its device."""
    n, _, h, w = x.shape
    padded = torch.nn.functional.pad(x, (padding, padding, padding, padding))
    dy = torch.randint(0, 2 * padding + 1, (n,), device=x.device)
    dx = torch.randint(0, 2 * padding + 1, (n,), device=x.device)
    rows = (dy[:, None] + torch.arange(h, device=x.device))[:, :, None]
    cols = (dx[:, None] + torch.arange(w, device=x.device))[:, None, :]
    return padded[torch.arange(n, device=x.device)[:, None, None], :, rows, cols].permute(0, 3, 1, 2)


def random_crop_flip(x: torch.Tensor, padding: int = 4) -> torch.Tensor:
    """Per-image random crop (after zero padding) and horizontal flip of an NCHW batch, on its device."""
    out = random_crop(x, padding)
    flip = torch.rand(len(x), device=x.device) < 0.5
    return torch.where(flip[:, None, None, None], out.flip(3), out)


DEFAULT_VAL_IMAGES = 5000  # the validation images of the default split, on the full data sets


def check_val_split(val_split: Any) -> None:
    """``ValueError`` unless ``val_split`` is None, a count >= 0 or a fraction in [0, 1)."""
    if val_split is None:
        return
    if isinstance(val_split, bool) or not isinstance(val_split, (int, float, np.integer, np.floating)):
        raise ValueError(f"val_split must be a count of images or a fraction in [0, 1), received {val_split!r}")
    if isinstance(val_split, (float, np.floating)) and not 0.0 <= val_split < 1.0:
        raise ValueError(f"val_split={val_split} is not a fraction in [0, 1); pass e.g. 0.1 or a count of images")
    if isinstance(val_split, (int, np.integer)) and val_split < 0:
        raise ValueError(f"val_split={val_split} is negative; pass the number of training images to hold out")


def validation_count(val_split: int | float | None, n: int) -> int:
    """Images of ``n`` held out for validation. The default (None) holds out 5000, or a twelfth
    (as 5000 of Fashion-MNIST's 60,000) of a data set with fewer than 12 x 5000 images."""
    if val_split is None:
        count = min(DEFAULT_VAL_IMAGES, max(1, n // 12))
    elif isinstance(val_split, (float, np.floating)):
        count = int(val_split * n)
    else:
        count = int(val_split)
    if val_split and count < 1:
        raise ValueError(f"val_split={val_split} of {n} training images holds out 0 for validation and {n} for "
                         f"training; pass a larger fraction, a count of images, or 0 for no validation")
    if n - count < 1:
        raise ValueError(f"val_split={val_split} holds out {count} of the {n} training images and leaves none "
                         f"to train on; pass a smaller count (--val-split) or a fraction such as 0.1")
    return count


class _ArrayDataModule(pl.LightningDataModule):
    """Shared logic: numpy arrays in, a seeded train/validation split, tensors out."""

    input_shape: tuple[int, ...] = ()
    loader: Any = None  # the seqnet loader: (path) -> ((X_train, y_train), (X_test, y_test))

    def __init__(self, data_dir: str | None = None, batch_size: int = 128, val_split: int | float | None = None,
                 num_workers: int = 0, on_device: bool = False, seed: int = 0, limit: int | None = None) -> None:
        super().__init__()
        check_val_split(val_split)
        self.data_dir, self.batch_size, self.val_split, self.limit = data_dir, batch_size, val_split, limit
        self.num_workers, self.on_device, self.seed = num_workers, on_device, seed
        self.train = self.val = self.test = None

    def _load(self) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
        if getattr(self, "_arrays", None) is None:  # read once: prepare_data's check serves setup too
            self._arrays = type(self).loader(self.data_dir)
        return self._arrays

    def prepare_data(self) -> None:
        if self.train is None:  # (the trainer calls it again in fit and test)
            self._load()  # fails early, with seqnet's message, when the files are missing

    def _tensors(self, X: np.ndarray, y: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.from_numpy(self.normalize(X).transpose(0, 3, 1, 2).copy()), torch.from_numpy(y)

    def normalize(self, X: np.ndarray) -> np.ndarray:
        """uint8 NHWC images -> float32 in the form the models train on."""
        return X.astype(np.float32) / 255.0

    def setup(self, stage: str | None = None) -> None:
        if self.train is not None:
            return
        (X, y), (X_test, y_test) = self._load()
        X, y, X_test, y_test = X[:self.limit], y[:self.limit], X_test[:self.limit], y_test[:self.limit]
        self._arrays = None  # the tensors below are what the module keeps
        n_val = validation_count(self.val_split, len(X))
        order = np.random.default_rng(self.seed).permutation(len(X))
        self.train = self._tensors(X[order[n_val:]], y[order[n_val:]])
        self.val = self._tensors(X[order[:n_val]], y[order[:n_val]])
        self.test = self._tensors(X_test, y_test)

    def _loader(self, tensors: tuple[torch.Tensor, torch.Tensor], shuffle: bool) -> Any:
        if self.on_device and self.trainer is not None:
            device = self.trainer.strategy.root_device
            return DeviceBatches(tensors[0].to(device), tensors[1].to(device), self.batch_size, shuffle, self.seed)
        return DataLoader(TensorDataset(*tensors), batch_size=self.batch_size, shuffle=shuffle,
                          num_workers=self.num_workers, persistent_workers=self.num_workers > 0)

    def train_dataloader(self) -> Any:
        return self._loader(self.train, True)

    def val_dataloader(self) -> Any:
        return self._loader(self.val, False)

    def test_dataloader(self) -> Any:
        return self._loader(self.test, False)


class FashionMNISTDataModule(_ArrayDataModule):
    """Fashion-MNIST from its IDX files (``seqnet.datasets.load_fashion_mnist``), as NCHW floats in [0, 1].

    Parameters
    ----------
    data_dir : str, optional
        Folder with the four IDX files; default: seqnet's search path.
    batch_size : int, default 128
    val_split : int, float or None, default None
        Training images held out for validation (a count, or a fraction in [0, 1)), chosen with
        ``seed``. None: 5000, or a twelfth of a data set smaller than 60,000 images.
    num_workers : int, default 0
    on_device : bool, default False
        Keep the whole data set as tensors on the training device (GPU) and cut batches there.
    limit : int, optional
        Use the first ``limit`` training and ``limit`` test images only (a quick try).
    """

    input_shape = (28, 28, 1)
    loader = staticmethod(load_fashion_mnist)


class CIFAR10DataModule(_ArrayDataModule):
    """CIFAR-10 from the official archive or folder (``seqnet.datasets.load_cifar10``).

    Images are standardised per channel; training batches get a random crop (``crop_padding``
    pixels of padding, default 4) and a horizontal flip on the device they are on. Parameters as
    :class:`FashionMNISTDataModule`, plus ``augment`` (default True), ``crop_padding`` and
    ``flip``: ``"random"`` mirrors each image with probability 1/2, ``"alternate"`` mirrors a
    random half of the training images (chosen with ``seed``) in even epochs and the other half in
    odd ones, as ``seqnet.augment.CropAndFlip(flip="alternate")`` does.
    """

    input_shape = (32, 32, 3)
    loader = staticmethod(load_cifar10)
    MEAN = np.array([0.4914, 0.4822, 0.4465], dtype=np.float32)
    STD = np.array([0.2470, 0.2435, 0.2616], dtype=np.float32)

    def __init__(self, data_dir: str | None = None, batch_size: int = 128, val_split: int | float | None = None,
                 num_workers: int = 0, on_device: bool = False, seed: int = 0, augment: bool = True,
                 crop_padding: int = 4, limit: int | None = None, flip: str = "random") -> None:
        super().__init__(data_dir, batch_size, val_split, num_workers, on_device, seed, limit)
        if flip not in ("random", "alternate"):
            raise ValueError(f"flip is 'random' or 'alternate', received flip={flip!r}")
        self.augment, self.crop_padding, self.flip = augment, int(crop_padding), flip

    def setup(self, stage: str | None = None) -> None:
        first = self.train is None
        super().setup(stage)
        if first and self.flip == "alternate":  # the half mirrored in even epochs; odd epochs mirror them all
            X = self.train[0]
            mirrored = torch.rand(len(X), generator=torch.Generator().manual_seed(self.seed)) < 0.5
            X[mirrored] = X[mirrored].flip(3)

    def normalize(self, X: np.ndarray) -> np.ndarray:
        return (X.astype(np.float32) / 255.0 - self.MEAN) / self.STD

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        if self.augment and self.trainer is not None and self.trainer.training:
            x, y = batch
            if self.flip == "random":
                return random_crop_flip(x, self.crop_padding), y
            x = random_crop(x, self.crop_padding)
            return (x.flip(3) if self.trainer.current_epoch % 2 else x), y
        return batch
