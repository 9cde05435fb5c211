"""The optimizer registry: every optimizer under its URL-safe id."""

from __future__ import annotations

from engine.optimizers.adam import ADAM, ADAMAX, ADAMW, NADAM
from engine.optimizers.adaptive import ADADELTA, ADAGRAD, RMSPROP
from engine.optimizers.base import HyperParam, Optimizer
from engine.optimizers.sgd import GD, MOMENTUM_SGD, NESTEROV

OPTIMIZERS: dict[str, Optimizer] = {
    opt.id: opt
    for opt in (GD, MOMENTUM_SGD, NESTEROV, ADAGRAD, ADADELTA, RMSPROP, ADAM, ADAMW, NADAM, ADAMAX)
}

__all__ = ["OPTIMIZERS", "HyperParam", "Optimizer"]
