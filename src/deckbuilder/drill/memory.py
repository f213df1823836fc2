"""Formula families about one replica: KV cache, weights, batch, decode and prefill."""

from __future__ import annotations

import random

from deckbuilder.drill.exercise import (
    BYTES_PER_VALUE,
    Exercise,
    b,
    fitting,
    kv_bytes_per_token,
    kv_formula,
    ms,
)
from deckbuilder.drill.reference import Reference
from deckbuilder.drill.units import digits, show


def kv_cache(rng: random.Random, ref: Reference) -> Exercise:
    model = rng.choice(ref.models)
    precision = rng.choice(("BF16", "FP8"))
    per_token = kv_bytes_per_token(model, value_bytes=BYTES_PER_VALUE[precision])
    steps = [f"KV per token = {kv_formula(model, value_bytes=BYTES_PER_VALUE[precision])}"]
    steps.append(f"= {digits(per_token)} bytes = {b(per_token, 'KiB')}")
    inputs: dict[str, object] = {"model": model.id, "precision": precision}
    if rng.random() < 0.5:
        question = (
            f"How many bytes of KV cache does one token take for {model.name} "
            f"with its KV cache in {precision}?"
        )
        return Exercise(
            family="kv-cache",
            question=question,
            kind="bytes",
            unit="KiB",
            answer=per_token,
            tolerance=0.03,
            steps=tuple(steps),
            inputs=inputs,
        )
    context = rng.choice((1_024, 2_048, 4_096, 8_192, 32_768, 131_072))
    total = per_token * context
    steps.append(
        f"per request = {context:,} tokens x {digits(per_token)} bytes = {b(total, 'MiB')}"
    )
    question = (
        f"How much KV cache does one {context:,}-token request hold for {model.name} "
        f"with its KV cache in {precision}?"
    )
    inputs["context"] = context
    return Exercise(
        family="kv-cache",
        question=question,
        kind="bytes",
        unit="MiB",
        answer=total,
        tolerance=0.03,
        steps=tuple(steps),
        inputs=inputs,
    )


def weights_memory(rng: random.Random, ref: Reference) -> Exercise:
    model = rng.choice(ref.models)
    precision = rng.choice(tuple(BYTES_PER_VALUE))
    total = model.params_b * 1e9 * BYTES_PER_VALUE[precision]
    steps = (
        f"weights = parameters x bytes per parameter = {digits(model.params_b)} B x "
        f"{digits(BYTES_PER_VALUE[precision])} bytes ({precision})",
        f"= {b(total, 'GB')}"
        + (" (every expert is resident, not only the active ones)" if model.experts else ""),
    )
    question = f"How much memory do the weights of {model.name} take in {precision}?"
    inputs = {"model": model.id, "precision": precision}
    return Exercise(
        family="weights-memory",
        question=question,
        kind="bytes",
        unit="GB",
        answer=total,
        tolerance=0.03,
        steps=steps,
        inputs=inputs,
    )


def max_batch(rng: random.Random, ref: Reference) -> Exercise:
    a = ref.assumptions
    model, gpu, precision, n, kv_budget = fitting(rng, ref, weight_precisions=("BF16", "FP8"))
    context = rng.choice((1_024, 2_048, 4_096, 8_192, 32_768))
    per_token = kv_bytes_per_token(model, value_bytes=2.0)
    batch = kv_budget / (context * per_token)
    weights = model.params_b * 1e9 * BYTES_PER_VALUE[precision]
    steps = (
        f"memory for the engine = {n} x ({digits(gpu.hbm_gb)} GB x {a.gpu_memory_utilization} - "
        f"{digits(a.runtime_overhead_gb)} GB runtime) = {b(kv_budget + weights, 'GB')}",
        f"KV budget = that - weights {b(weights, 'GB')} = {b(kv_budget, 'GB')}",
        f"KV per request = {context:,} tokens x {b(per_token, 'KiB')} = {b(context * per_token)}",
        f"max batch = {b(kv_budget, 'GB')} / {b(context * per_token)} = {digits(batch)} requests",
    )
    question = (
        f"{model.name} with {precision} weights and a BF16 KV cache runs on {n} x {gpu.name} "
        f"(use {a.gpu_memory_utilization:.0%} of memory, "
        f"{digits(a.runtime_overhead_gb)} GB per GPU "
        f"of runtime overhead). How many {context:,}-token requests fit in the KV cache at once?"
    )
    inputs = {
        "model": model.id,
        "gpu": gpu.id,
        "precision": precision,
        "gpus": n,
        "context": context,
    }
    return Exercise(
        family="max-batch",
        question=question,
        kind="count",
        unit="",
        answer=batch,
        tolerance=0.05,
        steps=steps,
        inputs=inputs,
    )


