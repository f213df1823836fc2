"""Generate a synthetic scenario library of N scenarios in the format of docs/scenario-format.md.

Each scenario has the structure and roughly the size of the real ones in ``scenarios/``:
four files (problem, solution, discussion points, rubric), about 80 KB of markdown and
110-160 cards of every kind. Text is varied deterministically from ``seed``, so the same
(n, seed) always gives byte-identical files. ``scenarios/topics.yaml`` is copied alongside.

    .venv/bin/python benchmarks/generate.py OUT_DIR -n 100 [--seed 0]

or, as a module: ``generate(Path("out"), 100, seed=0)``.

Scenario numbers run 1..N and folders are zero-padded to N's width.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPICS_YAML = ROOT / "scenarios" / "topics.yaml"

TOPIC_IDS = (
    "serving",
    "continuous-batching",
    "scheduling",
    "kv-cache",
    "model-parallelism",
    "quantization",
    "kernels",
    "distributed-systems",
    "high-availability",
    "cost",
    "multi-tenancy",
    "experimentation",
    "edge",
    "observability",
)

# Terms for key concepts, trade-off options and prose. Many are topic keywords, so cards
# spread over topics roughly as the real ones do (about 2.3 topics per card).
TERMS = (
    "Prefill",
    "Decode",
    "Continuous batching",
    "Chunked prefill",
    "Prefix caching",
    "PagedAttention",
    "Speculative decoding",
    "Tensor parallelism",
    "Pipeline parallelism",
    "Expert parallelism",
    "KV cache eviction",
    "Admission control",
    "Token bucket",
    "Goodput",
    "Little's law",
    "Arithmetic intensity",
    "Roofline model",
    "Warm pool",
    "Cold start",
    "Canary release",
    "Circuit breaker",
    "Error budget",
    "Sticky bucketing",
    "Sequential testing",
    "CUPED",
    "AWQ",
    "GPTQ",
    "SmoothQuant",
    "FP8 weights",
    "INT4 weight-only quantization",
    "LoRA adapter",
    "Multi-LoRA serving",
    "Head-of-line blocking",
    "Preemption by recomputation",
    "Swapping to host memory",
    "Block table",
    "Copy-on-write blocks",
    "RadixAttention",
    "Grouped-query attention",
    "Multi-query attention",
    "Draft model",
    "Acceptance rate",
    "Kernel fusion",
    "CUDA graphs",
    "FlashAttention",
    "NVLink bandwidth",
    "All-reduce",
    "Fair share scheduling",
    "Priority classes",
    "Deadline scheduling",
    "Load shedding",
    "Backpressure",
    "Idempotent retries",
    "Health checks",
    "Failover",
    "Multi-region routing",
    "Disaster recovery",
    "Spot capacity",
    "Reserved capacity",
    "Autoscaling on queue depth",
    "GPU-hour accounting",
    "Cost per million tokens",
    "Noisy neighbour",
    "Tenant isolation",
    "Metering pipeline",
    "Rate limiting by tokens",
    "Shadow traffic",
    "Holdout group",
    "LLM-as-judge",
    "Guardrail metric",
    "Win rate",
    "Perplexity",
    "On-device runtime",
    "Thermal throttling",
    "Over-the-air updates",
    "Tail latency",
    "Distributed tracing",
    "SLO dashboard",
    "Time to first token",
    "Inter-token latency",
    "Model registry",
    "Request router",
    "Streaming over SSE",
    "Tokenizer service",
    "Weight loading from NVMe",
    "Replica placement",
    "Consistent hashing",
    "Leader election",
    "Heartbeat timeout",
    "Blue-green deployment",
    "Rollback plan",
    "Capacity planning",
    "Utilisation target",
    "Batch size ceiling",
    "Dynamic batching",
    "Static batching",
    "In-flight batching",
    "Sequence parallelism",
    "Micro-batch pipelining",
    "Mixture of experts routing",
    "Distillation",
    "Structured pruning",
    "Calibration set",
    "Accuracy loss budget",
    "Offline evaluation",
    "Online evaluation",
    "Statistical power",
    "Sample size",
    "Variance reduction",
    "Interleaving",
    "Quota enforcement",
    "Billing reconciliation",
    "Per-tenant adapters",
    "Isolation tiers",
    "Edge/cloud split",
    "llama.cpp runtime",
    "Battery budget",
    "Offline mode",
    "Prometheus scraping",
    "OpenTelemetry spans",
    "Alert fatigue",
    "P99 tracking",
    "Memory-bandwidth-bound decode",
    "Compute-bound prefill",
    "Cache hit rate",
    "Queue time",
    "Step time",
    "Graceful drain",
    "Request hedging",
    "Partition tolerance",
    "Replication lag",
    "Config rollout",
)

OBJECTS = (
    "tail latency",
    "the KV cache footprint",
    "GPU utilisation",
    "queueing delay",
    "cost per million tokens",
    "time to first token",
    "the error budget",
    "throughput per replica",
    "the prefix cache hit rate",
    "memory bandwidth",
    "the batch size",
    "failover time",
    "the tenant's quota",
    "step time",
    "the number of replicas",
    "the warm pool",
    "the rollout",
    "the scheduler's queue",
    "the router's choice",
    "interconnect traffic",
    "accuracy on the evaluation set",
    "the billing pipeline",
    "the health checks",
    "the dashboards",
    "the spot fleet",
    "the canary",
    "the draft model",
    "weight memory",
    "the model registry",
    "the edge device",
)
VERBS = (
    "bounds",
    "sets",
    "limits",
    "raises",
    "cuts",
    "hides",
    "protects",
    "drives",
    "dominates",
    "absorbs",
    "reduces",
    "amplifies",
    "shapes",
    "decides",
    "stabilises",
    "exposes",
)
REASONS = (
    "every decode step reads all the weights once",
    "output lengths vary by a hundred times",
    "a cold replica takes minutes to become ready",
    "requests differ in cost by orders of magnitude",
    "the interconnect is shared by every layer",
    "most prompts share a long system prefix",
    "a tenant can send bursts far above its average",
    "the evaluation suite runs only once per release",
    "the SLO is defined at the 99th percentile",
    "retries after the first token cannot be spliced",
    "spot capacity can vanish with two minutes of notice",
    "quantization error grows with outlier activations",
    "the scheduler admits work at every iteration",
    "memory, not compute, runs out first",
    "a region can fail as a whole",
    "the device throttles under sustained load",
)
CONSEQUENCES = (
    "the design keeps headroom instead of running hot",
    "the estimate must be redone per model",
    "the router has to see live engine signals",
    "the fleet is sized by tokens, not requests",
    "a load test replaces the estimate before launch",
    "the team measures it on the real traffic mix",
    "the trade-off changes with the prompt length",
    "the cheapest option is rarely the right one",
    "the rollout is gated on guardrail metrics",
    "the failure is contained to one pool",
    "the cost model is revisited every quarter",
    "the alert fires before users notice",
)
UNITS = (
    "requests/s",
    "tokens/s",
    "ms",
    "GB",
    "KiB",
    "TB/s",
    "TFLOPS",
    "GPUs",
    "replicas",
    "tenants",
    "%",
    "s",
    "minutes",
    "$/hour",
    "GB/s",
    "sequences",
)
FEATURES = (
    "OpenAI-compatible API",
    "Multi-model serving",
    "Authentication and quotas",
    "Model lifecycle",
    "Usage metering",
    "Cancellation",
    "Streaming responses",
    "Priority classes",
    "Tenant isolation",
    "Adapter hot-loading",
    "Experiment assignment",
    "Offline batch jobs",
    "Audit logging",
    "Regional failover",
    "Safe rollback",
    "Cost attribution",
    "Admission control",
    "Prompt caching",
    "Request tracing",
    "Device fallback",
)
METRICS = (
    "Peak throughput",
    "Time to first token",
    "Inter-token latency",
    "Serving-layer overhead",
    "Availability",
    "Context length",
    "Recovery time",
    "Cost ceiling",
    "Tenant count",
    "Model count",
    "Rollout time",
    "Queue wait",
    "Cache hit rate",
    "Accuracy budget",
    "Memory budget",
    "Power budget",
    "Experiment duration",
    "Error rate",
)
DECISION_NOUNS = (
    "Batching",
    "Routing",
    "Placement",
    "Caching",
    "Scaling",
    "Precision",
    "Admission",
    "Eviction",
    "Replication",
    "Sharding",
    "Transport",
    "Metering",
    "Rollout",
    "Failover",
    "Scheduling",
    "Storage",
    "Tokenisation",
    "Alerting",
    "Bucketing",
    "Isolation",
)
DECISION_ASPECTS = (
    "policy",
    "strategy",
    "signal",
    "granularity",
    "scope",
    "layer",
    "mode",
    "budget",
    "topology",
    "unit",
)
QUALIFIERS = (
    "per replica",
    "per tenant",
    "per region",
    "with a load bound",
    "behind a queue",
    "on spot capacity",
    "in one node",
    "across zones",
    "with a fallback",
    "at the gateway",
)
DIMENSIONS = (
    "Requirements and SLO definition",
    "Capacity estimation",
    "Architecture and request lifecycle",
    "Batching, scheduling and engine internals",
    "Model management, routing and scaling",
    "Operations: monitoring and failure handling",
    "Cost awareness",
    "Multi-tenancy and fairness",
    "Reliability and failure domains",
    "Experiment design",
    "Quantization and quality",
    "Memory management",
    "Communication and trade-offs",
    "Data and privacy",
    "Edge constraints",
    "Rollout safety",
)
LEVELS = ("Strong Hire", "Hire", "Lean No Hire", "No Hire")
QUESTION_FORMS = (
    "Why does {a} matter more for {ctx} than for {ctx2}?",
    "How would you size {a} for {num}, and what would you measure first?",
    "What happens to {obj} when {event}, and how do you protect it?",
    "When would you choose {a} over {b}?",
    "Where would you look first to cut {obj} in half?",
    "How does {a} interact with {b} under a traffic burst?",
    "What breaks first when {event}?",
    "Which signals tell you that {a} is working as intended?",
    "How would you roll out {a} without risking {obj}?",
    "Why is {a} not enough on its own to control {obj}?",
)
CONTEXTS = (
    "LLM generation",
    "image classifiers",
    "embedding models",
    "chat traffic",
    "batch jobs",
    "long prompts",
    "a multi-tenant API",
    "a single-GPU replica",
    "an edge device",
    "an A/B experiment",
)
EVENTS = (
    "a replica fails mid-stream",
    "a tenant triples its traffic",
    "the KV cache fills up",
    "a region goes down",
    "spot capacity is reclaimed",
    "a new model version regresses",
    "prompts grow to 30,000 tokens",
    "the metrics pipeline lags",
    "the draft model stops agreeing",
    "the device overheats",
)
MISTAKE_FORMS = (
    "Ignoring {a}",
    "Sizing {obj} from requests per second",
    "Treating {a} as free",
    "Autoscaling on {obj}",
    "Skipping {a} before launch",
    "Confusing {a} with {b}",
    "Quoting {obj} without an estimate",
    "Over-provisioning for {a}",
    "Retrying without {a}",
    "Forgetting {obj} when checking fit",
)
TITLE_WORDS = (
    "Inference",
    "Serving",
    "Routing",
    "Caching",
    "Scheduling",
    "Platform",
    "Gateway",
    "Fleet",
    "Pipeline",
    "Cluster",
    "Runtime",
    "Evaluation",
    "Metering",
    "Rollout",
    "Failover",
    "Quantization",
)
LANGS = ("python", "text", "yaml", "sql")

# Words that match no topic keyword: most prose uses these, so a card's text names only a
# few topics. KEYWORD_SHARE is the chance that a slot gets a topic-bearing word instead.
KEYWORD_SHARE = 0.1
NEUTRAL_TERMS = (
    "The control plane",
    "The data plane",
    "The request path",
    "The write path",
    "The read path",
    "The hot path",
    "The fallback path",
    "The baseline design",
    "The admission step",
    "The planner",
    "The coordinator",
    "The worker process",
    "The config service",
    "The job runner",
    "The state store",
    "The metadata service",
    "The front end",
    "The storage tier",
    "The release train",
    "The build pipeline",
    "The capacity model",
    "The design review",
    "The runbook",
    "The on-call rotation",
    "The incident review",
    "The interface contract",
    "The client library",
    "The second iteration",
)
NEUTRAL_OBJECTS = (
    "the design",
    "the interview",
    "the baseline",
    "the common case",
    "the worst case",
    "the happy path",
    "the slow path",
    "the plan",
    "the numbers",
    "the assumptions",
    "the headroom",
    "the margin",
    "the failure story",
    "the operating envelope",
    "the launch checklist",
    "the team's workload",
    "the on-call load",
    "the interface",
)
NEUTRAL_REASONS = (
    "the assumptions change with the workload",
    "the numbers are estimates until measured",
    "the interviewer will push on the worst case",
    "two components now share one failure",
    "the second iteration is cheaper than the first",
    "the team has to operate it at night",
    "the interface is hard to change later",
    "most of the work is in the common case",
    "the slow path is rarely exercised",
    "nothing else in the design depends on it",
)
NEUTRAL_CONSEQUENCES = (
    "the design stays simple",
    "the plan names its assumptions",
    "the candidate says so out loud",
    "the second iteration fixes it",
    "the choice is stated explicitly",
    "the runbook covers it",
    "the review catches it early",
    "the estimate is shown step by step",
)


def _slug(text: str, limit: int = 64) -> str:
    """The shape of deckbuilder's card keys, to keep every generated key unique."""
    text = re.sub(r"[`*_~\[\]()]", "", text.lower())
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(text) > limit:
        text = text[:limit].rsplit("-", 1)[0]
    return text


