"""The public URLs of local things, built from the configured scheme and domain."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

# Where uploaded files are served (Mastodon's local storage path).
MEDIA_PATH = "/system/media_attachments/files"


@dataclass(frozen=True)
class Urls:
    """URL scheme of this server (`https://example.com/@alice`, ...)."""

    domain: str
    scheme: str = "https"

    @cached_property
    def base(self) -> str:  # every URL starts with it: made once
        return f"{self.scheme}://{self.domain}"

    def profile(self, username: str) -> str:
        return f"{self.base}/@{username}"

    def actor(self, username: str) -> str:
        return f"{self.base}/users/{username}"

    def status_uri(self, username: str, status_id: int) -> str:
        return f"{self.base}/users/{username}/statuses/{status_id}"

    def status_url(self, username: str, status_id: int) -> str:
        return f"{self.base}/@{username}/{status_id}"

    @property
    def tags(self) -> str:
        return f"{self.base}/tags"

    def avatar_missing(self) -> str:
        return f"{self.base}/avatars/original/missing.png"

    def header_missing(self) -> str:
        return f"{self.base}/headers/original/missing.png"

    def media_file(self, key: str) -> str:
        return f"{self.base}{MEDIA_PATH}/{key}"
