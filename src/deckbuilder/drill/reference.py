"""The drill's sourced reference data (`00-foundations/reference.yaml`), validated on load.

Every problem in the file is reported as ``path:line: message`` in one ValidationError.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deckbuilder.errors import ValidationError
from deckbuilder.model import Problem, SourceLocation
from deckbuilder.sources import read_text
from deckbuilder.yamldoc import YamlDoc, load_yaml

FOUNDATIONS = "00-foundations"  # the folder shared by every scenario

REFERENCE_FILE = "reference.yaml"


@dataclass(frozen=True)
class ModelShape:
    id: str
    name: str
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    params_b: float
    source: str
    line: SourceLocation
    active_params_b: float | None = None
    experts: int | None = None
    experts_active: int | None = None
    mla_kv_dim: int | None = None  # multi-head latent attention: values cached per token per layer

    @property
    def active_params(self) -> float:
        """Parameters used per token (all of them for a dense model)."""
        return (self.active_params_b or self.params_b) * 1e9


@dataclass(frozen=True)
class Gpu:
    id: str
    name: str
    hbm_gb: float
    hbm_tbps: float
    bf16_tflops: float
    fp8_tflops: float | None
    nvlink_gbs: float | None
    network_gbits: float
    source: str
    line: SourceLocation


@dataclass(frozen=True)
class Assumptions:
    price_per_gpu_hour: dict[str, float]
    hours_per_month: float
    gpu_memory_utilization: float
    runtime_overhead_gb: float
    mfu: float
    bandwidth_efficiency: tuple[float, ...]
    headroom: float


@dataclass(frozen=True)
class Reference:
    models: tuple[ModelShape, ...]
    gpus: tuple[Gpu, ...]
    assumptions: Assumptions
    path: str


_INT, _NUM, _STR = "a positive integer", "a positive number", "a non-empty string"
_MODEL_FIELDS = {
    "id": _STR,
    "name": _STR,
    "layers": _INT,
    "hidden": _INT,
    "heads": _INT,
    "kv_heads": _INT,
    "head_dim": _INT,
    "params_b": _NUM,
    "source": _STR,
    "checked": _STR,
}
_MODEL_OPTIONAL = {
    "active_params_b": _NUM,
    "experts": _INT,
    "experts_active": _INT,
    "mla_kv_dim": _INT,
}
_GPU_FIELDS = {
    "id": _STR,
    "name": _STR,
    "hbm_gb": _NUM,
    "hbm_tbps": _NUM,
    "bf16_tflops": _NUM,
    "network_gbits": _NUM,
    "source": _STR,
    "checked": _STR,
}
_GPU_NULLABLE = {"fp8_tflops": _NUM, "nvlink_gbs": _NUM}
_ASSUMPTIONS = {
    "hours_per_month": _NUM,
    "gpu_memory_utilization": _NUM,
    "runtime_overhead_gb": _NUM,
    "mfu": _NUM,
    "headroom": _NUM,
}


def _fits(value: Any, rule: str) -> bool:
    if isinstance(value, bool):
        return False
    if not rule:  # checked by the caller
        return value is not None
    if rule == _INT:
        return isinstance(value, int) and value > 0
    if rule == _NUM:
        return isinstance(value, int | float) and value > 0
    return isinstance(value, str) and bool(value.strip())


class _Checker:
    def __init__(self, doc: YamlDoc, path: str) -> None:
        self.doc, self.path, self.problems = doc, path, list[Problem]()

    def at(self, *where: str | int) -> SourceLocation:
        return SourceLocation(self.path, self.doc.line(*where))

    def fields(
        self,
        entry: Any,
        *,
        where: tuple[str | int, ...],
        required: dict[str, str],
        optional: dict[str, str],
        nullable: dict[str, str],
    ) -> bool:
        if not isinstance(entry, dict):
            self.problems.append(Problem(self.at(*where), "expected a mapping"))
            return False
        before = len(self.problems)
        known = {**required, **optional, **nullable}
        for key in entry:
            if key not in known:
                self.problems.append(Problem(self.at(*where, str(key)), f"unknown key '{key}'"))
        for key, rule in required.items():
            if key not in entry:
                self.problems.append(Problem(self.at(*where), f"missing '{key}'"))
            elif not _fits(entry[key], rule):
                self.problems.append(Problem(self.at(*where, key), f"'{key}' must be {rule}"))
        for key, rule in {**optional, **nullable}.items():
            if key in nullable and key not in entry:
                self.problems.append(Problem(self.at(*where), f"missing '{key}' (null if none)"))
            elif entry.get(key) is not None and not _fits(entry[key], rule):
                self.problems.append(Problem(self.at(*where, key), f"'{key}' must be {rule}"))
        return len(self.problems) == before

    def rows(self, key: str, **rules: dict[str, str]) -> list[tuple[dict[str, Any], int]]:
        data = self.doc.data.get(key) if isinstance(self.doc.data, dict) else None
        if not isinstance(data, list) or not data:
            self.problems.append(Problem(self.at(key), f"'{key}' must be a non-empty list"))
            return []
        good, seen = [], set()
        for index, entry in enumerate(data):
            if self.fields(entry, where=(key, index), **rules):
                if entry["id"] in seen:
                    self.problems.append(
                        Problem(self.at(key, index), f"duplicate id '{entry['id']}'")
                    )
                    continue
                seen.add(entry["id"])
                good.append((entry, self.doc.line(key, index)))
        return good


def load_reference(scenarios: Path) -> Reference:
    """Read and check ``<scenarios>/00-foundations/reference.yaml``."""
    path = scenarios / FOUNDATIONS / REFERENCE_FILE
    label = f"{scenarios.name}/{FOUNDATIONS}/{REFERENCE_FILE}"
    problems: list[Problem] = []
    text = read_text(path, label=label, problems=problems, root=scenarios)
    doc = None if text is None else load_yaml(text, path=label, first_line=1, problems=problems)
    if doc is None:
        raise ValidationError(problems)
    check = _Checker(doc, label)
    models = [
        ModelShape(
            **{k: v for k, v in entry.items() if k != "checked"},
            line=SourceLocation(label, line),
        )
        for entry, line in check.rows(
            "models", required=_MODEL_FIELDS, optional=_MODEL_OPTIONAL, nullable={}
        )
    ]
    gpus = [
        Gpu(**{k: v for k, v in entry.items() if k != "checked"}, line=SourceLocation(label, line))
        for entry, line in check.rows(
            "gpus", required=_GPU_FIELDS, optional={}, nullable=_GPU_NULLABLE
        )
    ]
    assumptions = _assumptions(check, gpu_ids=[g.id for g in gpus])
    if check.problems or assumptions is None:
        raise ValidationError(check.problems)
    return Reference(tuple(models), tuple(gpus), assumptions, label)


def _assumptions(check: _Checker, *, gpu_ids: list[str]) -> Assumptions | None:
    data = check.doc.data.get("assumptions") if isinstance(check.doc.data, dict) else None
    rules = {**_ASSUMPTIONS, "price_per_gpu_hour": "", "bandwidth_efficiency": ""}
    if not check.fields(data, where=("assumptions",), required=rules, optional={}, nullable={}):
        return None
    assert isinstance(data, dict)
    prices = data["price_per_gpu_hour"]
    ok = isinstance(prices, dict)
    if not ok:
        check.problems.append(
            Problem(check.at("assumptions", "price_per_gpu_hour"), "must map GPU ids to $/hour")
        )
    else:
        for gpu in gpu_ids:
            if not _fits(prices.get(gpu), _NUM):
                check.problems.append(
                    Problem(
                        check.at("assumptions", "price_per_gpu_hour"),
                        f"no positive price for GPU '{gpu}'",
                    )
                )
                ok = False
    efficiency = data["bandwidth_efficiency"]
    if not isinstance(efficiency, list) or not all(
        _fits(e, _NUM) and e <= 1 for e in efficiency or [None]
    ):
        check.problems.append(
            Problem(
                check.at("assumptions", "bandwidth_efficiency"),
                "'bandwidth_efficiency' must be a list of shares in (0, 1]",
            )
        )
        ok = False
    if not ok:
        return None
    return Assumptions(
        price_per_gpu_hour={str(k): float(v) for k, v in prices.items()},
        hours_per_month=float(data["hours_per_month"]),
        gpu_memory_utilization=float(data["gpu_memory_utilization"]),
        runtime_overhead_gb=float(data["runtime_overhead_gb"]),
        mfu=float(data["mfu"]),
        bandwidth_efficiency=tuple(float(e) for e in efficiency),
        headroom=float(data["headroom"]),
    )
