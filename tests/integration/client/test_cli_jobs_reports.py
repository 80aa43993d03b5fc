"""``reportgen jobs ...`` and ``reportgen reports ...`` against a real ``reportgen serve``."""

import json

from tests.integration.client.service import Service, client, newest_job


def test_jobs_list_and_show_print_the_callers_jobs(service: Service) -> None:
    token = service.token("lister", "analyst")
    env = service.env(token)
    with service.api(token) as api:
        ids = [
            api.post(
                "/api/v1/reports/report-123/generate", json={"parameters": {"region": r}}
            ).json()["jobId"]
            for r in ("North", "South")
        ]

    listed = client("jobs", "list", env=env)
    as_json = client("jobs", "list", "--json", "--limit", "1", env=env)
    by_report = client("jobs", "list", "--report", "report-456", env=env)
    shown = client("jobs", "show", ids[0], env=env)
    shown_json = client("jobs", "show", ids[0], "--json", env=env)

    assert [run.returncode for run in (listed, as_json, by_report, shown, shown_json)] == [0] * 5
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ids[::-1]
    assert all(" report-123 " in line for line in listed.stdout.splitlines())
    assert [job["jobId"] for job in json.loads(as_json.stdout)] == [ids[1]]
    assert by_report.stdout == ""
    assert shown.stdout.splitlines()[0] == f"job:       {ids[0]}"
    assert "report:    report-123 (csv)" in shown.stdout
    assert json.loads(shown_json.stdout)["jobId"] == ids[0]


def test_jobs_cancel_cancels_and_an_unknown_job_exits_3(service: Service) -> None:
    token = service.token("cancel-cmd", "analyst")
    env = service.env(token)
    with service.api(token) as api:
        job_id = api.post("/api/v1/reports/report-123/generate").json()["jobId"]

    cancelled = client("jobs", "cancel", job_id, "--json", env=env)
    again = client("jobs", "cancel", job_id, env=env)
    unknown = client("jobs", "show", "no-such-job", env=env)

    status = json.loads(cancelled.stdout)["status"] if cancelled.returncode == 0 else None
    assert status == "Cancelled" or "already finished" in cancelled.stderr
    assert newest_job(service, token)["status"] in {"Cancelled", "Succeeded"}
    assert again.returncode == 3
    assert again.stderr.startswith("reportgen: The job has already finished")
    assert unknown.returncode == 3
    assert unknown.stderr.splitlines() == [unknown.stderr.strip()]
    assert unknown.stderr.strip().endswith("(HTTP 404)")


def test_reports_list_and_show(service: Service) -> None:
    env = service.env(service.token("reader", "analyst"))

    listed = client("reports", "list", env=env)
    shown = client("reports", "show", "report-123", env=env)
    as_json = client("reports", "show", "report-456", "--json", env=env)
    unknown = client("reports", "show", "no-such-report", env=env)

    assert listed.returncode == shown.returncode == as_json.returncode == 0
    rows = [line.split() for line in listed.stdout.splitlines()]
    demo = [
        (row[0], row[2]) for row in rows if row[0].startswith("report-")
    ]  # other tests add theirs
    assert demo == [
        ("report-123", "async"),
        ("report-456", "not"),
        ("report-789", "not"),
    ]
    assert "parameter:   region (string, optional)" in shown.stdout
    assert json.loads(as_json.stdout)["deliveryTargets"] == [
        {"type": "api_response", "mode": "sync"}
    ]
    assert unknown.returncode == 3
    assert unknown.stderr == "reportgen: Report 'no-such-report' was not found. (HTTP 404)\n"


def test_version_and_help_need_no_settings_and_say_the_exit_codes(service: Service) -> None:
    env = {**service.env(None), "COLUMNS": "200"}

    version = client("--version", env=env)
    run_help = client("run", "--help", env=env)

    assert version.returncode == 0
    assert version.stdout.strip() == "reportgen 0.1.0"
    assert run_help.returncode == 0
    assert "(default: $REPORTGEN_URL, else http://127.0.0.1:8000)" in run_help.stdout
    assert "5  the downloaded file's SHA-256 is not the job's" in run_help.stdout


def test_server_commands_still_read_their_settings(service: Service) -> None:
    token = client("token", "--sub", "x", env=service.env(None))

    assert token.returncode == 2
    assert token.stderr.startswith("reportgen: REPORTGEN_")
