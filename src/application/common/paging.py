"""Pages of lists: how many items one page may hold."""

#: The largest page the API accepts (its OpenAPI document says so); an operator may
#: lower the effective maximum with ``REPORTGEN_MAX_PAGE_SIZE``.
PAGE_SIZE_CEILING = 100


def page_size(asked: int, maximum: int) -> int:
    """``asked``, kept between 1 and ``maximum``: a larger ask is capped, not refused."""
    return max(1, min(asked, maximum, PAGE_SIZE_CEILING))
