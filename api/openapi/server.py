"""What clients read to know the server: the instance (§8.7) and this document."""

from __future__ import annotations

from api.openapi.parts import JSON, Schema, headers, ok, operation, ref

TAG = "instance"

PATHS: dict[str, dict[str, Schema]] = {
    "/api/v1/instance": {
        "get": {
            **operation(
                "getInstanceV1",
                "The server (deprecated; Mastodon.py and toot still read it)",
                tag=TAG,
                responses=ok(ref("InstanceV1"), "The server and its limits.", "Deprecation"),
            ),
            "deprecated": True,
        }
    },
    "/api/v2/instance": {
        "get": operation(
            "getInstance",
            "The server and its limits",
            tag=TAG,
            responses=ok(ref("InstanceV2"), "The server and its limits."),
        )
    },
    "/openapi.json": {
        "get": operation(
            "getOpenApi",
            "This document",
            tag=TAG,
            parameters=[
                {
                    "name": "If-None-Match",
                    "in": "header",
                    "description": "An ETag from an earlier answer.",
                    "schema": {"type": "string"},
                }
            ],
            responses={
                "200": {
                    "description": "The OpenAPI 3.1 description of every route.",
                    "headers": headers("ETag"),
                    "content": {
                        JSON: {
                            "schema": {
                                "type": "object",
                                "required": ["openapi", "info", "paths", "components"],
                            }
                        }
                    },
                },
                "304": {
                    "description": "Unchanged since the ETag given.",
                    "headers": headers("ETag"),
                },
            },
        )
    },
}
