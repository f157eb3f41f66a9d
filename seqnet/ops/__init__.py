"""Stateless array kernels used by the layers: padding, sliding windows, im2col/col2im,
the three convolution engines and pooling. Naive loop references for the tests live in
:mod:`seqnet.ops.reference`."""
from .conv import (Workspace, col2im_add, conv2d_backward_gemm, conv2d_forward_gemm, conv_output_size,
                   normalize_pad, pad2d, sliding_windows)
from . import parallel
from .correlate import conv2d_backward_scipy, conv2d_forward_scipy
from .pool import pool2d_backward, pool2d_forward
from .spectral import conv2d_backward_spectral, conv2d_forward_spectral

__all__ = ["parallel", "pad2d", "normalize_pad", "conv_output_size", "sliding_windows", "Workspace", "col2im_add",
           "conv2d_forward_gemm", "conv2d_backward_gemm", "conv2d_forward_scipy", "conv2d_backward_scipy",
           "conv2d_forward_spectral", "conv2d_backward_spectral", "pool2d_forward", "pool2d_backward"]
