"""CI and pre-commit: the workflow is valid, runs what .ci/run runs, and its steps work;
``pre-commit run --all-files`` passes on the repository and stops a commit that would
break or misplace an annotation. Everything runs in a temporary git clone: the working
tree is never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from corpus_fixtures import REPO

WORKFLOW = REPO / ".github/workflows/site.yml"
PRECOMMIT = REPO / ".pre-commit-config.yaml"
SEED_TEXT = "corpus/nadortoday-2012-cyberwar.txt"
BIN = str(Path(sys.executable).parent)


def workflow() -> dict:
    # BaseLoader: YAML 1.1 would read the key 'on' as true.
    return yaml.load(WORKFLOW.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)


def steps(job: str) -> list[dict]:
    return workflow()["jobs"][job]["steps"]


def ci_run_commands() -> list[str]:
    lines = (REPO / ".ci/run").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")
            and not line.startswith(("set ", "cd "))]


def env() -> dict[str, str]:
    return dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""), NO_COLOR="1")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def clone(tmp_path) -> Path:
    """A clone of the repository with the working tree's CI files and sources, committed."""
    root = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(REPO), str(root)], check=True)
    for name in (".pre-commit-config.yaml", ".github", ".ci", "scripts", "schemas", "corpus", "annotations"):
        source, target = REPO / name, root / name
        if source.is_dir():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
    git(root, "add", "-A")
    git(root, "-c", "user.name=Test", "-c", "user.email=test@example.org", "commit", "-q", "--allow-empty",
        "-m", "working tree state")
    return root


# ---- the workflow ---------------------------------------------------------------------

def test_workflow_is_valid_for_github_actions():
    """Validated against SchemaStore's GitHub workflow schema (vendored by check-jsonschema)."""
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_runs_the_same_test_command_as_ci_run():
    assert ci_run_commands() == ["bash scripts/test.sh"]
    runs = [s.get("run", "") for s in steps("build")]
    assert ci_run_commands()[0] in runs
    assert (REPO / "README.md").read_text(encoding="utf-8").count("bash scripts/test.sh") >= 1


def test_workflow_checks_on_every_push_and_pull_request_and_deploys_from_main():
    flow = workflow()
    assert {"push", "pull_request"} <= set(flow["on"])
    build = steps("build")
    runs = [s.get("run", "") for s in build]
    assert any(r.endswith("corpus check --format github") for r in runs)
    assert any(r.endswith("corpus build") for r in runs) and not any("--no-strict" in r for r in runs)
    order = [next(i for i, r in enumerate(runs) if key in r) for key in ("corpus check", "scripts/test.sh",
                                                                          "corpus build")]
    assert order == sorted(order), "check, then tests, then the build"
    uses = {s.get("uses", "").split("@")[0]: s for s in build}
    assert uses["actions/checkout"]["with"]["fetch-depth"] == "0"
    upload = uses["actions/upload-pages-artifact"]
    assert upload["with"]["path"] == "site"
    main_only = "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    assert upload["if"] == main_only
    deploy = flow["jobs"]["deploy"]
    assert deploy["if"] == main_only and deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]
    assert flow["permissions"] == {"contents": "read"}


def _step_command(name_part: str) -> str:
    [step] = [s for s in steps("build") if name_part in s.get("name", "")]
    return step["run"].replace(".venv/bin/", "")


def test_workflow_check_and_review_steps_run(clone, tmp_path):
    check = subprocess.run(["bash", "-c", _step_command("Check the annotations")], cwd=clone, env=env(),
                           capture_output=True, text=True)
    assert check.returncode == 0 and check.stdout == "" and check.stderr == "", check.stderr

    summary = tmp_path / "summary.md"
    review = _step_command("Summarise").replace("${{ github.base_ref }}", "main")
    result = subprocess.run(["bash", "-c", review], cwd=clone, capture_output=True, text=True,
                            env=dict(env(), GITHUB_STEP_SUMMARY=str(summary)))
    assert result.returncode == 0, result.stderr
    assert summary.read_text(encoding="utf-8").startswith("## Annotation changes: origin/main (")

    # A broken annotation: the check step fails with a GitHub annotation on the file.
    mentions = clone / "annotations/nadortoday-2012-cyberwar/mentions.yml"
    mentions.write_text(mentions.read_text(encoding="utf-8").replace('quote: "دوزيم"', 'quote: "دوزيمم"'),
                        encoding="utf-8")
    check = subprocess.run(["bash", "-c", _step_command("Check the annotations")], cwd=clone, env=env(),
                           capture_output=True, text=True)
    assert check.returncode == 1
    assert check.stderr.startswith("::error file=annotations/nadortoday-2012-cyberwar/mentions.yml,line=")


# ---- pre-commit -------------------------------------------------------------------------

def pre_commit(clone: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=clone, capture_output=True, text=True,
                          env=dict(env(), PRE_COMMIT_HOME=str(clone.parent / "pre-commit-home")), timeout=600)


def test_pre_commit_config_is_valid_and_local_only():
    result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(PRECOMMIT)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    config = yaml.safe_load(PRECOMMIT.read_text(encoding="utf-8"))
    assert [r["repo"] for r in config["repos"]] == ["local"]
    entries = {h["id"]: h["entry"] for h in config["repos"][0]["hooks"]}
    assert entries == {"corpus-check": "corpus check", "corpus-reanchor": "corpus reanchor",
                       "corpus-schema": "corpus schema"}


def test_pre_commit_run_all_files(clone):
    result = pre_commit(clone, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("corpus check", "corpus reanchor", "corpus schema"):
        assert any(line.startswith(name) and line.endswith("Passed") for line in result.stdout.splitlines()), \
            result.stdout
    assert git(clone, "status", "--porcelain") == ""


def test_pre_commit_stops_a_broken_annotation(clone):
    mentions = clone / "annotations/nadortoday-2012-cyberwar/mentions.yml"
    mentions.write_text(mentions.read_text(encoding="utf-8").replace('quote: "دوزيم"', 'quote: "دوزيمم"'),
                        encoding="utf-8")
    git(clone, "add", "-A")
    result = pre_commit(clone, "run")
    assert result.returncode == 1
    assert "error[anchor-not-found]" in result.stdout and "«دوزيمم»" in result.stdout


def test_pre_commit_stops_a_text_edit_that_would_misplace_an_annotation(clone):
    """The inserted words make 'occurrence: 1' point elsewhere: check passes, reanchor does not."""
    text = clone / SEED_TEXT
    text.write_text("وزير السكنى يعلق: " + text.read_text(encoding="utf-8"), encoding="utf-8")
    git(clone, "add", "-A")
    result = pre_commit(clone, "run")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any(line.startswith("corpus check") and line.endswith("Passed") for line in lines), result.stdout
    assert any(line.startswith("corpus reanchor") and line.endswith("Failed") for line in lines)
    assert "moved: mention of 'nabil-benabdallah'" in result.stdout
    assert 'proposal: replace the anchor with quote: "وزير السكنى", occurrence: 2' in result.stdout
