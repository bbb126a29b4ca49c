"""Schemathesis against a live server: the API keeps to its own OpenAPI schema.

Runs `st run` with every check and at least 200 generated cases per operation (positive
and negative), on the demo content. Part of the normal suite; about a minute and a half.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

MAX_EXAMPLES = 200
ST = Path(sys.executable).with_name("st")


@pytest.fixture
def demo_server(live_server, transactional_db, settings):
    ContentType.objects.clear_cache()  # an earlier flush may have removed cached types
    settings.API_RATE_LIMIT = "0"  # the run sends thousands of requests from one address
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    return live_server


def test_api_conforms_to_its_schema_under_generated_requests(demo_server, tmp_path):
    command = [
        str(ST),
        "run",
        f"{demo_server.url}/api/v1/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing",  # the stateful phase adds a minute and no operation
        "--max-examples",
        str(MAX_EXAMPLES),
        "--workers",
        "1",  # the test database's connection is shared with the server thread
        "--seed",
        "14",
        "--generation-database",
        "none",
        "--no-color",
        "--request-timeout",
        "10",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(tmp_path / "events.ndjson"),
    ]
    result = subprocess.run(  # noqa: S603 - our own command line
        command, capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False
    )
    output = result.stdout + result.stderr
    print(output[-3000:])  # shown by pytest on failure, with -s always
    assert result.returncode == 0, output[-6000:]
    assert "No issues found" in output
    fuzzed = fuzzing_cases(tmp_path / "events.ndjson")
    assert len(fuzzed) == 7
    # Operations without parameters have one possible request; the others get 200 each.
    assert {label for label, count in fuzzed.items() if count < MAX_EXAMPLES} == {
        "GET /api/v1/topics",
        "GET /api/v1/experts",
    }


def fuzzing_cases(events):
    """Return {operation: cases generated in the fuzzing phase} from the run's events."""
    counts = {}
    for line in events.read_text().splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if finished and finished["phase"] == "fuzzing" and finished["recorder"]:
            recorder = finished["recorder"]
            counts[recorder["label"]] = len(recorder["cases"])
    return counts
