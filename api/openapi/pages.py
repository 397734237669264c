"""The HTML pages behind the URLs the API gives out."""

from __future__ import annotations

from api.openapi.parts import Schema, html_page, operation

TAG = "pages"
USERNAME: Schema = {
    "name": "username",
    "in": "path",
    "required": True,
    "description": "The account's username.",
    "schema": {"type": "string"},
}
STATUS_ID: Schema = {
    "name": "id",
    "in": "path",
    "required": True,
    "description": "The status's id.",
    "schema": {"type": "string"},
}
NOT_FOUND = html_page("A not-found page: no such account or status, or not public.")

PATHS: dict[str, dict[str, Schema]] = {
    "/": {
        "get": operation(
            "getFrontPage",
            "The front page",
            tag=TAG,
            responses={"200": html_page("The server's name, counts and links.")},
        )
    },
    "/@{username}": {
        "get": operation(
            "getProfilePage",
            "An account's page (its `url`) with its latest public statuses",
            tag=TAG,
            parameters=[USERNAME],
            responses={"200": html_page("The profile, with OpenGraph tags."), "404": NOT_FOUND},
        )
    },
    "/@{username}/{id}": {
        "get": operation(
            "getStatusPage",
            "A status's page (its `url`) with its thread",
            tag=TAG,
            parameters=[USERNAME, STATUS_ID],
            responses={
                "200": html_page(
                    "The status and its thread as an anonymous viewer sees them, with "
                    "OpenGraph tags."
                ),
                "404": NOT_FOUND,
            },
            description="Exactly what an anonymous GET /api/v1/statuses/:id and its context "
            "show: a status that is not public (or not the named account's) is a 404 page.",
        )
    },
}
