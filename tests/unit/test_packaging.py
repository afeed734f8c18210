"""What a packager and an installer see: the license, the metadata, the man page generated
from the CLI (current), completion through click."""

from __future__ import annotations

import runpy
import tomllib
from pathlib import Path

from click.testing import CliRunner

from fpmscope.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]


def test_license_file_is_mit_as_the_metadata_says() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert {"Homepage", "Issues", "Documentation"} <= set(project["urls"])
    assert any(c.startswith("Topic ::") for c in project["classifiers"])


def test_man_page_is_generated_from_the_cli_and_current() -> None:
    build = runpy.run_path(str(ROOT / "scripts" / "manpage.py"))["build"]
    text = build()
    assert text == (ROOT / "docs" / "man" / "fpmscope.1").read_text(), "run: python scripts/manpage.py"
    for name in COMMANDS:
        assert f".SS fpmscope {name}\n" in text
    assert "\\-\\-fail\\-on" in text and "_FPMSCOPE_COMPLETE" in text


def test_shell_completion_completes_command_names() -> None:
    env = {"_FPMSCOPE_COMPLETE": "bash_complete", "COMP_WORDS": "fpmscope di", "COMP_CWORD": "1"}
    result = CliRunner().invoke(main, [], env=env, prog_name="fpmscope")
    assert "diff" in result.output


def test_readme_documents_pipx_completion_and_the_man_page() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "pipx install ." in readme
    assert "_FPMSCOPE_COMPLETE=bash_source fpmscope" in readme
    assert "man -l docs/man/fpmscope.1" in readme
