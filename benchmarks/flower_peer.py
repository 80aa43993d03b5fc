"""The peer users pick instead of reportgen for "HTTP in, job on Redis": a Celery app whose
task Celery Flower's ``POST /api/task/async-apply/generate_report`` puts on the broker.

No worker runs: like the reportgen figures, only accepting the job is measured.
"""

from celery import Celery

app = Celery("reportgen_peer")


@app.task(name="generate_report")
def generate_report(report_id: str, parameters: dict[str, object], output_format: str) -> str:
    """Stands for a report generation; it never runs in the benchmark."""
    return f"{report_id} {parameters} {output_format}"
