"""The values a drill works with: an exercise, a formula family, and the shared formulas."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from deckbuilder.drill.reference import Gpu, ModelShape, Reference
from deckbuilder.drill.units import digits, show

BYTES_PER_VALUE = {"BF16": 2.0, "FP8": 1.0, "INT4": 0.5}
TP_SIZES = (1, 2, 4, 8)
GB = 1e9


@dataclass(frozen=True, kw_only=True)
class Exercise:
    family: str
    question: str
    kind: str  # a units.KINDS key
    unit: str  # the unit the worked answer is shown in
    answer: float  # in the kind's base unit (bytes, seconds, FLOP, $, 1/s, count)
    tolerance: float  # relative
    steps: tuple[str, ...]
    inputs: Mapping[str, object] = field(default_factory=dict)  # the draw, for checks

    @property
    def shown_answer(self) -> str:
        if self.kind == "count":
            return digits(self.answer)
        if self.kind == "rate":
            return f"{digits(self.answer)} tokens/s"
        return show(self.answer, kind=self.kind, unit=self.unit)


@dataclass(frozen=True)
class Family:
    id: str
    title: str
    make: Callable[[random.Random, Reference], Exercise]


def b(value: float, unit: str = "auto") -> str:
    """Bytes in ``unit``; "auto": KiB under 1 MiB, then MB, GB, TB, as the scenarios write them."""
    if unit == "auto":
        unit = "KiB" if value < 2**20 else "MB" if value < 1e9 else "GB" if value < 1e12 else "TB"
    return show(value, kind="bytes", unit=unit)


def ms(value: float) -> str:
    return show(value, kind="time", unit="ms")


def kv_bytes_per_token(model: ModelShape, *, value_bytes: float) -> float:
    if model.mla_kv_dim is not None:
        return model.layers * model.mla_kv_dim * value_bytes
    return 2 * model.layers * model.kv_heads * model.head_dim * value_bytes


def kv_formula(model: ModelShape, *, value_bytes: float) -> str:
    if model.mla_kv_dim is not None:
        return (
            f"layers x latent width x bytes = {model.layers} x {model.mla_kv_dim} x "
            f"{digits(value_bytes)} (multi-head latent attention caches one latent per layer)"
        )
    return (
        f"2 (K and V) x layers x kv_heads x head_dim x bytes = 2 x {model.layers} x "
        f"{model.kv_heads} x {model.head_dim} x {digits(value_bytes)}"
    )


def fitting(
    rng: random.Random, ref: Reference, *, weight_precisions: tuple[str, ...]
) -> tuple[ModelShape, Gpu, str, int, float]:
    """A model, GPU, weight precision and the smallest TP size that leaves room for KV."""
    a = ref.assumptions
    for _ in range(200):
        model, gpu = rng.choice(ref.models), rng.choice(ref.gpus)
        precision = rng.choice(weight_precisions)
        if precision == "FP8" and gpu.fp8_tflops is None:
            continue
        weights = model.params_b * 1e9 * BYTES_PER_VALUE[precision]
        for n in TP_SIZES:
            if n > 1 and gpu.nvlink_gbs is None and n > 4:
                break
            usable = n * (gpu.hbm_gb * GB * a.gpu_memory_utilization - a.runtime_overhead_gb * GB)
            if usable - weights > 0.15 * n * gpu.hbm_gb * GB:
                return model, gpu, precision, n, usable - weights
    raise AssertionError("no model fits any GPU in the reference data")
