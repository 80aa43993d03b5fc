"""The benchmark suite's command line: a section it does not know is refused before anything
runs, and every section it knows runs a benchmark module of this repository."""

from importlib.util import find_spec
from pathlib import Path

import pytest

from benchmarks.suite import main, render, sections


def test_an_unknown_section_is_refused_with_the_known_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--only", "api,speed", "--output", str(tmp_path / "report.md")])

    assert stopped.value.code == 2
    error = capsys.readouterr().err
    assert "unknown section(s) ['speed']" in error
    assert "'latency'" in error
    assert not (tmp_path / "report.md").exists()


def test_every_section_runs_a_benchmark_module_that_exists() -> None:
    for section in sections("redis://127.0.0.1:6379/14", "postgresql://x/y", Path("celery")):
        assert section.arguments[0].startswith("benchmarks."), section
        assert find_spec(section.arguments[0]) is not None, section


def test_a_section_shows_its_command_and_marks_a_failed_check() -> None:
    [section] = [s for s in sections("r", "p", Path("c")) if s.key == "latency"]

    shown = render(section, "accepted 10", passed=False)

    assert "`python -m benchmarks.job_latency --rate 50 --seconds 10`" in shown
    assert "```\naccepted 10\n```" in shown
    assert "checks failed" in shown
