"""The scheduling examples run the one documented command, with the key from a secret."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

DOCS = Path(__file__).resolve().parents[1] / "docs"
COMMAND = "evidence refresh"


@pytest.fixture(scope="module")
def scheduling() -> str:
    return (DOCS / "scheduling.md").read_text("utf-8")


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((DOCS / "examples" / "evidence-refresh.yml").read_text("utf-8"))


def documented_command(text: str) -> str:
    """The command in the first ```sh block of scheduling.md: the one every schedule must run."""
    return re.search(r"```sh\n(.+?)\n```", text, re.S).group(1).strip()


def cron_lines(text: str) -> list[str]:
    block = re.search(r"```cron\n(.+?)\n```", text, re.S).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_the_documented_command(scheduling):
    assert documented_command(scheduling) == COMMAND


def test_cron_line_runs_the_command(scheduling):
    (line,) = cron_lines(scheduling)
    fields = line.split()
    assert len(fields) > 5 and all(re.fullmatch(r"[\d*/,-]+", f) for f in fields[:5])  # a real schedule
    assert re.search(rf"(^|[\s/]){re.escape(COMMAND)}(\s|$)", " ".join(fields[5:]))
    assert "NCBI_API_KEY=" not in line  # the key lives in a file, not in the crontab


def test_systemd_unit_runs_the_command(scheduling):
    service = (DOCS / "examples" / "evidence-refresh.service").read_text("utf-8")
    (exec_start,) = [line for line in service.splitlines() if line.startswith("ExecStart=")]
    assert exec_start.endswith("/" + COMMAND) or exec_start == f"ExecStart={COMMAND}"
    assert exec_start in scheduling  # the page shows the file as it is
    assert "Type=oneshot" in service and "EnvironmentFile=" in service
    assert "NCBI_API_KEY=" not in service.replace("# NCBI_API_KEY=...", "")
    timer = (DOCS / "examples" / "evidence-refresh.timer").read_text("utf-8")
    assert "OnCalendar=" in timer and "OnCalendar=" in scheduling


def test_workflow_has_a_schedule(workflow):
    on = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as True
    crons = [entry["cron"] for entry in on["schedule"]]
    assert crons and all(len(c.split()) == 5 for c in crons)


def test_workflow_runs_the_command_with_the_key_from_secrets(workflow, scheduling):
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    runs = [step for step in steps if step.get("run", "").strip() == documented_command(scheduling)]
    assert len(runs) == 1
    env = runs[0]["env"]
    assert re.fullmatch(r"\$\{\{\s*secrets\.NCBI_API_KEY\s*\}\}", env["NCBI_API_KEY"])
    assert "NCBI_EMAIL" in env


def test_workflow_keeps_the_cache(workflow):
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    (cache,) = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert cache["with"]["path"] == "cache" and cache["with"]["restore-keys"]
    assert workflow["concurrency"]["cancel-in-progress"] is False


def test_the_cron_line_is_silent_on_a_no_change_run(scheduling, ncbi_fixtures, tmp_path):
    """Issue 13: run the documented cron command itself (a loopback NCBI, a scratch project folder):
    the first run logs one line, a run that changes nothing adds nothing to the log."""
    import os
    import subprocess
    import sys

    from tests.refresh_support import QuickNCBI, real_records, spread, today_utc, topic_keys, write_registry

    (line,) = cron_lines(scheduling)
    command = " ".join(line.split()[5:])
    assert "--quiet" in command and ">> cache/refresh.log 2>&1" in command
    project = tmp_path / "srv" / "evidence"
    registry_path = write_registry(project, ["alpha", "bravo", "charlie"])
    from evidence.registry import load_registry

    registry = load_registry(registry_path)
    (project / "cache").mkdir()
    venv = project / ".venv" / "bin"
    venv.mkdir(parents=True)
    repo = Path(__file__).resolve().parents[1]
    shim = venv / "evidence"  # the project's own `evidence`, as `pip install` into .venv would give
    shim.write_text(f"#!/bin/sh\nPYTHONPATH={repo} exec {sys.executable} -m evidence.cli \"$@\"\n", "utf-8")
    shim.chmod(0o755)
    recs = real_records(ncbi_fixtures)
    topics = spread([r.pmid for r in recs], topic_keys(registry), 6, 3)
    with QuickNCBI(recs, topics, today=today_utc()) as ncbi:
        (project / "ncbi.env").write_text(
            f"export NCBI_API_KEY=test-key\nexport NCBI_EMAIL=cron@example.org\nexport NCBI_EUTILS_URL={ncbi.url}\n",
            "utf-8")
        run = command.replace("/srv/evidence", str(project))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("EVIDENCE_", "NCBI_"))}
        log = project / "cache" / "refresh.log"
        first = subprocess.run(["bash", "-c", run], env=env, capture_output=True, text=True, timeout=300)
        assert first.returncode == 0 and first.stdout == first.stderr == "", first
        (said,) = log.read_text("utf-8").splitlines()  # a first run has news: one line
        assert said.startswith("run 1 ok: ") and "new studies" in said
        again = subprocess.run(["bash", "-c", run], env=env, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0
        assert log.read_text("utf-8").splitlines() == [said]  # the no-change run wrote nothing
        assert (project / "cache" / "digests" / "digest-2.md").exists()  # yet it ran
