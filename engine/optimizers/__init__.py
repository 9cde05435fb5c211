"""The optimizer registry: every optimizer under its URL-safe id."""

from __future__ import annotations

from gradtrail.optimizers.adam import ADAM, ADAMAX, ADAMW, NADAM
from gradtrail.optimizers.adaptive import ADADELTA, ADAGRAD, RMSPROP
from gradtrail.optimizers.asgd import ASGD
from gradtrail.optimizers.base import HyperParam, Optimizer
from gradtrail.optimizers.radam import RADAM
from gradtrail.optimizers.rprop import RPROP
from gradtrail.optimizers.sgd import GD, MOMENTUM_SGD, NESTEROV

OPTIMIZERS: dict[str, Optimizer] = {
    opt.id: opt
    for opt in (
        GD, MOMENTUM_SGD, NESTEROV, ADAGRAD, ADADELTA, RMSPROP, ADAM, ADAMW, NADAM, ADAMAX,
        RADAM, RPROP, ASGD,
    )
}  # fmt: skip

__all__ = ["OPTIMIZERS", "HyperParam", "Optimizer"]
