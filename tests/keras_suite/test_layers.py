"""Keras's layer tests against ``seqnet.keras.layers`` (see :mod:`tests.keras_suite.porting`)."""
from tests.keras_suite.porting import port

LAYERS = "from seqnet.keras import layers as {}"
NO_TF = {"from tensorflow import data as tf_data\n": "tf_data = None  # tf.data is out of scope\n"}
TF_DATA = "tf.data and grain pipelines: seqnet takes arrays, generators and PyDataset-like datasets"
SHAPES = "1-D and 3-D pooling: seqnet's pooling layers take images (the 2-D ones)"
MASKS = "masks of padded steps (Masking, mask=): seqnet's models take dense batches"
DYNAMIC = "symbolic or dynamic shapes (KerasTensor, None in Input): a seqnet model is built for one example shape"
QUANTIZED = "quantization and LoRA: seqnet trains and predicts in float32 and float64"
DTYPES = "dtype policies and mixed precision: seqnet computes in float32 and float64"
RENORM = "batch renormalization (renorm=): seqnet's BatchNormalization is Ioffe and Szegedy's"
POOLING = {"*pooling1d*": SHAPES, "*pooling3d*": SHAPES}
LEFT_OUT = {
    "pooling/max_pooling_test.py": POOLING, "pooling/average_pooling_test.py": POOLING,
    "pooling/global_average_pooling_test.py": POOLING, "pooling/global_max_pooling_test.py": POOLING,
    "reshaping/zero_padding2d_test.py": {"*.test_zero_padding_2d_with_dynamic_spatial_dim": DYNAMIC,
                                         "*.test_zero_padding_2d_get_config*": DTYPES},
    "reshaping/flatten_test.py": {"*dynamic*": DYNAMIC},
    "reshaping/reshape_test.py": {"*dynamic*": DYNAMIC, "*varying_input_size*": DYNAMIC,
                                  "*.test_reshape_sets_static_shape": DYNAMIC},
    "normalization/batch_normalization_test.py": {"*renorm*": RENORM, "*.test_serialization": RENORM, "*mask*": MASKS,
                                                  "*.test_correctness*": MASKS,
                                                  "*.test_large_value_within_autocast_scope": DTYPES},
    "activations/softmax_test.py": {"*mask*": MASKS},
    "regularization/dropout_test.py": {"*.test_dropout_partial_noise_shape_dynamic": DYNAMIC},
    "core/dense_test.py": {"*quantiz*": QUANTIZED, "*int4*": QUANTIZED, "*int8*": QUANTIZED, "*float8*": QUANTIZED,
                           "*lora*": QUANTIZED, "*gptq*": QUANTIZED, "*awq*": QUANTIZED,
                           "*.test_legacy_load_own_variables": QUANTIZED,
                           "*.test_dense_errors": DYNAMIC},
    "preprocessing/normalization_test.py": {"*.test_tf_data_compatibility": TF_DATA,
                                            "*.test_adapt_grain_dataset": TF_DATA,
                                            "*.test_adapt_tf_dataset_with_labels": TF_DATA,
                                            "*.test_normalization_adapt2": TF_DATA,
                                            "*.test_normalization_unknown_axis_shape": DYNAMIC,
                                            "*.test_adapt_pydataset_compat*": "it tests Keras's own Normalization "
                                                                              "(it imports keras itself)"},
    "preprocessing/rescaling_test.py": {"*.test_tf_data_compatibility": TF_DATA,
                                        "*.test_grain_compatibility": TF_DATA},
}
for _file, _swaps in {
        "pooling/max_pooling_test.py": {},
        "pooling/average_pooling_test.py": {},
        "pooling/global_average_pooling_test.py": {},
        "pooling/global_max_pooling_test.py": {},
        "reshaping/zero_padding2d_test.py": {},
        "reshaping/flatten_test.py": {},
        "reshaping/reshape_test.py": {},
        "normalization/batch_normalization_test.py": {},
        "activations/relu_test.py": {"from keras.src.layers.activations import relu": LAYERS.format("relu")},
        "activations/leaky_relu_test.py": {"from keras.src.layers.activations import leaky_relu":
                                               LAYERS.format("leaky_relu")},
        "activations/elu_test.py": {"from keras.src.layers.activations import elu": LAYERS.format("elu")},
        "activations/softmax_test.py": {"from keras.src.layers.activations import softmax": LAYERS.format("softmax")},
        "activations/activation_test.py": {"from keras.src import activations\n":
                                               "from seqnet.keras import activations\n"},
        "regularization/dropout_test.py": {},
        "core/dense_test.py": {"from keras.src import constraints\n": "from seqnet.keras import constraints\n"},
        "preprocessing/normalization_test.py": NO_TF,
        "preprocessing/rescaling_test.py": {**NO_TF, "import grain\n": "grain = None  # out of scope\n"},
}.items():
    port(f"layers/{_file}", _swaps, LEFT_OUT.get(_file, {}), globals())
