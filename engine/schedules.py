"""Learning-rate schedules with torch.optim.lr_scheduler's names and closed forms.

A schedule scales the learning rate before each step: step ``t`` (counting from
0) uses ``lr_t = lr · factor(t)``, as ``scheduler.step()`` after every
``optimizer.step()`` gives in torch.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal

from pydantic import Field, model_validator

from gradtrail.fields import Finite, Strict

Positive = Annotated[float, Field(allow_inf_nan=False, strict=True, gt=0.0)]
Count = Annotated[int, Field(strict=True, ge=1, le=1_000_000)]


# Each kind's parameters, in torch's names: what a page shows for it.
SCHEDULE_PARAMS: dict[str, tuple[str, ...]] = {
    "step": ("step_size", "gamma"),
    "exponential": ("gamma",),
    "cosine": ("T_max", "eta_min"),
    "linear": ("start_factor", "end_factor", "total_iters"),
}


class ScheduleSpec(Strict):
    """``step`` (StepLR), ``exponential`` (ExponentialLR), ``cosine`` (CosineAnnealingLR)
    or ``linear`` (LinearLR, a warm-up), with torch's parameter names and defaults."""

    kind: Literal[tuple(SCHEDULE_PARAMS)]  # type: ignore[valid-type]
    step_size: Count = 10
    gamma: Annotated[float, Field(allow_inf_nan=False, strict=True, gt=0.0, le=10.0)] = 0.1
    T_max: Count = 100
    eta_min: Annotated[float, Field(allow_inf_nan=False, strict=True, ge=0.0)] = 0.0
    start_factor: Annotated[Finite, Field(gt=0.0, le=1.0)] = 1.0 / 3.0
    end_factor: Annotated[Finite, Field(ge=0.0, le=1.0)] = 1.0
    total_iters: Count = 5

    @model_validator(mode="after")
    def exponential_gamma(self) -> ScheduleSpec:
        if self.kind == "exponential" and "gamma" not in self.model_fields_set:
            self.gamma = 0.95  # ExponentialLR has no default; a gentle decay is a useful one
        return self

    def lr(self, base: float, t: int) -> float:
        r"""The learning rate of step ``t``.

        .. math::
            \text{step}: \eta\gamma^{\lfloor t/s \rfloor},\quad
            \text{exponential}: \eta\gamma^t,\quad
            \text{cosine}: \eta_{min} + (\eta - \eta_{min})\tfrac{1 + \cos(\pi t/T)}{2},\quad
            \text{linear}: \eta\,(f_0 + (f_1 - f_0)\min(t, n)/n)
        """
        if self.kind == "step":
            return base * self.gamma ** (t // self.step_size)
        if self.kind == "exponential":
            return base * self.gamma**t
        if self.kind == "cosine":
            return (
                self.eta_min
                + (base - self.eta_min) * (1.0 + math.cos(math.pi * t / self.T_max)) / 2.0
            )
        progress = min(t, self.total_iters) / self.total_iters
        return base * (self.start_factor + (self.end_factor - self.start_factor) * progress)

    def torch(self) -> str:
        """The torch scheduler this reproduces."""
        return {
            "step": f"StepLR(step_size={self.step_size}, gamma={self.gamma:g})",
            "exponential": f"ExponentialLR(gamma={self.gamma:g})",
            "cosine": f"CosineAnnealingLR(T_max={self.T_max}, eta_min={self.eta_min:g})",
            "linear": (f"LinearLR(start_factor={self.start_factor:g}, "
                       f"end_factor={self.end_factor:g}, total_iters={self.total_iters})"),
        }[self.kind]  # fmt: skip


def schedule_defaults() -> dict[str, dict[str, float]]:
    """Per kind, its parameters at their defaults (torch's, and 0.95 for ExponentialLR)."""
    return {
        kind: {name: getattr(ScheduleSpec(kind=kind), name) for name in names}
        for kind, names in SCHEDULE_PARAMS.items()
    }
