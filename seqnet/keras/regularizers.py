"""``keras.regularizers``: ``L1``, ``L2``, ``L1L2`` (and ``l1``, ``l2``, ``l1_l2``) as
``kernel_regularizer=`` / ``bias_regularizer=``, added to the loss as Keras adds them."""
from ..regularizers import L1, L1L2, L2, Regularizer, get
from ._missing import missing

l1, l2, l1_l2 = L1, L2, L1L2

__all__ = ["Regularizer", "L1", "L2", "L1L2", "l1", "l2", "l1_l2", "get"]


__getattr__ = missing(__name__)
