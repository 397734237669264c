from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.link_pages import Site, running_site


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    with running_site() as running:
        yield running
