"""The image augmentation layers against Keras's: a factor range of one value makes the random
transform fixed, so both libraries must give the same image; the backward pass is the exact
adjoint of the forward one, and inference passes the image through."""
import numpy as np
import pytest

from .conftest import copy_weights

from seqnet.layers import RandomCrop, RandomTranslation, RandomZoom

FILL_MODES = ["reflect", "wrap", "constant", "nearest"]
IMAGES = np.random.default_rng(0).normal(size=(2, 7, 9, 3)).astype("float32")


def _training_output(layer, images=IMAGES):
    layer.build(images.shape[1:], dtype=np.float32)
    layer.training = True
    return layer.forward(images)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("factors", [((0.25, 0.25), (-0.1, -0.1)), ((-0.6, -0.6), (0.45, 0.45)),
                                     ((1.0, 1.0), (-1.0, -1.0))])
def test_random_translation_moves_the_image_as_keras_does(libs, fill_mode, interpolation, factors):
    keras, face = libs
    options = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=0.7)
    ours = _training_output(face.layers.RandomTranslation(*factors, **options))
    theirs = np.asarray(keras.layers.RandomTranslation(*factors, **options)(IMAGES, training=True))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("fill_mode", FILL_MODES)
@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize("factors", [((0.3, 0.3), (-0.2, -0.2)), ((-0.5, -0.5), None), ((0.9, 0.9), (0.4, 0.4))])
def test_random_zoom_zooms_as_keras_does(libs, fill_mode, interpolation, factors):
    keras, face = libs
    options = dict(fill_mode=fill_mode, interpolation=interpolation, fill_value=-0.3)
    ours = _training_output(face.layers.RandomZoom(*factors, **options))
    theirs = np.asarray(keras.layers.RandomZoom(*factors, **options)(IMAGES, training=True))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)


@pytest.mark.parametrize("size", [(3, 4), (5, 5), (7, 9), (10, 12), (6, 2)])
def test_random_crop_in_inference_is_keras_s_centred_resize(libs, size):
    keras, face = libs
    crop = face.layers.RandomCrop(*size)
    crop.build(IMAGES.shape[1:], dtype=np.float32)
    crop.training = False
    expected = np.asarray(keras.preprocessing.image.smart_resize(IMAGES, size))
    np.testing.assert_allclose(crop.forward(IMAGES), expected, atol=1e-5)
    assert crop.compute_output_shape(IMAGES.shape[1:]) == (*size, 3)


def test_random_crop_in_training_takes_a_window_of_each_image_at_its_own_place():
    images = np.arange(40 * 7 * 9, dtype=float).reshape(40, 7, 9, 1)
    crops = _training_output(RandomCrop(3, 4, seed=1), images)
    assert crops.shape == (40, 3, 4, 1)
    corners = set()
    for image, crop in zip(images[..., 0], crops[..., 0]):
        top, left = np.argwhere(image == crop[0, 0])[0]
        np.testing.assert_array_equal(crop, image[top:top + 3, left:left + 4])
        corners.add((top, left))
    assert len(corners) > 5


@pytest.mark.parametrize("layer", [RandomTranslation(0.3, 0.2, fill_mode="constant"), RandomTranslation(0.4, 0.4),
                                   RandomTranslation(0.3, 0.3, fill_mode="wrap", interpolation="nearest"),
                                   RandomZoom(0.5, fill_mode="nearest"), RandomZoom((-0.5, 0.5), (0.1, 0.6)),
                                   RandomCrop(4, 5), RandomCrop(12, 3)], ids=lambda layer: type(layer).__name__)
def test_the_backward_pass_is_the_adjoint_of_the_forward_one(layer):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(6, 7, 9, 2))
    layer.build(x.shape[1:], rng=np.random.default_rng(3), dtype=np.float64)
    y = layer.forward(x)
    assert y.shape[1:] == layer.compute_output_shape(x.shape[1:])
    dy = rng.normal(size=y.shape)
    assert np.sum(dy * y) == pytest.approx(np.sum(layer.backward(dy) * x), rel=1e-12)


