"""By construction: a model loaded through the Keras face holds the face's own class for every
layer the face has a variant of (Dense, Conv2D, the sequence layers...), inside wrappers too, with
Keras's weight shapes, from every format, whichever face wrote the file."""
import numpy as np
import pytest

import seqnet
import seqnet.keras as sk
from seqnet._registry import saved_class
from tests.saving.round_trip_cases import Case, model_for

#: the engine class -> the face's variant of it, for every variant the face exports
VARIANTS = {cls.engine_class: cls for cls in (getattr(sk.layers, n) for n in sk.layers.__all__)
            if isinstance(cls, type) and "engine_class" in vars(cls)}
CASES = [Case(face, "layer", name) for face in ("seqnet", "keras")
         for name in sorted({cls.__name__ for cls in VARIANTS} | {"Bidirectional", "TimeDistributed"})
         if face == "keras" or name not in ("Dense", "Conv2D")]  # seqnet's Dense/Conv2D take other arguments


def walk(layers):
    for layer in layers:
        yield layer
        for inner in getattr(layer, "_inner_layers", lambda: [])():
            yield from walk([inner])


@pytest.mark.parametrize("fmt", ["h5", "keras"])
@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_loading_through_the_face_gives_the_faces_classes(case, fmt, tmp_path):
    model, fit = model_for(case, tmp_path)
    model.save(tmp_path / f"m.{fmt}")
    loaded = sk.models.load_model(tmp_path / f"m.{fmt}")
    for layer in walk(loaded.layers):
        assert type(layer) is VARIANTS.get(saved_class(layer), type(layer)), layer
    X = fit["X"][:4]
    np.testing.assert_allclose(loaded.predict(X, verbose=0), seqnet.load_model(tmp_path / f"m.{fmt}").predict(X))
    if case.face == "keras" and case.name in sk.layers.__all__ and "engine_class" in vars(getattr(sk.layers, case.name)):
        # built through the face: Keras's weight shapes come back
        assert [w.shape for w in loaded.get_weights()] == [w.shape for w in model.get_weights()]
