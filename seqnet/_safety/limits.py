"""The largest sizes seqnet accepts from a file, in one place, and how a user raises them.

Every check of the gate reads these at the moment it runs, so a change applies to the next file
opened::

    with seqnet.limits(array_bytes=64 * 2**30):     # for one big file of your own
        model = seqnet.load_model("huge.h5")
    seqnet.limits.array_bytes = 64 * 2**30            # for the rest of the program
"""
from __future__ import annotations

import contextlib
import dataclasses
from typing import Iterator


@dataclasses.dataclass
class Limits:
    """What a file may declare. Genuine files lie far below each; raising one is safe for files you made."""

    json_bytes: int = 64 * 2**20          # one JSON document: a model config, a run folder's JSON file
    json_items: int = 1_000_000           # values and containers in one JSON document
    json_depth: int = 100                 # containers within containers in one JSON document
    csv_cells: int = 1_000_000            # cells of a run folder's metrics.csv
    member_bytes: int = 256 * 2**20       # one member of an archive, one image file, one CIFAR batch
    archive_members: int = 1_000_000      # members of one archive
    tar_header_bytes: int = 2**20         # one tar header that carries data (pax, GNU long names)
    image_pixels: int = 8192 * 8192       # one decoded image
    decoded_bytes: int = 4 * 2**30        # all images of one image folder, decoded and held at once
    array_bytes: int = 16 * 2**30         # one array a file declares (a weight, an IDX or .npy file)
    example_elements: int = 2**28         # one example of a model's input, one layer's output or weight
    hdf5_objects: int = 1_000_000         # groups and datasets in one HDF5 file
    hdf5_ratio: int = 64                  # declared bytes per stored byte of an HDF5 dataset
    download_seconds: int = 3600          # one download, from its first byte to its last

    def __call__(self, **changes: int) -> contextlib.AbstractContextManager[Limits]:
        """``with seqnet.limits(name=value, ...):``: those limits changed until the block ends."""
        return self._changed(changes)

    @contextlib.contextmanager
    def _changed(self, changes: dict[str, int]) -> Iterator[Limits]:
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"seqnet.limits has no limit {', '.join(map(repr, unknown))}; its limits are "
                            f"{', '.join(sorted(names))}")
        for name, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"seqnet.limits({name}=...) takes a positive whole number, received {value!r}")
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            yield self
        finally:
            for name, value in before.items():
                setattr(self, name, value)


LIMITS = Limits()
