"""Keras's callback contract, checked against Keras 3 running the same code: the hooks called, in
order, with the keys of ``logs`` (always a dict), in fit (validation included), evaluate and
predict; and the metrics Keras logs (names, values, weighted_metrics) on copied weights."""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

import seqnet  # noqa: E402
from seqnet import metrics as M  # noqa: E402
from seqnet.layers import Dense  # noqa: E402

HOOKS = ["on_train_begin", "on_train_end", "on_epoch_begin", "on_epoch_end", "on_train_batch_begin",
         "on_train_batch_end", "on_test_begin", "on_test_end", "on_test_batch_begin", "on_test_batch_end",
         "on_predict_begin", "on_predict_end", "on_predict_batch_begin", "on_predict_batch_end"]

rng = np.random.default_rng(0)
X = rng.normal(size=(40, 4)).astype(np.float32)
y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
W = rng.uniform(0.2, 2.0, size=40).astype(np.float32)


def recorder(base):
    """A callback class over ``base`` that records every hook and the keys of its logs."""
    def make(hook):
        def method(self, *args, **kwargs):  # Keras passes logs by position to some hooks, by name to others
            indexed = "epoch" in hook or "batch" in hook
            logs = args[indexed] if len(args) > indexed else kwargs.get("logs")
            self.calls.append((hook, *args[:indexed], None if logs is None else tuple(sorted(logs))))
        return method
    return type("Recorder", (base,), {"calls": None, **{h: make(h) for h in HOOKS},
                                      "__init__": lambda self: (base.__init__(self), setattr(self, "calls", []))[0]})


class OnlyBatchEnd:
    def __init__(self):
        self.batches = []

    def on_batch_end(self, batch, logs=None):
        self.batches.append((batch, sorted(logs)))


def models(metrics, weighted_metrics=None):
    k = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                          keras.layers.Dense(2, activation="softmax")])
    s = seqnet.Sequential([Dense(3, activation="relu"), Dense(2, activation="softmax")], seed=0)
    s.build((4,))
    s.set_weights([w.reshape(t.shape) for w, t in zip(k.get_weights(), s.get_weights())])
    for m in (k, s):
        m.compile(optimizer=keras.optimizers.SGD(0.1) if m is k else seqnet.optimizers.SGD(lr=0.1),
                  loss="sparse_categorical_crossentropy", metrics=metrics(m is k),
                  weighted_metrics=None if weighted_metrics is None else weighted_metrics(m is k))
    return k, s


def test_the_hooks_and_their_logs_are_keras_s():
    k, s = models(lambda keras_side: ["accuracy"])
    calls = {}
    for model, base in ((k, keras.callbacks.Callback), (s, seqnet.callbacks.Callback)):
        rec, only = recorder(base)(), type("Only", (OnlyBatchEnd, base), {})()
        OnlyBatchEnd.__init__(only)
        model.fit(X, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(X[:10], y[:10]),
                  callbacks=[rec, only])
        model.evaluate(X, y, batch_size=16, verbose=0, callbacks=[rec])
        model.predict(X, batch_size=16, verbose=0, callbacks=[rec])
        calls[model is k] = (rec.calls, only.batches)
    assert calls[False] == calls[True]


@pytest.mark.parametrize("kind", ["objects", "weighted"])
def test_metrics_log_keras_s_names_and_numbers(kind):
    if kind == "objects":
        def metrics(keras_side):
            lib = keras.metrics if keras_side else M
            names = dict(name="auc_x"), dict(name="precision_x"), dict(name="recall_x"), {}
            return [cls(**kw) for cls, kw in zip((lib.AUC, lib.Precision, lib.Recall, lib.CategoricalAccuracy), names)]
        weighted = None
    else:
        def metrics(keras_side):
            return ["accuracy"]

        def weighted(keras_side):
            return ["accuracy"]
    k, s = models(metrics, weighted)
    Y2 = np.eye(2, dtype=np.float32)[y]
    target = Y2 if kind == "objects" else y
    if kind == "objects":
        for m in (k, s):
            m.compile(optimizer=keras.optimizers.SGD(0.1) if m is k else seqnet.optimizers.SGD(lr=0.1),
                      loss="categorical_crossentropy", metrics=metrics(m is k) + ["accuracy"])
    hk = k.fit(X, target, batch_size=16, epochs=2, shuffle=False, verbose=0, sample_weight=W).history
    hs = s.fit(X, target, batch_size=16, epochs=2, shuffle=False, verbose=0, sample_weight=W).history
    assert sorted(hk) == sorted(hs)
    for key in hk:
        np.testing.assert_allclose(hs[key], hk[key], rtol=1e-5, atol=1e-6, err_msg=key)
    ek = k.evaluate(X, target, verbose=0, sample_weight=W, return_dict=True)
    es = s.evaluate(X, target, sample_weight=W, return_dict=True)
    assert sorted(ek) == sorted(es)
    for key in ek:
        np.testing.assert_allclose(es[key], ek[key], rtol=1e-5, atol=1e-6, err_msg=key)
