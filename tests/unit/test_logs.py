"""The log formats: one JSON object a line (or text), with the request and the job of the line."""

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from application.common import log_context
from entrypoints.logs import JsonLines, TextLines, logging_config, redact
from entrypoints.settings import Settings, SettingsError


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger writing JSON lines into a string."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(JsonLines())
    log = logging.getLogger("tests.logs")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    log.propagate = False
    try:
        yield log, output
    finally:
        log.removeHandler(handler)


def lines(output: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.getvalue().splitlines()]


def test_a_json_line_holds_time_level_logger_and_message_only_without_context(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, output = logger

    log.info("Job %s: %s", "j-1", "succeeded")

    [line] = lines(output)
    assert set(line) == {"time", "level", "logger", "message"}
    assert line["level"] == "INFO"
    assert line["logger"] == "tests.logs"
    assert line["message"] == "Job j-1: succeeded"
    assert isinstance(line["time"], str)
    assert line["time"].endswith("Z")


def test_a_json_line_carries_the_request_and_job_of_its_context(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, output = logger

    with log_context.job_run("job-7"):
        log.info("before the job is read")
        log_context.request_id.set("abc123")
        log.info("after")
    log.info("outside")

    before, after, outside = lines(output)
    assert before["job_id"] == "job-7"
    assert "request_id" not in before
    assert (after["job_id"], after["request_id"]) == ("job-7", "abc123")
    assert "job_id" not in outside
    assert "request_id" not in outside


def test_fields_given_with_extra_win_over_the_context(
    logger: tuple[logging.Logger, io.StringIO],
) -> None:
    log, output = logger
    token = log_context.request_id.set("req-1")
    try:
        log.info("accepted", extra={"job_id": "job-9"})
    finally:
        log_context.request_id.reset(token)

    [line] = lines(output)
    assert (line["request_id"], line["job_id"]) == ("req-1", "job-9")


def test_an_exception_is_one_field_of_one_line(logger: tuple[logging.Logger, io.StringIO]) -> None:
    log, output = logger

    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        log.exception("Job failed")

    [line] = lines(output)  # the traceback's line breaks are escaped inside the object
    assert line["level"] == "ERROR"
    assert line["message"] == "Job failed"
    assert "Traceback" in str(line["exception"])
    assert "RuntimeError: boom" in str(line["exception"])


def test_text_lines_put_the_context_after_the_message() -> None:
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, "Job %s", ("j",), None)
    token = log_context.request_id.set("abc123")
    try:
        text = TextLines().format(record)
    finally:
        log_context.request_id.reset(token)

    assert text.endswith(" WARNING app Job j request_id=abc123")


@pytest.mark.parametrize(
    ("message", "kept", "gone"),
    [
        ("postgresql+asyncpg://reader:s3cret@db/sales", "reader:***@db/sales", "s3cret"),
        ("Authorization: Bearer eyJhbGciOi.eyJzdWIi.sig-_x", "Bearer ***", "eyJhbGciOi"),
        ("redis://cache:6379/0", "redis://cache:6379/0", "***"),
    ],
)
def test_secrets_are_masked_in_every_line(message: str, kept: str, gone: str) -> None:
    assert kept in redact(message)
    assert gone not in redact(message)


def test_the_format_is_chosen_by_setting_and_auto_means_json_off_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stderr", io.StringIO())  # not a terminal

    def formatter(value: str) -> str:
        settings = Settings.from_env(
            {"REPORTGEN_DATA_DIR": str(tmp_path), "REPORTGEN_LOG_FORMAT": value}
        )
        return str(logging_config(settings)["formatters"]["reportgen"]["()"])

    assert formatter("json").endswith("JsonLines")
    assert formatter("TEXT").endswith("TextLines")
    assert formatter("auto").endswith("JsonLines")


def test_log_settings_default_to_auto_and_info_and_refuse_other_values(tmp_path: Path) -> None:
    env = {"REPORTGEN_DATA_DIR": str(tmp_path)}
    settings = Settings.from_env(env)
    assert (settings.log_format, settings.log_level) == ("auto", "INFO")
    assert Settings.from_env({**env, "REPORTGEN_LOG_LEVEL": "debug"}).log_level == "DEBUG"

    with pytest.raises(SettingsError, match="REPORTGEN_LOG_FORMAT"):
        Settings.from_env({**env, "REPORTGEN_LOG_FORMAT": "xml"})
    with pytest.raises(SettingsError, match="REPORTGEN_LOG_LEVEL"):
        Settings.from_env({**env, "REPORTGEN_LOG_LEVEL": "loud"})
