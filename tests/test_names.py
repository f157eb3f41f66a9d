"""Names of activations, losses, optimizers and metrics: any case works, and a typo gets a suggestion."""
import pytest

import seqnet
from seqnet import activations, losses, metrics, optimizers
from seqnet.layers import Dense


@pytest.mark.parametrize("get, name, cls", [
    (activations.get, "ReLU", "ReLU"), (activations.get, "LeakyReLU", "LeakyReLU"),
    (losses.get, "CrossEntropy", "CrossEntropy"), (losses.get, "Binary_CrossEntropy", "BinaryCrossEntropy"),
    (optimizers.get, "Adam", "Adam"), (optimizers.get, "RMSProp", "RMSprop"),
])
def test_names_match_regardless_of_case_and_underscores(get, name, cls):
    assert type(get(name)).__name__ == cls


@pytest.mark.parametrize("get, typo, suggestion", [
    (activations.get, "rellu", "relu"), (activations.get, "sigmod", "sigmoid"),
    (losses.get, "categorical_crossentropyy", "categorical_crossentropy"), (losses.get, "mse_loss", "mse"),
    (optimizers.get, "adm", "adam"), (optimizers.get, "sgdd", "sgd"),
    (metrics.get, "acuracy", "accuracy"),
])
def test_an_unknown_name_suggests_the_closest(get, typo, suggestion):
    with pytest.raises(ValueError, match=f"Did you mean '{suggestion}'\\?"):
        get(typo)


def test_nothing_close_suggests_nothing_and_lists_the_names():
    with pytest.raises(ValueError) as err:
        activations.get("xyzzy")
    assert "Did you mean" not in str(err.value) and "relu" in str(err.value)


def test_a_metric_in_any_case_is_recorded_under_its_own_name():
    model = seqnet.Sequential([Dense(2, activation="softmax", input_shape=(3,))], seed=0)
    model.compile("SGD", "Cross_Entropy", metrics=["Accuracy"])
    assert model.metrics == ["accuracy"]
