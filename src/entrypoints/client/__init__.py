"""A typed Python client of the reportgen API, blocking or asyncio, built on httpx.

```python
from entrypoints.client import ReportgenClient

with ReportgenClient("http://127.0.0.1:8000", token) as client:
    accepted = client.generate("report-123", {"region": "North"}, format="csv")
    job = client.wait(accepted.job_id, timeout=600)
    path = client.download(accepted.job_id, ".")
```
"""

from entrypoints.client.async_client import AsyncReportgenClient
from entrypoints.client.errors import ChecksumMismatch, ReportgenError, ServerUnreachable, TimedOut
from entrypoints.client.models import (
    FINISHED,
    DeliveryTarget,
    Job,
    JobAccepted,
    JobPage,
    JobResult,
    Parameter,
    Progress,
    Report,
    ReportPage,
)
from entrypoints.client.sync_client import ReportgenClient

__all__ = [
    "FINISHED",
    "AsyncReportgenClient",
    "ChecksumMismatch",
    "DeliveryTarget",
    "Job",
    "JobAccepted",
    "JobPage",
    "JobResult",
    "Parameter",
    "Progress",
    "Report",
    "ReportPage",
    "ReportgenClient",
    "ReportgenError",
    "ServerUnreachable",
    "TimedOut",
]