def test_inference_passes_the_image_through_and_seeds_repeat_the_draws():
    x = np.random.default_rng(4).normal(size=(3, 6, 6, 1))
    for layer in (RandomTranslation(0.3, 0.3), RandomZoom(0.4)):
        layer.build(x.shape[1:])
        layer.training = False
        assert np.array_equal(layer.forward(x), x)
    twice = [_training_output(RandomZoom(0.4, seed=7), x.astype("float32")) for _ in range(2)]
    np.testing.assert_array_equal(*twice)


def test_bad_arguments_say_what_is_allowed():
    with pytest.raises(ValueError, match="fill_mode is one of"):
        RandomTranslation(0.1, 0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\]"):
        RandomTranslation(1.5, 0.1)
    with pytest.raises(ValueError, match=r"must lie in \(-1, 1\]"):
        RandomZoom((-1.0, 0.2))
    with pytest.raises(ValueError, match="channels_last"):
        RandomZoom(0.2, data_format="channels_first")
    with pytest.raises(ValueError, match="positive integer"):
        RandomCrop(0, 3)


def test_a_model_with_the_layers_trains_saves_and_reloads(tmp_path, libs):
    _, face = libs
    model = face.Sequential([face.Input((8, 8, 3)), face.layers.RandomTranslation(0.1, 0.1, seed=1),
                             face.layers.RandomZoom(0.1), face.layers.RandomCrop(6, 6), face.layers.Flatten(),
                             face.layers.Dense(2)])
    x = np.random.default_rng(5).normal(size=(16, 8, 8, 3)).astype("float32")
    model.compile(loss="mse", optimizer="sgd")
    model.fit(x, np.zeros((16, 2)), epochs=1, verbose=0)
    model.save(tmp_path / "m.keras")
    again = face.models.load_model(tmp_path / "m.keras")
    assert [layer.get_config() for layer in again.layers] == [layer.get_config() for layer in model.layers]
    np.testing.assert_allclose(again.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_preprocessing_and_augmentation_layers_travel_both_ways_in_keras_files(tmp_path, libs):
    """(Keras 3's RandomCrop passes images uncropped in inference, so its model cannot predict; the
    crop travels on its own, below.)"""
    keras, face = libs
    images = np.random.default_rng(6).normal(size=(6, 8, 8, 3)).astype("float32")
    models = {}
    for lib in libs:
        norm = lib.layers.Normalization()
        norm.adapt(images)
        models[lib] = lib.Sequential([
            lib.Input((8, 8, 3)), lib.layers.Rescaling(0.5, offset=0.1), norm,
            lib.layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[1.0, 1.0, 4.0]), lib.layers.RandomFlip("vertical"),
            lib.layers.RandomTranslation(0.1, (-0.2, 0.3), fill_mode="constant", fill_value=0.5, seed=3),
            lib.layers.RandomZoom(0.1, interpolation="nearest"), lib.layers.Flatten(), lib.layers.Dense(2)])
    copy_weights(models[keras], models[face])
    models[keras].save(tmp_path / "k.keras")
    models[face].save(tmp_path / "s.keras")
    expected = models[keras].predict(images, verbose=0)
    for reader, path in [(face, "k.keras"), (keras, "s.keras"), (face, "s.keras")]:
        loaded = reader.models.load_model(tmp_path / path)
        assert [type(layer).__name__ for layer in loaded.layers] == [type(layer).__name__
                                                                      for layer in models[keras].layers]
        np.testing.assert_allclose(loaded.predict(images, verbose=0), expected, rtol=1e-4, atol=1e-5)
        augment = {k: v for k, v in loaded.layers[5].get_config().items() if k not in ("name", "dtype")}
        assert augment == {k: v for k, v in models[keras].layers[5].get_config().items() if k not in ("name", "dtype")}


def test_a_random_crop_travels_in_keras_files(tmp_path, libs):
    keras, face = libs
    model = face.Sequential([face.Input((8, 8, 3)), face.layers.RandomCrop(6, 5, seed=4)])
    model.save(tmp_path / "crop.keras")
    for reader in libs:
        crop = reader.models.load_model(tmp_path / "crop.keras").layers[0]
        assert type(crop).__name__ == "RandomCrop"
        assert (crop.height, crop.width, crop.seed) == (6, 5, 4)