def _protect(text: str) -> str:
    """Keep code spans and bold spans on one line when wrapping."""
    return re.sub(r"(`[^`]+`|\*\*[^*]+\*\*)", lambda m: m.group(0).replace(" ", "\x00"), text)


def _wrap(text: str, *, first: str = "", rest: str = "", width: int = 84) -> str:
    lines = textwrap.wrap(
        _protect(text),
        width=width,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines).replace("\x00", " ")


def _bullet(text: str, indent: str = "") -> str:
    return _wrap(text, first=indent + "- ", rest=indent + "  ")


class _Text:
    """Deterministic technical-sounding prose."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, seq: tuple[str, ...]) -> str:
        return self.rng.choice(seq)

    def term(self) -> str:
        return self.pick(TERMS)

    def mix(self, keyword: tuple[str, ...], neutral: tuple[str, ...]) -> str:
        return self.pick(keyword if self.rng.random() < KEYWORD_SHARE else neutral)

    def noun(self) -> str:
        return self.mix(TERMS, NEUTRAL_TERMS)

    def obj(self) -> str:
        return self.mix(OBJECTS, NEUTRAL_OBJECTS)

    def reason(self) -> str:
        return self.mix(REASONS, NEUTRAL_REASONS)

    def then(self) -> str:
        return self.mix(CONSEQUENCES, NEUTRAL_CONSEQUENCES)

    def number(self) -> str:
        r = self.rng
        kind = r.randrange(6)
        if kind == 0:
            value = f"{r.randrange(1, 99)},{r.randrange(0, 1000):03d}"
        elif kind == 1:
            value = f"{r.randrange(1, 99)}.{r.randrange(1, 99)}"
        elif kind == 2:
            value = f"{r.randrange(2, 9)}-{r.randrange(10, 40)}"
        else:
            value = str(r.randrange(2, 999))
        unit = self.pick(UNITS)
        return f"{value}%" if unit == "%" else f"{value} {unit}"

    def code(self) -> str:
        r = self.rng
        a, b, c = r.randrange(2, 96), r.randrange(2, 128), r.randrange(1, 8)
        return f"`{a} x {b} x {c} = {a * b * c:,}`"

    def sentence(self) -> str:
        r = self.rng
        form = r.randrange(7)
        term = self.noun()
        if form == 0:
            s = f"{term} {self.pick(VERBS)} {self.obj()} because {self.reason()}"
        elif form == 1:
            s = (
                f"At {self.number()}, {term.lower()} {self.pick(VERBS)} {self.obj()}, "
                f"so {self.then()}"
            )
        elif form == 2:
            s = (
                f"The estimate is {self.code()}, which is why {term.lower()} "
                f"{self.pick(VERBS)} {self.obj()}"
            )
        elif form == 3:
            s = (
                f"Without {term.lower()}, {self.obj()} grows until "
                f"{self.reason()}, and {self.then()}"
            )
        elif form == 4:
            s = (
                f"A strong candidate ties {term.lower()} to {self.obj()} and states "
                f"that {self.then()}"
            )
        elif form == 5:
            s = (
                f"{term} and {self.noun().lower()} together {self.pick(VERBS)} "
                f"{self.obj()} (see `step {r.randrange(1, 8)}` of the estimate)"
            )
        else:
            s = (
                f"In practice {self.obj()} {self.pick(VERBS).removesuffix('s')} "
                f"the design only when {self.reason()}"
            )
        return s[0].upper() + s[1:] + "."

    def para(self, lo: int = 3, hi: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(lo, hi)))

    def clause(self) -> str:
        s = self.sentence().rstrip(".")
        return s[0].lower() + s[1:]

    def cell(self) -> str:
        return self.clause().split(" because ")[0].split(", so ")[0]


def _unique(make: Callable[[], str], used: set[str]) -> str:
    for _ in range(1000):
        text = make()
        key = _slug(text)
        if key and key not in used:
            used.add(key)
            return text
    raise RuntimeError("could not make a unique label")


def _table(rng: random.Random, t: _Text, header: tuple[str, ...], rows: int) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    for _ in range(rows):
        cells = [t.term()] + [t.cell() for _ in header[1:]]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _fence(rng: random.Random, t: _Text) -> str:
    lang = rng.choice(LANGS)
    if lang == "python":
        body = [
            f"layers, kv_heads, head_dim = {rng.randrange(16, 96)}, {rng.randrange(1, 16)}, 128",
            "bytes_per_token = 2 * layers * kv_heads * head_dim * 2",
            f"tokens_in_flight = {rng.randrange(100, 900)} * {rng.randrange(500, 4000)}",
            'print(f"{bytes_per_token * tokens_in_flight / 2**30:.1f} GiB of KV cache")',
        ]
    elif lang == "yaml":
        body = [
            "pool:",
            f"  model: model-{rng.randrange(1, 99)}b",
            f"  replicas: {rng.randrange(2, 64)}",
            f"  max_batch_tokens: {rng.randrange(2048, 16384)}",
            f"  autoscale_on: {rng.choice(('queue_depth', 'kv_usage', 'ttft_p99'))}",
        ]
    elif lang == "sql":
        body = [
            "SELECT tenant, sum(prompt_tokens + completion_tokens) AS tokens",
            "FROM usage_events",
            f"WHERE ts >= now() - interval '{rng.randrange(1, 30)} days'",
            "GROUP BY tenant ORDER BY tokens DESC;",
        ]
    else:
        body = [
            "        clients",
            "           |",
            "           v",
            f"   gateway ({t.term().lower()})",
            "           |",
            "           v",
            f"   router -> pool A ({rng.randrange(2, 40)} replicas)",
            f"          -> pool B ({rng.randrange(2, 40)} replicas)",
        ]
    return "\n".join([f"```{lang}", *body, "```"])


def _problem(rng: random.Random, t: _Text, index: int, n: int) -> tuple[str, str, str]:
    number = index + 1
    words = rng.sample(TITLE_WORDS, 2)
    title = f"Synthetic {words[0]} {words[1]} {number}"
    sid = f"synthetic-{number:04d}-{words[0].lower()}-{words[1].lower()}"
    primary = TOPIC_IDS[index % len(TOPIC_IDS)]
    others = rng.sample([x for x in TOPIC_IDS if x != primary], rng.randint(2, 4))
    topics = [primary, *others]
    difficulty = ("medium", "hard", "very-hard")[index % 3]
    headline = [f'"{t.number()} {t.pick(("at peak", "sustained", "per tenant"))}"' for _ in "abc"]
    fm = [
        "---",
        f"id: {sid}",
        f"number: {number}",
        f'title: "{title}"',
        f"difficulty: {difficulty}",
        'level: "L5/L6 (Senior/Staff)"',
        'duration: "45-60 min"',
        f'focus: "{t.term()} and {t.term().lower()} at scale"',
        f"topics: [{', '.join(topics)}]",
        "requirements:",
        *(f"  - {h}" for h in headline),
        "---",
    ]
    out = ["\n".join(fm), f"# {title}", "## The prompt"]
    out.append(_wrap(f'"{t.para(4, 6)}"', first="> ", rest="> "))
    out += [_wrap(t.para(3, 5)), "## Requirements", "### Functional"]
    used: set[str] = set()
    for _ in range(rng.randint(6, 8)):
        label = _unique(lambda: t.pick(FEATURES), used)
        body = f"{t.clause()}; {t.clause()}, as in {t.code()}."
        if rng.random() < 0.35:
            body = f"{t.clause()} within **{t.number()}**; {t.clause()}."
        out.append(_bullet(f"**{label}:** {body}"))
    out.append("### Non-functional")
    for _ in range(rng.randint(6, 9)):
        label = _unique(lambda: t.pick(METRICS), used)
        body = f"sustain **{t.number()}** for {t.pick(OBJECTS)}, {t.clause()}."
        if rng.random() < 0.3:
            body += f" The ceiling is **{t.number()}** at peak."
        out.append(_bullet(f"**{label}:** {body}"))
    out += ["## Scale assumptions", _wrap(t.para(2, 3))]
    for _ in range(5):
        out.append(_bullet(f"**{t.term()}:** {t.para(1, 2)}"))
    out.append("## Clarifying questions a strong candidate asks")
    used = set()
    for q in range(1, 9):
        question = _unique(lambda: t.sentence()[:-1] + "?", used)
        out.append(_wrap(f"{q}. **{question}** Why it matters: {t.para(1, 2)}", rest="   "))
    out.append("## How the 45-60 minutes are typically spent")
    out.append(_table(rng, t, ("Phase", "Minutes", "What a strong candidate covers"), 5))
    return sid, title, "\n\n".join(out) + "\n"


def _solution(rng: random.Random, t: _Text, title: str, *, v2: _Text) -> str:
    out = [f"# Solution: {title}", _wrap(t.para(3, 5))]
    out += ["## 1. What the targets mean", _wrap(t.para(5, 7)), _wrap(t.para(5, 7))]
    out += ["## 2. High-level architecture", _fence(rng, t), "What each component does:"]
    out += [_bullet(f"**{t.term()}:** {t.para(2, 4)}") for _ in range(7)]
    out.append(_wrap(t.para(4, 6)))
    out += ["## 3. Capacity estimate", _wrap(t.para(2, 3))]
    for step in range(rng.randint(6, 8)):
        out += [f"### Step {step}: {t.term().lower()}", _wrap(t.para(4, 7))]
        if step % 3 == 1:
            out.append(_fence(rng, t))
        if step % 3 == 2:
            out.append(_table(rng, t, ("Quantity", "Value", "Derivation"), 4))
        out.append(_wrap(t.para(3, 5)))
    out.append("## 4. Deep dives")
    for dive in range(1, 6):
        out += [f"### Deep dive {dive}: {t.term().lower()}", _wrap(t.para(5, 7))]
        out += [_bullet(t.para(1, 3)) for _ in range(4)]
        out += [_wrap(t.para(4, 6)), _wrap(t.para(4, 6))]
    out.append("## Key concepts")
    used: set[str] = set()
    for k in range(rng.randint(14, 17)):
        term = _unique(t.term, used)
        text = f"**{term}**: {t.para(1, 3)}"
        if k % 5 == 4:
            text = _bullet(text) + "\n" + _bullet(t.sentence(), indent="  ")
            out.append(text)
        else:
            out.append(_bullet(text))
    out.append("## Trade-offs")
    used = set()
    for _ in range(rng.randint(7, 9)):
        decision = _unique(lambda: f"{t.pick(DECISION_NOUNS)} {t.pick(DECISION_ASPECTS)}", used)
        options: set[str] = set()
        rows = []
        for _ in range(rng.randint(3, 4)):
            option = _unique(
                lambda: f"{t.term()} {t.pick(QUALIFIERS)}" if rng.random() < 0.4 else t.term(),
                options,
            )
            pros = f"{t.cell()}; {t.cell()}" if rng.random() < 0.4 else t.cell()
            cells = [option, pros, t.cell(), t.cell()]
            rows.append("| " + " | ".join(cells) + " |")
        table = "\n".join(
            ["| Option | Pros | Cons | Wins when |", "| --- | --- | --- | --- |", *rows]
        )
        out += [f"### {decision}", _wrap(t.sentence()), table]
        out.append(_wrap(f"**Choice:** {t.clause()}, because {t.pick(REASONS)}."))
    out.append("## Numbers to know")
    used = set()
    for _ in range(rng.randint(10, 13)):
        label = _unique(lambda: f"{t.term()}, {t.pick(CONTEXTS)}", used)
        text = f"**{label}:** **{t.number()}** ({t.code()})"
        if rng.random() < 0.25:
            text += f"; the upper bound is **{t.number()}**"
        out.append(_bullet(text + f", {t.clause()}."))
    out.append("## Estimation methods")
    used = set()
    for _ in range(4):
        label = _unique(lambda: f"{v2.term()} {v2.pick(CONTEXTS)}", used)
        method = f"**{label}:** {v2.clause()}."
        out.append(_bullet(method) + "\n" + _bullet(f"Example: {v2.code()}.", indent="  "))
    out += ["## Failure modes and metrics to watch", "### Metrics"]
    out.append(_table(rng, t, ("Metric", "Why", "Alert when"), 8))
    out.append("### Failure modes")
    out += [_bullet(f"**{t.term()}:** {t.para(2, 3)}") for _ in range(7)]
    rows = "\n".join(
        f"| {name} | {v2.cell()} | {v2.cell()} | {v2.cell()} |"
        for name in sorted({v2.term() for _ in range(5)})
    )
    out.append("| Failure | Symptom | Detection | Mitigation |\n| --- | --- | --- | --- |\n" + rows)
    out.append("## References")
    for r in range(1, 9):
        out.append(_bullet(f"{t.term()}: a primary source on it, section {r} ({2015 + r})."))
    return "\n\n".join(out) + "\n"


def _question(t: _Text) -> str:
    return t.pick(QUESTION_FORMS).format(
        a=t.term().lower(),
        b=t.term().lower(),
        ctx=t.pick(CONTEXTS),
        ctx2=t.pick(CONTEXTS),
        num=t.number(),
        obj=t.pick(OBJECTS),
        event=t.pick(EVENTS),
    )


def _cued(t: _Text, v2: _Text, used: set[str]) -> str:
    """A follow-up or curveball bullet: a bold cue question, then the point (cues unique
    in their file, so that no two cards share a key)."""
    cue = _unique(lambda: f"{v2.term()} {v2.pick(CONTEXTS)}?", used)
    return _bullet(f"**{cue}** {t.para(1, 2)}")


def _discussion(rng: random.Random, t: _Text, title: str, *, v2: _Text) -> str:
    out = [f"# Discussion Points: {title}", _wrap(t.para(2, 3)), "## Follow-up questions"]
    used: set[str] = set()
    cues: set[str] = set()
    for _ in range(rng.randint(14, 16)):
        question = _unique(lambda: _question(t), used)
        out.append(f"### {question}")
        out.append("\n".join(_cued(t, v2, cues) for _ in range(rng.randint(3, 5))))
        if rng.random() < 0.3:
            out.append(_wrap(t.para(1, 2)))
    out.append("## Common mistakes")
    used = set()
    for _ in range(rng.randint(7, 9)):
        label = _unique(
            lambda: t.pick(MISTAKE_FORMS).format(
                a=t.term().lower(), b=t.term().lower(), obj=t.pick(OBJECTS)
            ),
            used,
        )
        out.append(_bullet(f"**{label}**: {t.para(1, 3)}"))
    out += ["## Extensions", "What separates a strong candidate once the core design is in place:"]
    out += [_bullet(t.para(2, 3)) for _ in range(6)]
    out.append("## Curveballs")
    for minute in (15, 25, 35, 45):
        out += [
            f"### Now the {v2.term().lower()} changes at minute {minute}.",
            f"**Minute:** {minute}",
        ]
        out.append("\n".join(_cued(v2, v2, cues) for _ in range(3)))
    return "\n\n".join(out) + "\n"


def _rubric(rng: random.Random, t: _Text, title: str, *, v2: _Text) -> str:
    out = [f"# Rubric: {title}", _wrap(t.para(2, 3)), "## Dimensions"]
    dimensions = rng.sample(DIMENSIONS, rng.randint(5, 7))
    for dimension in dimensions:
        out.append(f"### {dimension}")
        out.append(_wrap(f"Weight {rng.randrange(10, 25)}%. {t.sentence()}"))
        out.append(
            "\n".join(
                _bullet(f"**{level}:** {t.para(2, 2)}")
                + "\n"
                + _bullet(f'Anchor: "{v2.sentence()}"', indent="  ")
                for level in LEVELS
            )
        )
    out += ["## Decision rule", _bullet(f"**Must reach Hire:** {dimensions[0]}")]
    out += ["## Green flags", *(_bullet(t.para(1, 2)) for _ in range(5))]
    out += ["## Red flags", *(_bullet(t.para(1, 2)) for _ in range(5))]
    out += ["## L5 vs L6", _table(rng, t, ("Area", "L5", "L6"), 5)]
    return "\n\n".join(out) + "\n"


def scenario_files(index: int, n: int, seed: int = 0) -> tuple[str, dict[str, str]]:
    """(folder name, {file name: markdown}) of scenario ``index`` (0-based) of ``n``."""
    rng = random.Random(f"deckbuilder-bench:{seed}:{index}")
    t = _Text(rng)
    # format-v2 sections draw from their own stream, so the rest of the text is as before
    v2 = _Text(random.Random(f"deckbuilder-bench:{seed}:{index}:v2"))
    sid, title, problem = _problem(rng, t, index, n)
    width = max(2, len(str(n)))
    folder = f"{index + 1:0{width}d}-{sid.split('-', 2)[2]}"
    files = {
        "problem.md": problem,
        "solution.md": _solution(rng, t, title, v2=v2),
        "discussion_points.md": _discussion(rng, t, title, v2=v2),
        "rubric.md": _rubric(rng, t, title, v2=v2),
    }
    return folder, files


def generate(root: Path, n: int, seed: int = 0) -> Path:
    """Write a library of ``n`` scenarios (and topics.yaml) into ``root``; return ``root``."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TOPICS_YAML, root / "topics.yaml")
    for index in range(n):
        folder, files = scenario_files(index, n, seed)
        target = root / folder
        target.mkdir(exist_ok=True)
        for name, text in files.items():
            (target / name).write_text(text, encoding="utf-8")
    return root


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder to write (created if missing)")
    parser.add_argument("-n", type=int, default=10, help="number of scenarios (default 10)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    generate(args.out, args.n, seed=args.seed)
    size = sum(p.stat().st_size for p in args.out.rglob("*.md"))
    print(f"wrote {args.n} scenarios ({size / 1e6:.1f} MB of markdown) to {args.out}")


if __name__ == "__main__":
    main()
