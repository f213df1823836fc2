"""Back-of-envelope formula families: each draws a fresh exercise from the reference data.

Pure: every family takes an injected ``random.Random`` and the Reference and returns an
Exercise with its answer (in the base unit of its kind), a relative tolerance and a
worked solution. The table FAMILIES is the data the drill schedules, one FSRS item each.
"""

from __future__ import annotations

from deckbuilder.drill import fleet, memory
from deckbuilder.drill.exercise import Family

FAMILIES: tuple[Family, ...] = (
    Family("kv-cache", "KV cache per token and per request", memory.kv_cache),
    Family("weights-memory", "Weights memory", memory.weights_memory),
    Family("max-batch", "Max batch by KV capacity", memory.max_batch),
    Family("decode-step", "Decode step floor and tokens/s", memory.decode_step),
    Family("prefill", "Prefill FLOPs and TTFT floor", memory.prefill),
    Family("tp-allreduce", "Tensor-parallel all-reduce bytes per token", fleet.tp_allreduce),
    Family("pp-bytes", "Pipeline-parallel bytes per token", fleet.pp_bytes),
    Family("replicas", "Replicas for a QPS target", fleet.replicas),
    Family("monthly-cost", "Monthly cost of a GPU fleet", fleet.monthly_cost),
    Family("error-budget", "Availability and error budget", fleet.error_budget),
)
BY_ID = {family.id: family for family in FAMILIES}
