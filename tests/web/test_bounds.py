"""The screens take paging parameters and ids as the API does: a bad one is ignored or refused, never a 500."""

from __future__ import annotations

from .conftest import LiveApp
from .test_auth import sign_in

HUGE = "31342596608195907584"  # past 2**64: the store overflows on it


def test_odd_paging_parameters_fall_back_to_the_first_page(live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    for page in ("²", HUGE, "-1", "0"):
        answer = client.get("/documents", params={"d_page": page, "d_size": "²"})
        assert answer.status_code == 200 and "1–25 of" in answer.text, (page, answer.status_code)


def test_ids_past_the_store_are_refused_or_ignored(live_app: LiveApp) -> None:
    client = sign_in(live_app, "admin@dunmore.test")
    assert client.get(f"/documents/{HUGE}").status_code == 422
    assert client.get(f"/jobs/{HUGE}.json").status_code == 422
    assert client.get("/import", params={"job": HUGE}).status_code == 200
