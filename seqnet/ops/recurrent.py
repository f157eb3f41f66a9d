"""Recurrent layers' kernels: SimpleRNN, LSTM and GRU, forward and backpropagation through time.

Every kernel takes batch-major input ``X`` ``(n, T, d)``, Keras's weight layout (``W`` ``(d, G*u)``,
``U`` ``(u, G*u)`` with the ``G`` gates side by side: LSTM ``i, f, c, o``; GRU ``z, r, h``) and an
optional ``mask`` ``(n, T)`` of the steps to read. The input projection ``X W + b`` of every step
is one matrix product; each step then adds one recurrent product ``h U`` and its elementwise
gates, for the whole batch at once. Outputs are ``(n, T, u)``: the state after every step.

At a masked step the state is carried over unchanged (Keras's rule), so the output there repeats
the last one, or is zero with ``zero_masked`` (Keras's ``zero_output_for_mask``, which its
Bidirectional sets). ``go_backwards`` reads the steps last to first, and returns the outputs in that
order, as Keras does. The backward pass walks the steps in reverse, carrying ``dL/dh`` (and the
LSTM's ``dL/dc``) from each step to the one before; a masked step passes them straight through.
"""
from __future__ import annotations

from typing import Any

import numpy as np


GATES = {"simple_rnn": 1, "lstm": 4, "gru": 3}


def _kind(act: Any) -> str:
    """The activation's registered name: "sigmoid" and "tanh" get the fast paths (activations
    are any objects with ``forward(Z)`` and ``backward(Z, dY)``, as :mod:`seqnet.activations`')."""
    return getattr(type(act), "registered_name", "")


