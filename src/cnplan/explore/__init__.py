"""Exploring many futures: experiments, samplers, batched evaluation, chunked runs, results.

``load_experiment`` reads an experiment file; ``sample`` expands its design into input rows;
``evaluate`` runs any table of rows in batched engine calls; ``run_exploration`` and ``resume``
run a whole design chunk by chunk (in-process, local processes or Dask) into an exploration
folder that ``open_results`` reads back.
"""

from cnplan.explore.design import sample
from cnplan.explore.evaluate import evaluate
from cnplan.explore.experiment import Experiment, ExperimentError, load_experiment
from cnplan.explore.runner import resume, run_exploration
from cnplan.explore.store import Results, open_results

__all__ = [
    "Experiment",
    "ExperimentError",
    "Results",
    "evaluate",
    "load_experiment",
    "open_results",
    "resume",
    "run_exploration",
    "sample",
]