def decode_step(rng: random.Random, ref: Reference) -> Exercise:
    model, gpu, precision, n, kv_budget = fitting(rng, ref, weight_precisions=("BF16", "FP8"))
    context = rng.choice((1_024, 2_048, 4_096))
    per_request = context * kv_bytes_per_token(model, value_bytes=2.0)
    batch = max(1, min(rng.choice((8, 16, 32, 64, 128, 256)), int(kv_budget // per_request)))
    efficiency = rng.choice(ref.assumptions.bandwidth_efficiency)
    weights = model.params_b * 1e9 * BYTES_PER_VALUE[precision]
    bandwidth = n * gpu.hbm_tbps * 1e12 * efficiency
    step = (weights + batch * per_request) / bandwidth
    read = f"{b(weights, 'GB')} weights + {batch} x {b(per_request)} KV"
    steps = [
        "a decode step reads every weight once and the KV cache of every sequence in the batch"
        + (
            " (this assumes the batch touches every expert; a small batch reads fewer)"
            if model.experts
            else ""
        ),
        f"bytes per step = {read} = {b(weights + batch * per_request, 'GB')}",
        f"bandwidth = {n} x {digits(gpu.hbm_tbps)} TB/s x {efficiency:.0%} = "
        f"{show(bandwidth, kind='bandwidth', unit='TB/s')}",
        f"step = bytes / bandwidth = {ms(step)}",
    ]
    setting = (
        f"{model.name} ({precision} weights, BF16 KV) on {n} x {gpu.name}, batch {batch}, "
        f"{context:,} tokens of context each, at {efficiency:.0%} of peak memory bandwidth"
    )
    inputs: dict[str, object] = {
        "model": model.id,
        "gpu": gpu.id,
        "precision": precision,
        "gpus": n,
        "context": context,
        "batch": batch,
        "efficiency": efficiency,
    }
    if rng.random() < 0.5:
        question = f"{setting}: what is the decode step time (the inter-token latency floor)?"
        return Exercise(
            family="decode-step",
            question=question,
            kind="time",
            unit="ms",
            answer=step,
            tolerance=0.05,
            steps=tuple(steps),
            inputs=inputs,
        )
    steps.append(
        f"tokens/s = batch / step = {batch} / {ms(step)} = {digits(batch / step)} tokens/s"
    )
    question = f"{setting}: how many output tokens per second does the replica produce?"
    return Exercise(
        family="decode-step",
        question=question,
        kind="rate",
        unit="1/s",
        answer=batch / step,
        tolerance=0.05,
        steps=tuple(steps),
        inputs=inputs,
    )


def prefill(rng: random.Random, ref: Reference) -> Exercise:
    model, gpu, precision, n, _budget = fitting(rng, ref, weight_precisions=("BF16", "FP8"))
    prompt = rng.choice((512, 1_024, 2_048, 4_096, 16_384))
    mfu = ref.assumptions.mfu
    flops = 2 * model.active_params * prompt
    peak = (gpu.fp8_tflops if precision == "FP8" else gpu.bf16_tflops) or gpu.bf16_tflops
    ttft = flops / (n * peak * 1e12 * mfu)
    active = " active" if model.active_params_b else ""
    steps = [
        f"prefill FLOPs = 2 x{active} parameters x prompt tokens = "
        f"2 x {digits(model.active_params / 1e9)} B x {prompt:,}",
        f"= {show(flops, kind='flops', unit='TFLOP')} (attention scores ignored)",
    ]
    inputs: dict[str, object] = {
        "model": model.id,
        "gpu": gpu.id,
        "precision": precision,
        "gpus": n,
        "prompt": prompt,
    }
    if rng.random() < 0.5:
        question = (
            f"How many FLOPs does prefilling a {prompt:,}-token prompt take for {model.name}?"
        )
        return Exercise(
            family="prefill",
            question=question,
            kind="flops",
            unit="TFLOP",
            answer=flops,
            tolerance=0.05,
            steps=tuple(steps),
            inputs=inputs,
        )
    steps += [
        f"throughput = {n} x {digits(peak)} TFLOPS dense {precision} x {mfu:.0%} MFU = "
        f"{digits(n * peak * mfu)} TFLOPS",
        f"TTFT floor = FLOPs / throughput = {ms(ttft)} (no queueing)",
    ]
    question = (
        f"{model.name} with {precision} weights on {n} x {gpu.name} at {mfu:.0%} MFU: what is the "
        f"compute floor on time to first token for a {prompt:,}-token prompt?"
    )
    return Exercise(
        family="prefill",
        question=question,
        kind="time",
        unit="ms",
        answer=ttft,
        tolerance=0.05,
        steps=tuple(steps),
        inputs=inputs,
    )