def _activate(act: Any, Z: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out[...] = act(Z)``; the sigmoid as ``(1 + tanh(z/2)) / 2`` (the same function, in four
    in-place passes that never overflow), the tanh in place."""
    if _kind(act) == "sigmoid":
        np.multiply(Z, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
    elif _kind(act) == "tanh":
        np.tanh(Z, out=out)
    else:
        out[...] = act.forward(Z)
    return out


def _derivative(act: Any, Z: np.ndarray, Y: np.ndarray, dY: np.ndarray) -> np.ndarray:
    """``dY * act'(Z)``, from the output ``Y = act(Z)`` where that is cheaper."""
    if _kind(act) == "sigmoid":
        return dY * Y * (1 - Y)
    if _kind(act) == "tanh":
        return dY * (1 - Y * Y)
    return act.backward(Z, dY)


def _time_major(X: np.ndarray, mask: np.ndarray | None, go_backwards: bool
                ) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` as ``(T, n, d)`` and the mask as ``(T, n, 1)`` booleans, in the order the steps are read."""
    steps = slice(None, None, -1) if go_backwards else slice(None)
    Xt = np.ascontiguousarray(X[:, steps].transpose(1, 0, 2))
    if mask is None:
        return Xt, None
    return Xt, np.ascontiguousarray(np.asarray(mask, dtype=bool)[:, steps].T)[:, :, None]


def recurrent_forward(kind: str, X: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray,
                      activation: Any, recurrent_activation: Any, mask: np.ndarray | None = None,
                      go_backwards: bool = False, reset_after: bool = True, zero_masked: bool = False
                      ) -> tuple[np.ndarray, dict[str, Any]]:
    """``(H, kept)``: the outputs ``(n, T, u)`` of a ``kind`` layer ("simple_rnn", "lstm", "gru")
    and what :func:`recurrent_backward` needs.

    ``b`` is ``(G*u,)``; a GRU with ``reset_after`` has ``(2, 3u)``: the input bias, then the
    recurrent bias, which is added to ``h U`` inside the reset gate's product.
    """
    Xt, M = _time_major(X, mask, go_backwards)
    T, n, d = Xt.shape
    u = U.shape[0]
    input_bias = b[0] if b.ndim == 2 else b
    XW = (Xt.reshape(T * n, d) @ W).reshape(T, n, -1)
    XW += input_bias
    h = np.zeros((n, u), dtype=X.dtype)
    c = np.zeros((n, u), dtype=X.dtype) if kind == "lstm" else None
    H = np.empty((T, n, u), dtype=X.dtype)
    Z = np.empty_like(XW)  # pre-activations of the gates
    A = np.empty_like(XW)  # and their values
    kept: dict[str, Any] = {"kind": kind, "Xt": Xt, "M": M, "Z": Z, "A": A, "H": H, "go_backwards": go_backwards,
                            "reset_after": reset_after, "activation": activation,
                            "recurrent_activation": recurrent_activation, "n_in": X.shape}
    if kind == "lstm":
        kept["C"] = C = np.empty((T, n, u), dtype=X.dtype)
        kept["tanhC"] = Ct = np.empty((T, n, u), dtype=X.dtype)
    if kind == "gru":
        kept["R"] = R = np.empty((T, n, u), dtype=X.dtype)  # h U_h (+ b_rec), or r * h without reset_after
    for t in range(T):
        z, a = Z[t], A[t]
        if kind == "simple_rnn":
            np.matmul(h, U, out=z)
            z += XW[t]
            new_h = _activate(activation, z, a)
        elif kind == "lstm":
            np.matmul(h, U, out=z)
            z += XW[t]
            _activate(recurrent_activation, z[:, :2 * u], a[:, :2 * u])
            _activate(activation, z[:, 2 * u:3 * u], a[:, 2 * u:3 * u])
            _activate(recurrent_activation, z[:, 3 * u:], a[:, 3 * u:])
            i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
            new_c = np.multiply(f, c, out=C[t])
            new_c += i * g
            new_h = np.multiply(o, _activate(activation, new_c, Ct[t]), out=H[t])
        else:
            if reset_after:
                rec = h @ U
                rec += b[1]
                np.add(XW[t, :, :2 * u], rec[:, :2 * u], out=z[:, :2 * u])
                _activate(recurrent_activation, z[:, :2 * u], a[:, :2 * u])
                R[t] = rec[:, 2 * u:]
                np.multiply(a[:, u:2 * u], R[t], out=z[:, 2 * u:])
            else:
                np.matmul(h, U[:, :2 * u], out=z[:, :2 * u])
                z[:, :2 * u] += XW[t, :, :2 * u]
                _activate(recurrent_activation, z[:, :2 * u], a[:, :2 * u])
                np.multiply(a[:, u:2 * u], h, out=R[t])
                np.matmul(R[t], U[:, 2 * u:], out=z[:, 2 * u:])
            z[:, 2 * u:] += XW[t, :, 2 * u:]
            _activate(activation, z[:, 2 * u:], a[:, 2 * u:])
            zg, hh = a[:, :u], a[:, 2 * u:]
            new_h = np.subtract(h, hh, out=H[t])  # z h + (1 - z) hh = hh + z (h - hh)
            new_h *= zg
            new_h += hh
        if M is not None:
            new_h = np.where(M[t], new_h, h)
            if kind == "lstm":
                C[t] = c = np.where(M[t], new_c, c)
        elif kind == "lstm":
            c = new_c
        H[t] = h = new_h
    kept["zero_masked"] = zero_masked and M is not None
    return (np.where(M, H, 0) if kept["zero_masked"] else H).transpose(1, 0, 2), kept


def recurrent_backward(dH: np.ndarray, W: np.ndarray, U: np.ndarray, b: np.ndarray, kept: dict[str, Any],
                       need_dX: bool = True) -> tuple[np.ndarray | None, np.ndarray, np.ndarray, np.ndarray]:
    """``(dX, dW, dU, db)`` from ``dH`` ``(n, T, u)``, the gradient of every output of
    :func:`recurrent_forward` (zeros where an output was not used).

    The steps are walked last to first for ``dh`` (and the LSTM's ``dc``); each step's gradient of
    what multiplies ``U`` is kept, so that ``dU``, like ``dW``, ``db`` and ``dX``, is one matrix
    product over all steps after the walk.
    """
    kind, Xt, M, Z, A, H = (kept[k] for k in ("kind", "Xt", "M", "Z", "A", "H"))
    act, ract = kept["activation"], kept["recurrent_activation"]
    T, n, d = Xt.shape
    u = U.shape[0]
    dHt = dH.transpose(1, 0, 2)
    if kept["zero_masked"]:  # those outputs were zeros, not the state
        dHt = np.where(M, dHt, 0)
    dZ = np.empty_like(Z)  # gradients of the gates' pre-activations, step by step
    reset_after = kind == "gru" and kept["reset_after"]
    DR = np.empty_like(Z) if reset_after else dZ  # what multiplies U, where it is not dZ itself
    dh = np.zeros((n, u), dtype=dH.dtype)
    dc = np.zeros((n, u), dtype=dH.dtype) if kind == "lstm" else None
    zeros = np.zeros((n, u), dtype=dH.dtype)
    Ut = np.ascontiguousarray(U.T)
    for t in range(T - 1, -1, -1):
        h_prev = H[t - 1] if t else zeros
        dh = dh + dHt[t]
        if M is not None:  # a masked step hands its gradients to the step before, unchanged
            carried_h, dh = np.where(M[t], 0, dh), np.where(M[t], dh, 0)
            if kind == "lstm":
                carried_c, dc = np.where(M[t], 0, dc), np.where(M[t], dc, 0)
        z, a, dz = Z[t], A[t], dZ[t]
        if kind == "simple_rnn":
            dz[:] = _derivative(act, z, a, dh)
            dh = dz @ Ut
        elif kind == "lstm":
            c_prev = kept["C"][t - 1] if t else zeros
            i, f, g, o = a[:, :u], a[:, u:2 * u], a[:, 2 * u:3 * u], a[:, 3 * u:]
            tc = kept["tanhC"][t]
            dc = dc + _derivative(act, kept["C"][t], tc, dh * o)
            dz[:, :u] = _derivative(ract, z[:, :u], i, dc * g)
            dz[:, u:2 * u] = _derivative(ract, z[:, u:2 * u], f, dc * c_prev)
            dz[:, 2 * u:3 * u] = _derivative(act, z[:, 2 * u:3 * u], g, dc * i)
            dz[:, 3 * u:] = _derivative(ract, z[:, 3 * u:], o, dh * tc)
            dh, dc = dz @ Ut, dc * f
        else:
            zg, r, hh = a[:, :u], a[:, u:2 * u], a[:, 2 * u:]
            dah = dz[:, 2 * u:] = _derivative(act, z[:, 2 * u:], hh, dh * (1 - zg))
            dgate = np.empty((n, 2 * u), dtype=dH.dtype)
            np.subtract(h_prev, hh, out=dgate[:, :u])
            dgate[:, :u] *= dh
            dh = dh * zg
            if reset_after:
                np.multiply(dah, kept["R"][t], out=dgate[:, u:])
                dz[:, :2 * u] = _derivative(ract, z[:, :2 * u], a[:, :2 * u], dgate)
                drec = DR[t]
                drec[:, :2 * u] = dz[:, :2 * u]
                np.multiply(dah, r, out=drec[:, 2 * u:])
                dh += drec @ Ut
            else:
                drh = dah @ Ut[2 * u:]
                np.multiply(drh, h_prev, out=dgate[:, u:])
                dz[:, :2 * u] = _derivative(ract, z[:, :2 * u], a[:, :2 * u], dgate)
                dh += drh * r
                dh += dz[:, :2 * u] @ Ut[:2 * u]
        if M is not None:
            dh = dh + carried_h
            if kind == "lstm":
                dc = dc + carried_c
    # the weights' gradients: one product each over all T*n rows
    H_prev = np.concatenate([zeros[None], H[:-1]]).reshape(T * n, u)
    if kind == "gru" and not reset_after:
        dU = np.empty_like(U)
        np.matmul(H_prev.T, dZ[:, :, :2 * u].reshape(T * n, 2 * u), out=dU[:, :2 * u])
        np.matmul(kept["R"].reshape(T * n, u).T, dZ[:, :, 2 * u:].reshape(T * n, u), out=dU[:, 2 * u:])
    else:
        dU = H_prev.T @ DR.reshape(T * n, -1)
    flat = dZ.reshape(T * n, -1)
    dW = Xt.reshape(T * n, d).T @ flat
    db_in = flat.sum(axis=0)
    db = np.stack([db_in, DR.reshape(T * n, -1).sum(axis=0)]) if b.ndim == 2 else db_in
    dX = None
    if need_dX:
        dX = (flat @ W.T).reshape(T, n, d).transpose(1, 0, 2)
        if kept["go_backwards"]:
            dX = dX[:, ::-1]
        dX = np.ascontiguousarray(dX)
    return dX, dW, dU.astype(U.dtype, copy=False), db.astype(b.dtype, copy=False)
