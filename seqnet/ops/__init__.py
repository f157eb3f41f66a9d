"""Stateless array kernels used by the layers: padding, sliding windows, im2col/col2im, the dense
and batch-normalization kernels, the three convolution engines and pooling. Only these kernels
split work over threads (:mod:`seqnet.ops.parallel`). Naive loop references for the tests live
in :mod:`seqnet.ops.reference`."""
from . import parallel
from .batchnorm import batchnorm_backward, batchnorm_forward_eval, batchnorm_forward_train
from .conv import (Workspace, col2im_add, conv2d_backward_gemm, conv2d_forward_gemm, conv_output_size,
                   normalize_pad, pad2d, sliding_windows)
from .correlate import conv2d_backward_scipy, conv2d_forward_scipy
from .dense import dense_backward, dense_forward
from .engines import ConvEngine, choose_engine, make_engine
from .parallel import scope as step_scope
from .pool import pool2d_backward, pool2d_forward
from .spectral import conv2d_backward_spectral, conv2d_forward_spectral

__all__ = ["parallel", "step_scope", "pad2d", "normalize_pad", "conv_output_size", "sliding_windows", "Workspace",
           "col2im_add", "conv2d_forward_gemm", "conv2d_backward_gemm", "conv2d_forward_scipy",
           "conv2d_backward_scipy", "conv2d_forward_spectral", "conv2d_backward_spectral", "ConvEngine",
           "choose_engine", "make_engine", "dense_forward", "dense_backward", "batchnorm_forward_train",
           "batchnorm_forward_eval", "batchnorm_backward", "pool2d_forward", "pool2d_backward"]
