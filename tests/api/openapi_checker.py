"""Checks HTTP answers against tootlog's OpenAPI document with jsonschema (draft 2020-12).

`Conformance.call` sends a request for one documented operation and checks that the answer's
status is documented for it, that its content type is one the document lists, that a JSON body
validates against that status's schema, and that the documented headers it carries (and the
required ones) match theirs. The JSON and form bodies of accepted requests are checked against
the operation's request schema too, so the document's description of inputs is exercised.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from tests.support import LiveServer

DOCUMENT_URI = "urn:tootlog:openapi"
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def pointer(*parts: str) -> str:
    """A JSON pointer fragment to `parts` (RFC 6901 escapes)."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


class Document:
    """The OpenAPI document, with $ref resolution and schema validation at any location."""

    def __init__(self, document: dict) -> None:
        self.document = document
        self.registry = Registry().with_resource(
            DOCUMENT_URI, DRAFT202012.create_resource(document)
        )
        self._validators: dict[str, Draft202012Validator] = {}

    def at(self, location: str) -> Any:
        node: Any = self.document
        for part in location.lstrip("/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def resolve(self, location: str) -> tuple[Any, str]:
        """The object at `location`, following a `$ref` there; and where it really is."""
        node = self.at(location)
        while isinstance(node, dict) and "$ref" in node:
            location = node["$ref"].removeprefix("#")
            node = self.at(location)
        return node, location

    def errors(self, instance: Any, schema_location: str) -> list[str]:
        """Why `instance` does not match the schema at `schema_location` ([] when it does)."""
        validator = self._validators.get(schema_location)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#{schema_location}"}, registry=self.registry
            )
            self._validators[schema_location] = validator
        found = list(validator.iter_errors(instance))
        if not found:
            return []
        best = best_match(found)
        where = "/".join(str(part) for part in best.absolute_path) or "(root)"
        return [f"{where}: {best.message}"] + [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in found[:5]
        ]

    def operations(self) -> set[str]:
        """Every documented operation as "METHOD /path"."""
        return {
            f"{method.upper()} {path}"
            for path, item in self.document["paths"].items()
            for method in item
            if method in ("get", "put", "post", "delete", "patch", "head", "options")
        }

    def check_response(self, operation: str, response: httpx.Response) -> None:
        """Fail unless `response` is documented for `operation` ("METHOD /path")."""
        method, path = operation.split(" ", 1)
        op_location = pointer("paths", path, method.lower())
        status = str(response.status_code)
        documented = self.at(op_location)["responses"]
        assert status in documented, (
            f"{operation} answered {status}, which the document does not list "
            f"({', '.join(documented)}): {response.text[:300]}"
        )
        answer, location = self.resolve(op_location + pointer("responses", status))
        self._check_headers(operation, status, answer, location, response)
        content = answer.get("content")
        if not content:
            assert not response.content, f"{operation} {status} has a body it does not document"
            return
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        assert media_type in content, (
            f"{operation} {status} answered {media_type!r}, documented: {', '.join(content)}"
        )
        if media_type == JSON:
            problems = self.errors(response.json(), location + pointer("content", JSON, "schema"))
            assert not problems, (
                f"{operation} {status} does not match its schema:\n  "
                + "\n  ".join(problems)
                + f"\nbody: {response.text[:2000]}"
            )

    def _check_headers(
        self, operation: str, status: str, answer: dict, location: str, response: httpx.Response
    ) -> None:
        for name in answer.get("headers", {}):
            header, header_location = self.resolve(location + pointer("headers", name))
            value = response.headers.get(name)
            if value is None:
                assert not header.get("required"), f"{operation} {status} lacks header {name}"
                continue
            problems = self.errors(value, header_location + pointer("schema"))
            assert not problems, f"{operation} {status} header {name}={value!r}: {problems[0]}"

    def check_request(self, operation: str, media_type: str, body: dict) -> None:
        """Fail unless `body` matches the operation's request schema for `media_type`."""
        method, path = operation.split(" ", 1)
        request_body = self.at(pointer("paths", path, method.lower())).get("requestBody")
        assert request_body is not None, f"{operation} documents no request body"
        assert media_type in request_body["content"], f"{operation} takes no {media_type}"
        location = pointer("paths", path, method.lower(), "requestBody", "content", media_type)
        problems = self.errors(body, location + pointer("schema"))
        assert not problems, f"{operation} request does not match its schema: {problems[0]}"


class Conformance:
    """Sends requests for documented operations to a live server and checks every answer."""

    def __init__(self, server: LiveServer, document: Document) -> None:
        self.server = server
        self.document = document
        self.succeeded: set[str] = set()

    def call(
        self,
        operation: str,
        token: str | None = None,
        *,
        path: dict[str, str] | None = None,
        params: dict | None = None,
        data: dict | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: dict | None = None,
        headers: dict[str, str] | None = None,
        expect: int | None = None,
    ) -> httpx.Response:
        """`operation` is "METHOD /path/{template}"; `path` fills the template."""
        method, template = operation.split(" ", 1)
        url = template.format(**{k: quote(v, safe="/") for k, v in (path or {}).items()})
        with self.server.client(token) as client:
            response = client.request(
                method,
                url,
                params=params,
                data=data,
                json=json,
                content=content,
                files=files,
                headers=headers,
            )
        self.document.check_response(operation, response)
        # What the server accepted must be what the document says it takes.
        if response.status_code < 400 and data is not None and files is None:
            self.document.check_request(operation, FORM, data)
        if response.status_code < 400 and isinstance(json, dict):
            self.document.check_request(operation, JSON, json)
        if expect is not None:
            assert response.status_code == expect, (
                f"{operation}: expected {expect}, got {response.status_code}: {response.text}"
            )
        if response.status_code < 400:
            self.succeeded.add(operation)
        return response

    def json(self, operation: str, token: str | None = None, **kwargs: Any) -> Any:
        """`call` expecting 200 (unless told otherwise); the JSON body."""
        kwargs.setdefault("expect", 200)
        return self.call(operation, token, **kwargs).json()
