"""The interface's start-up path parses only the global options (issue #7: start-up time)."""

from __future__ import annotations

import pytest

from tui import cli


def test_opening_the_interface_does_not_build_the_full_grammar(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_full_parser() -> None:
        raise AssertionError("the full parser was built")

    monkeypatch.setattr(cli, "build_parser", no_full_parser)
    args = cli._interface_only(["--db", "demandas.db", "--user", "ana", "--demo"])
    assert args is not None
    assert args.handler is cli._cmd_tui and args.parser is None
    assert (args.db, args.user, args.demo) == ("demandas.db", "ana", True)


@pytest.mark.parametrize("argv", [["tickets", "list"], ["--help"], ["-h"], ["--he"], ["--db"], ["--user", "x", "bogus"],
                                  ["--nope"]])
def test_commands_help_and_mistakes_go_to_the_full_grammar(argv: list[str]) -> None:
    assert cli._interface_only(argv) is None


def test_a_usage_error_of_the_interface_explains_itself_with_the_full_usage(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--server", "http://127.0.0.1:9", "--demo"]) == 2
    err = capsys.readouterr().err
    assert "COMANDO" in err and "--demo preenche um banco local" in err
