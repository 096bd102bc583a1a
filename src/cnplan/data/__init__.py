"""Monitoring data: the shipped Peru dataset, its format and validation, loading and import.

``load_dataset("peru")`` returns a :class:`Dataset`; ``validate(path)`` lists every problem of a
dataset folder or workbook; ``import_dataset(path, name)`` installs a user's dataset.
"""

from cnplan.data.dataset import Dataset
from cnplan.data.importer import import_dataset
from cnplan.data.load import available_names, data_dir, load_dataset
from cnplan.data.schema import DataError, Problem
from cnplan.data.validate import check, validate

__all__ = [
    "DataError",
    "Dataset",
    "Problem",
    "available_names",
    "check",
    "data_dir",
    "import_dataset",
    "load_dataset",
    "validate",
]
