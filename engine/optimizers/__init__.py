"""The optimizer registry: every optimizer under its URL-safe id."""

from __future__ import annotations

from gradtrail.optimizers.adam import ADAM, ADAMAX, ADAMW, NADAM
from gradtrail.optimizers.adaptive import ADADELTA, ADAGRAD, RMSPROP
from gradtrail.optimizers.base import HyperParam, Optimizer
from gradtrail.optimizers.sgd import GD, MOMENTUM_SGD, NESTEROV

OPTIMIZERS: dict[str, Optimizer] = {
    opt.id: opt
    for opt in (GD, MOMENTUM_SGD, NESTEROV, ADAGRAD, ADADELTA, RMSPROP, ADAM, ADAMW, NADAM, ADAMAX)
}

__all__ = ["OPTIMIZERS", "HyperParam", "Optimizer"]
