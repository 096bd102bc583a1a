"""Analysing an exploration's futures: scenario discovery, sensitivity and robust optimisation.

:mod:`.discover` finds the conditions under which an outcome happens (PRIM in :mod:`.prim`,
CART in :mod:`.cart`); :mod:`.sensitivity` ranks the inputs (Sobol or Morris, via SALib);
:mod:`.optimize` searches the levers for robust plans (pymoo NSGA-II/III); :mod:`.plots` draws
their charts on a given ``ax``. This layer reads what :mod:`cnplan.explore` writes and evaluates
new rows through it; ``cnplan.explore`` never imports from here. The functions are also
``cnplan.discover``, ``cnplan.sensitivity`` and ``cnplan.optimize``. Nothing is imported here,
so ``import cnplan.analysis`` does not pull in scikit-learn, SALib or pymoo.
"""
