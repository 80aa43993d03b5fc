"""The demo sales data set that ``report-123`` queries, generated the same way every time."""

import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.engine import create_engine, storage_errors

SEED = 20240101
BATCH_SIZE = 10_000
REGIONS = ("North", "South", "East", "West", "Central")
PRODUCTS = {
    "Widget": Decimal("19.99"),
    "Gadget": Decimal("34.50"),
    "Gizmo": Decimal("7.25"),
    "Doohickey": Decimal("120.00"),
    "Sprocket": Decimal("2.80"),
    "Flange": Decimal("58.40"),
}
FIRST_DAY = date(2024, 1, 1)
DAYS = (date(2025, 12, 31) - FIRST_DAY).days + 1

demo_metadata = sa.MetaData()

sales = sa.Table(
    "sales",
    demo_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sale_date", sa.Date, nullable=False),
    sa.Column("region", sa.Text, nullable=False),
    sa.Column("product", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("unit_price", sa.Numeric(10, 2), nullable=False),
    sa.Column("amount", sa.Numeric(12, 2), nullable=False),
)


async def load_demo_sales(url: str, rows: int = 120_000) -> int:
    """Create the ``sales`` table at ``url`` and fill it if it is empty; return its row count.

    Safe to run again: a table that already holds rows is left as it is.
    """
    engine = create_engine(url, timeout_seconds=10.0)
    try:
        with storage_errors("loading the demo sales"):
            async with engine.begin() as connection:
                await connection.run_sync(demo_metadata.create_all, checkfirst=True)
                if connection.dialect.name == "postgresql":
                    # Two seeders at once must not both find the table empty.
                    await connection.execute(sa.text("LOCK TABLE sales IN EXCLUSIVE MODE"))
                count = await _count(connection)
                if count == 0:
                    for batch in _batches(_generate(rows), BATCH_SIZE):
                        await connection.execute(sa.insert(sales), batch)
                    count = await _count(connection)
        return count
    finally:
        await engine.dispose()


async def _count(connection: AsyncConnection) -> int:
    return int(await connection.scalar(sa.select(sa.func.count()).select_from(sales)) or 0)


def _generate(rows: int) -> Iterator[dict[str, Any]]:
    rng = random.Random(SEED)  # noqa: S311 - demo data, deterministic on purpose
    days = [FIRST_DAY + timedelta(days=offset) for offset in range(DAYS)]
    columns = zip(
        rng.choices(days, k=rows),
        rng.choices(REGIONS, k=rows),
        rng.choices(list(PRODUCTS.items()), k=rows),
        rng.choices(range(1, 51), k=rows),
        strict=True,
    )
    for sale_id, (sale_date, region, (product, unit_price), quantity) in enumerate(columns, 1):
        yield {
            "id": sale_id,
            "sale_date": sale_date,
            "region": region,
            "product": product,
            "quantity": quantity,
            "unit_price": unit_price,
            "amount": unit_price * quantity,
        }


def _batches(items: Iterator[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
