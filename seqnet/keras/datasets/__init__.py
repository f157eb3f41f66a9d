"""``keras.datasets``: ``mnist``, ``fashion_mnist``, ``cifar10`` and ``imdb``, each with ``load_data()``
returning Keras's arrays and dtypes. A copy found locally is read (``$SEQNET_DATA``,
``~/.seqnet/datasets``, Debian's ``/usr/share/datasets``); else the official files are
downloaded once into ``~/.seqnet/datasets`` and their checksums verified."""
from . import cifar10, fashion_mnist, imdb, mnist
from .._missing import missing

__all__ = ["mnist", "fashion_mnist", "cifar10", "imdb"]


__getattr__ = missing(__name__)
