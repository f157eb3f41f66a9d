"""Sentiment of IMDB movie reviews with an Embedding and an LSTM, in numpy.

    python examples/imdb_lstm.py [--epochs 3] [--words 10000] [--maxlen 200] [--units 32] [--lr 2e-3]
                                 [--batch-size 64] [--limit N] [--data FILE] [--download] [--out runs]

The reviews are Keras's ``imdb.npz`` (word ids by frequency): FILE, or imdb.npz in $SEQNET_DATA,
~/.seqnet/datasets or /usr/share/datasets; ``--download`` fetches it (17 MB, checksum verified)
into ~/.seqnet/datasets. Each review keeps its last ``--maxlen`` words, padded in front with id 0,
which the Embedding masks. Writes the run folder runs/imdb_lstm/. ``--limit 2000 --epochs 1`` is
a quick try.
"""
import sys
import time

from seqnet import Sequential
from seqnet.datasets import DatasetError
from seqnet.experiment import Run, add_data_option, add_limit_option, example_parser, positive_int, timing_line
from seqnet.keras.datasets import imdb
from seqnet.keras.utils import pad_sequences
from seqnet.layers import LSTM, Dense, Embedding
from seqnet.optimizers import Adam

parser = example_parser(__doc__)
parser.add_argument("--epochs", type=positive_int, default=3, help="passes over the training set")
parser.add_argument("--words", type=positive_int, default=10000, help="the most frequent words kept (others: id 2)")
parser.add_argument("--maxlen", type=positive_int, default=200, help="words kept from the end of each review")
parser.add_argument("--units", type=positive_int, default=32, help="size of the embeddings and of the LSTM's state")
parser.add_argument("--batch-size", type=positive_int, default=64, help="reviews per update")
parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate")
add_limit_option(parser)
parser.add_argument("--seed", type=int, default=0, help="seed of the model's random generator")
add_data_option(parser, "Keras's imdb.npz")
parser.add_argument("--out", default="runs", help="parent folder of the run folder")
args = parser.parse_args()

path = args.data or "imdb.npz"
if not args.download and imdb.find_local(path) is None:
    sys.exit(f"{parser.prog}: error: IMDB's imdb.npz not found (looked for {path} and in $SEQNET_DATA, "
             f"~/.seqnet/datasets, /usr/share/datasets); pass --download to fetch it from {imdb.ORIGIN}, "
             f"or pass --data FILE")
try:
    (X_train, y_train), (X_test, y_test) = imdb.load_data(path=path, num_words=args.words)
except (OSError, DatasetError) as err:
    sys.exit(f"{parser.prog}: error: {err}")
X_train, y_train, X_test, y_test = X_train[:args.limit], y_train[:args.limit], X_test[:args.limit], y_test[:args.limit]
X_train, X_test = pad_sequences(X_train, maxlen=args.maxlen), pad_sequences(X_test, maxlen=args.maxlen)
run = Run("imdb_lstm", vars(args), root=args.out)

model = Sequential([Embedding(args.words, args.units, mask_zero=True), LSTM(args.units),
                    Dense(2, activation="softmax")], seed=args.seed, name="imdb_lstm")
model.compile(optimizer=Adam(lr=args.lr), loss="cross_entropy", metrics=["accuracy"])

start = time.perf_counter()
model.fit(X_train, y_train, batch_size=args.batch_size, epochs=args.epochs, validation_split=0.1,
          callbacks=run.callbacks())
seconds = time.perf_counter() - start
results = run.finish(model, {"train_seconds": seconds, "seconds_per_epoch": seconds / args.epochs},
                     test_data=(X_test, y_test), class_names=["negative", "positive"])
print(f"{timing_line(seconds, args.epochs)}; report: {run.dir / 'report.md'}")
print(f"test accuracy: {results['test_accuracy']:.4f}")
