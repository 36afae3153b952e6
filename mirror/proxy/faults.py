"""The mirror's fault mode: a seeded share of failures, and latency, for every mirrored host.

SPEC is comma-separated ``name=value`` pairs, for example ``503=0.1,latency=300ms,seed=1``:

  503=SHARE       answer this share of requests with 503 Service Unavailable (S3 "SlowDown")
  reset=SHARE     reset the connection for this share of requests, with no answer
  truncate=SHARE  send only the first half of the body for this share of answers
  truncate-on=HOSTS  whose answers truncate cuts: both (the default), api or bucket (the bucket and PROJ's CDN)
  latency=TIME    add this delay before every answer (300ms, 0.3s)
  seed=N          seed of the random draws (default 0), so a run can be repeated

Shares are between 0 and 1; their sum must not exceed 1. A truncation drawn for a request to a
host that ``truncate-on`` leaves out is not applied (the draws stay those of the seed).
"""

import json
import random
import re
from dataclasses import asdict, dataclass

SHARES = ("503", "reset", "truncate")
TRUNCATE_ON = ("both", "api", "bucket")


class BadFaultSpec(ValueError):
    pass


@dataclass(frozen=True)
class Faults:
    unavailable: float = 0.0
    reset: float = 0.0
    truncate: float = 0.0
    latency_s: float = 0.0
    seed: int = 0
    truncate_on: str = "both"

    @classmethod
    def parse(cls, spec: str) -> "Faults":
        values = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            name, _, value = part.partition("=")
            name = name.strip()
            if name in SHARES:
                values[{"503": "unavailable"}.get(name, name)] = _share(name, value)
            elif name == "truncate-on":
                if value.strip() not in TRUNCATE_ON:
                    raise BadFaultSpec(f"truncate-on takes one of {', '.join(TRUNCATE_ON)}, got {value!r}")
                values["truncate_on"] = value.strip()
            elif name == "latency":
                values["latency_s"] = _duration(value)
            elif name == "seed":
                if not re.fullmatch(r"\s*\d+\s*", value):
                    raise BadFaultSpec(f"seed must be a whole number, got {value!r}")
                values["seed"] = int(value)
            else:
                raise BadFaultSpec(f"unknown fault {name!r}: use 503, reset, truncate, truncate-on, latency or seed")
        faults = cls(**values)
        if faults.unavailable + faults.reset + faults.truncate > 1:
            raise BadFaultSpec("the shares of 503, reset and truncate add up to more than 1")
        return faults

    def cuts(self, host_kind: str) -> bool:
        """Whether a truncation drawn for a request to this host ("api" or "bucket") is applied."""
        return self.truncate_on in ("both", host_kind)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Faults":
        return cls(**json.loads(text)) if text else cls()

    def drawer(self):
        """A function that names the fault for the next request: None, "503", "reset" or "truncate"."""
        rng = random.Random(self.seed)
        bounds = [("503", self.unavailable), ("reset", self.reset), ("truncate", self.truncate)]

        def draw():
            roll, edge = rng.random(), 0.0
            for name, share in bounds:
                edge += share
                if roll < edge:
                    return name
            return None

        return draw


def _share(name: str, value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        raise BadFaultSpec(f"{name} takes a share between 0 and 1, got {value!r}") from None
    if not 0 <= share <= 1:
        raise BadFaultSpec(f"{name} takes a share between 0 and 1, got {share}")
    return share


def _duration(value: str) -> float:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*", value)
    if not match:
        raise BadFaultSpec(f"latency takes a time like 300ms or 0.3s, got {value!r}")
    number, unit = float(match.group(1)), match.group(2) or "s"
    return number / 1000 if unit == "ms" else number
