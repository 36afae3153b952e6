"""Tutorial 08's recipe on a real cluster: a scheduler and two workers started with the `dask scheduler`
and `dask worker` command line, as separate processes on 127.0.0.1, reached through
`distributed.Client(address)` as a Dask Gateway or Coiled cluster is. Its statistics are those of the
in-process run, and the GDAL settings reach the workers as the tutorial says (`client.run`)."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from checks import run_recipe

ROOT = Path(__file__).resolve().parents[2]
TUTORIAL = ROOT / "notebooks" / "en" / "08-scaling-up.ipynb"
DASK = Path(sys.executable).with_name("dask")
AREA = (-75.85, 45.30, -75.60, 45.45)  # the recipe's own example: tutorial 03's AOI, at 8 m
WORKERS = 2
START_TIMEOUT = 60  # seconds


def without(settings, environment):
    """The test's environment (the mirror's proxy and CA bundle included) without the recipe's GDAL
    settings, so that they reach the workers only through the client."""
    return {name: value for name, value in environment.items() if name not in settings}


@pytest.fixture(scope="module")
def recipe():
    return run_recipe(TUTORIAL, with_example=False)  # the test makes its own calls


@pytest.fixture
def cluster(tmp_path, recipe):
    """The address of a scheduler with two single-threaded workers, each its own process."""
    scheduler_file = tmp_path / "scheduler.json"
    environment = without(recipe["GDAL_ENV"], os.environ)
    common = ["--scheduler-file", scheduler_file, "--host", "127.0.0.1", "--no-dashboard"]
    processes = [
        subprocess.Popen(
            [DASK, "scheduler", "--port", "0", *common],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not scheduler_file.exists():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        for _ in range(WORKERS):
            processes.append(
                subprocess.Popen(
                    [DASK, "worker", "--nthreads", "1", "--memory-limit", "1GB", *common],
                    env=environment,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        yield json.loads(scheduler_file.read_text())["address"]
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.mark.mirror
def test_the_recipe_on_a_cli_started_cluster_gives_the_in_process_statistics(cluster, recipe):
    from distributed import Client, get_task_stream

    in_process = recipe["region_statistics"](AREA, resolution=8)

    with Client(cluster, timeout=START_TIMEOUT) as client:
        client.wait_for_workers(WORKERS, timeout=START_TIMEOUT)
        worker_pids = set(client.run(os.getpid).values())
        assert len(worker_pids) == WORKERS and os.getpid() not in worker_pids
        # What 08 tells a reader to do on a cluster service: the workers start without the settings.
        names = list(recipe["GDAL_ENV"])
        assert all(v is None for v in client.run(lambda: os.environ.get(names[0])).values())
        settings = recipe["GDAL_ENV"]
        client.run(lambda: os.environ.update(settings))  # as 08 says; os.environ.update alone updates a copy
        on_workers = client.run(lambda: {name: os.environ.get(name) for name in names})
        assert all(settings == recipe["GDAL_ENV"] for settings in on_workers.values()), on_workers

        with get_task_stream(client) as stream:
            on_cluster = recipe["region_statistics"](AREA, resolution=8)
        ran_on = {task["worker"] for task in stream.data}
        assert stream.data and ran_on <= set(client.scheduler_info()["workers"]), ran_on

    pd.testing.assert_series_equal(on_cluster, in_process)
    assert "8_2-mosaic-2m" in in_process["tiles"] and in_process["area with data (km²)"] > 300
