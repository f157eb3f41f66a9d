"""Datasets, their file formats, and data helpers.

``load_iris`` reads the 150 Iris flowers shipped with seqnet. ``load_fashion_mnist`` and
``load_cifar10`` read the original files of those datasets (IDX, and CIFAR's pickled
batches), validating them as they go; without a ``path`` they look in, in order,
``$SEQNET_DATA``, ``~/.seqnet/datasets`` and ``/usr/share/datasets`` (where Debian's
``dataset-fashion-mnist`` package puts Fashion-MNIST). ``load_image_folder`` reads images
stored one folder per class (a folder, or a ``.tar``, ``.tar.gz`` or ``.zip`` of one), the form
users' own data comes in; ``load_cifar10`` reads CIFAR-10 in that form too.
"""
from ..losses import one_hot
from .cifar import CIFAR10_CLASSES, CIFAR10_MD5, CIFAR10_URL, load_cifar10, load_kaggle_test, write_kaggle_submission
from .fashion import FASHION_MNIST_CLASSES, FASHION_MNIST_FILES, FASHION_MNIST_URL, load_fashion_mnist, read_idx
from .files import DatasetError, data_dirs
from .images import ImageFolderDataset, load_image_folder
from .tables import IRIS_CLASSES, load_iris, minibatches, standardize

__all__ = ["load_image_folder", "ImageFolderDataset", "load_iris", "load_fashion_mnist", "load_cifar10",
           "load_kaggle_test", "write_kaggle_submission", "read_idx", "one_hot", "standardize", "minibatches", "DatasetError", "data_dirs", "FASHION_MNIST_CLASSES",
           "CIFAR10_CLASSES", "IRIS_CLASSES", "FASHION_MNIST_URL", "FASHION_MNIST_FILES", "CIFAR10_URL", "CIFAR10_MD5"]
