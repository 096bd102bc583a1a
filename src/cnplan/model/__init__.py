"""The batched simulator: parameters, inputs from plan and data, the yearly step, goals."""

from cnplan.model.inputs import Inputs, ModelInputError, build_inputs
from cnplan.model.parameters import PARAM_NAMES, PARAMETERS, ParamSpec
from cnplan.model.paramset import ParameterSet, default_parameter_set, point, provisional
from cnplan.model.simulate import simulate

__all__ = [
    "PARAMETERS",
    "PARAM_NAMES",
    "Inputs",
    "ModelInputError",
    "ParamSpec",
    "ParameterSet",
    "build_inputs",
    "default_parameter_set",
    "point",
    "provisional",
    "simulate",
]
