"""Formula families about the fleet: parallelism traffic, replicas, cost and availability."""

from __future__ import annotations

import math
import random

from deckbuilder.drill.exercise import (
    Exercise,
    b,
)
from deckbuilder.drill.reference import Reference
from deckbuilder.drill.units import digits, show


def tp_allreduce(rng: random.Random, ref: Reference) -> Exercise:
    model = rng.choice(ref.models)
    n = rng.choice((2, 4, 8))
    per_layer = model.hidden * 2.0
    ring = 2 * (n - 1) / n
    total = model.layers * 2 * ring * per_layer
    steps = (
        f"one activation vector = hidden x 2 bytes (BF16) = {model.hidden:,} x 2 = "
        f"{b(per_layer, 'KiB')}",
        "two all-reduces per layer (after attention and after the MLP)",
        f"a ring all-reduce sends 2(n-1)/n of the payload per GPU = {digits(ring)} at n = {n}",
        f"per token = {model.layers} layers x 2 x {digits(ring)} x {b(per_layer, 'KiB')} = "
        f"{b(total)}",
    )
    question = (
        f"{model.name} runs with tensor parallelism {n}. How many bytes does each GPU send in "
        f"all-reduces per token (BF16 activations, ring all-reduce)?"
    )
    return Exercise(
        family="tp-allreduce",
        question=question,
        kind="bytes",
        unit="MB",
        answer=total,
        tolerance=0.03,
        steps=steps,
        inputs={"model": model.id, "tp": n},
    )


def pp_bytes(rng: random.Random, ref: Reference) -> Exercise:
    model = rng.choice(ref.models)
    batch = rng.choice((1, 16, 64, 256))
    total = batch * model.hidden * 2.0
    steps = (
        "between pipeline stages only the hidden state of each token moves",
        f"per token = hidden x 2 bytes = {model.hidden:,} x 2 = {b(model.hidden * 2.0, 'KiB')}",
        f"per decode step = {batch} tokens x that = {b(total)}",
    )
    question = (
        f"{model.name} is split into pipeline stages. How many bytes cross one stage boundary in "
        f"one decode step of batch {batch} (BF16 activations)?"
    )
    return Exercise(
        family="pp-bytes",
        question=question,
        kind="bytes",
        unit="KiB",
        answer=total,
        tolerance=0.03,
        steps=steps,
        inputs={"model": model.id, "batch": batch},
    )


def replicas(rng: random.Random, ref: Reference) -> Exercise:
    headroom = ref.assumptions.headroom
    while True:  # a fleet of at least 6, so that one replica more or less is a small error
        qps = rng.choice((5, 20, 50, 200, 1_000))
        output = rng.choice((100, 200, 500, 1_000))
        per_replica = rng.choice((1_500, 3_000, 6_400, 8_700, 12_000))
        demand = qps * output
        needed = math.ceil(demand * headroom / per_replica)
        if needed >= 6:
            break
    steps = (
        f"decode demand = {qps:,} requests/s x {output:,} output tokens = {demand:,} tokens/s",
        f"with {headroom:.0%} headroom: {digits(demand * headroom)} tokens/s",
        f"replicas = {digits(demand * headroom)} / {per_replica:,} per replica = "
        f"{digits(demand * headroom / per_replica)}, rounded up to {needed}",
    )
    question = (
        f"A service takes {qps:,} requests/s averaging {output:,} output tokens. "
        f"One replica sustains {per_replica:,} output tokens/s. "
        f"With {headroom}x headroom, how many replicas do you need?"
    )
    tolerance = max(0.05, 1.0 / needed)  # one replica either way
    inputs = {"qps": qps, "output": output, "per_replica": per_replica}
    return Exercise(
        family="replicas",
        question=question,
        kind="count",
        unit="",
        answer=float(needed),
        tolerance=tolerance,
        steps=steps,
        inputs=inputs,
    )


def monthly_cost(rng: random.Random, ref: Reference) -> Exercise:
    gpu = rng.choice(ref.gpus)
    count = rng.choice((8, 16, 64, 104, 160, 512))
    price = ref.assumptions.price_per_gpu_hour[gpu.id]
    hours = ref.assumptions.hours_per_month
    total = count * price * hours
    steps = (
        "monthly cost = GPUs x $/GPU-hour x hours per month = "
        f"{count} x ${price:.2f} x {digits(hours)} h",
        f"= ${digits(total)}",
    )
    question = (
        f"What does a fleet of {count} {gpu.name} GPUs cost per month, held 24/7, at "
        f"${price:.2f} per GPU-hour (an assumption)?"
    )
    return Exercise(
        family="monthly-cost",
        question=question,
        kind="money",
        unit="USD",
        answer=total,
        tolerance=0.03,
        steps=steps,
        inputs={"gpu": gpu.id, "gpus": count},
    )


def error_budget(rng: random.Random, ref: Reference) -> Exercise:
    slo = rng.choice((0.99, 0.995, 0.999, 0.9995, 0.9999))
    parts = rng.choice((1, 1, 3, 5))
    availability = slo**parts
    window, window_name = rng.choice(((30 * 86_400.0, "30 days"), (365 * 86_400.0, "a year")))
    budget = (1 - availability) * window
    steps = []
    if parts > 1:
        steps.append(f"components in series multiply: {slo:.4%} ^ {parts} = {availability:.4%}")
    steps.append(
        f"allowed downtime = (1 - {availability:.4%}) x {window_name} = "
        f"{show(budget, kind='time', unit='min')}"
    )
    subject = (
        f"a service at {slo:.2%} availability"
        if parts == 1
        else f"a request path through {parts} components in series, each at {slo:.2%}"
    )
    question = f"How much downtime per {window_name} does {subject} allow?"
    inputs = {"slo": slo, "parts": parts, "window_s": window}
    return Exercise(
        family="error-budget",
        question=question,
        kind="time",
        unit="min",
        answer=budget,
        tolerance=0.03,
        steps=tuple(steps),
        inputs=inputs,
    )
