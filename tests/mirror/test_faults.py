"""The mirror's fault mode: the SPEC, and what clients see through it."""

import json
import subprocess
import sys

import pytest

from mirror.proxy.faults import BadFaultSpec, Faults


def test_spec_is_parsed():
    faults = Faults.parse("503=0.1, latency=300ms, reset=0.05, truncate=0.02, seed=7")
    assert faults == Faults(unavailable=0.1, reset=0.05, truncate=0.02, latency_s=0.3, seed=7)
    assert Faults.parse("latency=0.5s").latency_s == 0.5
    assert Faults.from_json(faults.to_json()) == faults
    api_only = Faults.parse("truncate=0.01,truncate-on=api")
    assert api_only.truncate_on == "api" and api_only.cuts("api") and not api_only.cuts("bucket")
    assert Faults.parse("truncate=0.01").cuts("bucket")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("503=1.5", "between 0 and 1"),
        ("503=lots", "between 0 and 1"),
        ("latency=fast", "like 300ms"),
        ("seed=-1", "whole number"),
        ("timeouts=0.1", "unknown fault 'timeouts'"),
        ("503=0.6,reset=0.6", "add up to more than 1"),
        ("truncate-on=s3", "truncate-on takes one of both, api, bucket"),
    ],
)
def test_bad_specs_are_explained(spec, message):
    with pytest.raises(BadFaultSpec, match=message):
        Faults.parse(spec)


def test_draws_are_seeded_and_follow_the_shares():
    faults = Faults.parse("503=0.1,reset=0.05,seed=3")
    first, second = faults.drawer(), faults.drawer()
    draws = [first() for _ in range(4000)]
    assert draws == [second() for _ in range(4000)]
    assert 0.08 < draws.count("503") / 4000 < 0.12 and 0.035 < draws.count("reset") / 4000 < 0.065
    assert "truncate" not in draws


PROBE = """
import collections, json, requests
seen = collections.Counter()
for _ in range(60):
    try:
        answer = requests.get("https://canelevation-dem.s3.ca-central-1.amazonaws.com/"
                              "hrdem-mosaic-2m/9_2-mosaic-2m-thumbnail.png", timeout=10)
        complete = len(answer.content) == int(answer.headers["Content-Length"])
        seen[f"{answer.status_code}{'' if complete else '-short'}"] += 1
    except requests.exceptions.ProxyError:
        seen["reset"] += 1
    except requests.exceptions.ChunkedEncodingError:
        seen["truncated"] += 1
print(json.dumps(seen))
"""


def probe(tmp_path, spec: str) -> tuple[dict, list[dict]]:
    """What PROBE's 60 downloads saw through the mirror under `spec`, and the mirror's request log."""
    log = tmp_path / "log.jsonl"
    command = [sys.executable, "-m", "mirror", "run", "--log", str(log), "--faults", spec, "--"]
    result = subprocess.run([*command, sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), [json.loads(line) for line in log.read_text().splitlines()]


@pytest.mark.mirror
def test_clients_see_each_fault(tmp_path):
    seen, records = probe(tmp_path, "503=0.2,reset=0.1,truncate=0.1,latency=50ms,seed=5")
    assert seen.get("503", 0) > 3 and seen.get("reset", 0) > 0 and seen.get("truncated", 0) > 0
    assert seen.get("200", 0) > 20
    assert {r.get("fault") for r in records} >= {"503", "reset", "truncate"}


@pytest.mark.mirror
def test_truncate_on_api_leaves_the_bucket_whole(tmp_path):
    seen, records = probe(tmp_path, "truncate=0.5,truncate-on=api,seed=5")
    assert seen == {"200": 60}, seen  # half of them would be cut with truncate-on=both
    assert not any(record.get("fault") for record in records)


HEAD_THEN_GET = """
import requests
with requests.Session() as session:
    bucket = "https://canelevation-dem.s3.ca-central-1.amazonaws.com/hrdem-mosaic-2m/"
    print(session.head(bucket + "9_2-mosaic-2m-thumbnail.png", timeout=10).status_code,
          session.get(bucket + "9_2-mosaic-2m-thumbnail.png", timeout=10).status_code)
"""


@pytest.mark.mirror
def test_a_503_to_a_head_has_no_body_so_the_connection_stays_usable():
    result = subprocess.run(
        [sys.executable, "-m", "mirror", "run", "--faults", "503=1", "--", sys.executable, "-c", HEAD_THEN_GET],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["503", "503"]
