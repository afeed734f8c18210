"""`fpmscope demo` says what is missing instead of failing obscurely."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from fpmscope.cli import main
from fpmscope.demo import stack


def test_demo_names_the_missing_servers_and_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack, "find_program", lambda *names: None)
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "php-fpm and nginx" in result.stderr
    assert "apt-get install php-fpm nginx" in result.stderr
    assert "Traceback" not in result.stderr
