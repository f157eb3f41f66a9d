"""The CIFAR recipe's pieces that live outside the optimizers and losses: flip test-time
augmentation and the architecture the recipe trains."""
import numpy as np
import pytest

import seqnet
from seqnet.architectures import cifar_fast, whitening_weights
from seqnet.augment import predict_flip_tta
from seqnet.layers import BatchNorm, Conv2D, Flatten


def test_flip_tta_averages_an_image_and_its_mirror(rng):
    model = seqnet.Sequential([Conv2D(2, 3, input_shape=(6, 6, 1)), Flatten(), seqnet.layers.Dense(3, activation="softmax")],
                              seed=0)
    X = rng.normal(size=(5, 6, 6, 1)).astype(np.float32)
    expected = (model.predict(X) + model.predict(X[:, :, ::-1])) / 2
    np.testing.assert_allclose(predict_flip_tta(model, X, batch_size=2), expected, rtol=1e-6)
    symmetric = np.concatenate([X[:, :, :3], X[:, :, :3][:, :, ::-1]], axis=2)  # mirror images of themselves
    np.testing.assert_allclose(predict_flip_tta(model, symmetric), model.predict(symmetric), rtol=1e-5)


def test_translate_tta_adds_the_shifted_views_with_half_the_weight(rng):
    model = seqnet.Sequential([Flatten(input_shape=(4, 4, 1)), seqnet.layers.Dense(2, activation="softmax")], seed=0)
    X = rng.normal(size=(3, 4, 4, 1)).astype(np.float32)
    padded = np.pad(X, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="reflect")
    views = [padded[:, :4, :4], padded[:, 2:6, 2:6]]
    expected = 0.5 * predict_flip_tta(model, X) + 0.25 * sum(predict_flip_tta(model, v) for v in views)
    np.testing.assert_allclose(predict_flip_tta(model, X, translate=1), expected, rtol=1e-6)
    assert np.allclose(predict_flip_tta(model, X, translate=1).sum(axis=1), 1.0)


def test_cifar_fast_is_two_convolutions_per_block_on_a_frozen_whitening(rng):
    X = rng.normal(size=(200, 32, 32, 3))
    model = cifar_fast(seed=0, whiten_from=X, width=8)
    convs = [layer for layer in model.layers if isinstance(layer, Conv2D)]
    assert len(convs) == 1 + 3 * 2 and [c.n_out for c in convs[1:]] == [8, 8, 32, 32, 32, 32]
    assert not convs[0].trainable and all(c.trainable and not c.use_bias for c in convs[1:])
    assert sum(isinstance(layer, BatchNorm) for layer in model.layers) == 6
    np.testing.assert_allclose(convs[0].parameters["W"], whitening_weights(X), rtol=1e-5, atol=1e-6)
    assert model.output_shape == (None, 10)


def test_each_test_time_view_is_predicted_once(tmp_path):
    """The plain view, predicted once, serves the evaluation, the TTA mean and the report."""
    import seqnet
    from seqnet.augment import predict_flip_tta
    from seqnet.experiment import Run
    from seqnet.inference import evaluate_outputs
    from seqnet.layers import Conv2D, Dense, Flatten
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(12, 6, 6, 2)).astype(np.float32), rng.integers(0, 3, 12)
    model = seqnet.Sequential([Conv2D(3, 3, activation="relu"), Flatten(), Dense(3, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy", ["accuracy"])
    model.fit(X, y, epochs=1, verbose=0)
    calls = []
    predict = model.predict
    model.predict = lambda images, **kw: calls.append(len(images)) or predict(images, **kw)
    plain = model.predict(X)
    assert np.array_equal(predict_flip_tta(model, X, plain=plain), predict_flip_tta(model, X))
    calls.clear()
    predict_flip_tta(model, X, plain=plain)
    assert calls == [12]  # the mirror images only
    expected = model.evaluate(X, y, return_dict=True)
    assert evaluate_outputs(model, y, plain) == pytest.approx(expected, rel=1e-6)
    calls.clear()
    results = Run("r", {}, root=tmp_path).finish(model, test_data=(X, y), predictions=plain, outputs=plain)
    assert calls == [] and results["test_loss"] == pytest.approx(expected["loss"], rel=1e-6)


def test_alternating_flips_mirror_each_image_every_other_epoch(rng):
    from seqnet.augment import CropAndFlip
    X = rng.normal(size=(10, 4, 5, 2)).astype(np.float32)
    augment = CropAndFlip(padding=0, flip="alternate")
    seen = []
    for epoch in range(4):
        order = rng.permutation(10)
        out = np.concatenate([augment(X[order[i:i + 4]], rng, positions=order[i:i + 4], epoch=epoch)
                              for i in range(0, 10, 4)])
        mirrored = np.all(out == X[order][:, :, ::-1], axis=(1, 2, 3))
        assert np.all(mirrored | np.all(out == X[order], axis=(1, 2, 3)))
        seen.append(mirrored[np.argsort(order)])
    assert 0 < seen[0].sum() < 10
    np.testing.assert_array_equal(seen[1], ~seen[0])
    np.testing.assert_array_equal(seen[2], seen[0])
    np.testing.assert_array_equal(seen[3], ~seen[0])


def test_random_flips_draw_what_crop_and_flip_draws(rng):
    from seqnet.augment import CropAndFlip, crop_and_flip
    X = rng.normal(size=(6, 8, 8, 3))
    a, b = np.random.default_rng(3), np.random.default_rng(3)
    np.testing.assert_array_equal(CropAndFlip(2)(X, a, positions=np.arange(6), epoch=1), crop_and_flip(X, b, 2))
    with pytest.raises(ValueError, match="flip"):
        CropAndFlip(2, flip="sometimes")


def test_fit_tells_a_per_example_augmentation_the_positions_and_the_epoch(rng):
    calls = []

    class Recorder:
        per_example = True

        def __call__(self, X, rng, positions, epoch):
            calls.append((epoch, positions.copy()))
            return X

    model = seqnet.Sequential([seqnet.layers.Dense(2, activation="softmax")], seed=0)
    model.compile("sgd", "cross_entropy")
    X, y = rng.normal(size=(7, 3)), rng.integers(0, 2, size=7)
    model.fit(X, y, batch_size=3, epochs=2, verbose=0, augment=Recorder())
    assert [c[0] for c in calls] == [0, 0, 0, 1, 1, 1]
    for epoch in (0, 1):
        assert sorted(np.concatenate([p for e, p in calls if e == epoch])) == list(range(7))
    model.fit(X, y, batch_size=3, epochs=1, verbose=0, shuffle=False, augment=Recorder())
    assert [list(p) for _, p in calls[6:]] == [[0, 1, 2], [3, 4, 5], [6]]
    with pytest.raises(ValueError, match="place in the training set"):
        model.fit(iter([(X[:3], y[:3])]), epochs=1, verbose=0, augment=Recorder())
