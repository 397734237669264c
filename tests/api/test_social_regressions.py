"""Focused regressions for bugs the stateful model test (test_social_model.py) found."""

from __future__ import annotations

from tests.support import Directory, LiveServer


def test_unfavourite_of_a_status_no_longer_visible_answers_200(
    live_server: LiveServer, directory: Directory
) -> None:
    # §6.11: a favourite on this exact id is removed without a visibility check, and the answer
    # is the status with favourited: false, even after the caller stopped following the author.
    author, fan = directory.users(2)
    with live_server.client(author.token) as a, live_server.client(fan.token) as f:
        assert f.post(f"/api/v1/accounts/{author.id}/follow").status_code == 200
        status = a.post("/api/v1/statuses", data={"status": "p", "visibility": "private"}).json()
        assert f.post(f"/api/v1/statuses/{status['id']}/favourite").status_code == 200
        assert f.post(f"/api/v1/accounts/{author.id}/unfollow").status_code == 200
        response = f.post(f"/api/v1/statuses/{status['id']}/unfavourite")
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["id"], body["favourited"], body["favourites_count"]) == (
            status["id"],
            False,
            0,
        )
        # Still hidden everywhere else.
        assert f.get(f"/api/v1/statuses/{status['id']}").status_code == 404
        again = f.post(f"/api/v1/statuses/{status['id']}/unfavourite")
        assert (again.status_code, again.json()) == (404, {"error": "Not Found"})
