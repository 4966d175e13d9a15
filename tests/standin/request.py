"""In-process transport: a python-telegram-bot ``BaseRequest`` that talks to a :class:`BotAPIState`.

No sockets are involved, so tests run fast and deterministic, yet everything above the transport
is PTB's real code path: ``Bot`` builds the ``RequestData``, ``BaseRequest.post`` parses our JSON
bytes and maps error statuses to ``BadRequest``/``Forbidden``/``RetryAfter`` exactly as it does for
Telegram's answers.
"""

from __future__ import annotations

import asyncio
import json
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from telegram.request import BaseRequest, RequestData

from tests.standin.botapi import BotAPIState
from tests.standin.wire import UploadedFile

if TYPE_CHECKING:
    from telegram._utils.types import ODVInput


def _method_from_url(url: str) -> str:
    # PTB posts to f"{base_url}/{endpoint}"; the token sits in the preceding segment.
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def _upload(filename: str, content: bytes | IO[bytes], mime_type: str) -> UploadedFile:
    if not isinstance(content, bytes):
        # InputFile(read_file_handle=False) hands over an open handle; read it like httpx would.
        content = content.read()
    return UploadedFile(filename=filename, mime_type=mime_type, content=content)


class StandinRequest(BaseRequest):
    """Routes ``Bot`` API calls to ``state`` in-process.

    Use one instance per role, as PTB wants distinct objects for ``request`` and
    ``get_updates_request``::

        Application.builder().token("123:ABC") \\
            .request(StandinRequest(state)).get_updates_request(StandinRequest(state)).build()

    ``long_poll_cap`` bounds how long a getUpdates with ``timeout`` waits for a pushed update.
    """

    __slots__ = ("_closed", "_long_poll_cap", "_read_timeout", "state")

    def __init__(self, state: BotAPIState, *, read_timeout: float | None = 5.0, long_poll_cap: float = 1.0) -> None:
        self.state = state
        self._read_timeout = read_timeout
        self._long_poll_cap = long_poll_cap
        self._closed = False

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        self._closed = False

    async def shutdown(self) -> None:
        self._closed = True
        # End this request's pending long polls now instead of when their cap runs out.
        self.state.notify()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._closed:
            # Mirrors HTTPXRequest, so a bot that sends after Application.shutdown() fails here too.
            raise RuntimeError("This StandinRequest is not initialized!")
        if method != "POST":
            # Only file downloads use GET (BaseRequest.retrieve); the stand-in hosts no files.
            return 404, json.dumps({"ok": False, "error_code": 404, "description": "Not Found"}).encode()

        params: dict[str, object] = {}
        files: dict[str, UploadedFile] = {}
        if request_data is not None:
            # A JSON round trip hands the state plain data, never PTB objects it could alias.
            params = json.loads(json.dumps(request_data.parameters))
            for part, (filename, content, mime_type) in request_data.multipart_data.items():
                files[part] = _upload(filename, content, mime_type)

        max_wait = self._long_poll_cap
        if isinstance(read_timeout, int | float):
            # Never hold a long poll past the read timeout PTB computed for it.
            max_wait = min(max_wait, read_timeout)
        # Yield once, like a network round trip would, so concurrency bugs can surface.
        await asyncio.sleep(0)
        status, body = await self.state.handle_async(
            _method_from_url(url), params, files, max_wait=max_wait, should_stop=lambda: self._closed
        )
        return status, json.dumps(body).encode()


def request_pair(state: BotAPIState, *, long_poll_cap: float = 1.0) -> tuple[StandinRequest, StandinRequest]:
    """Two requests for ``ApplicationBuilder.request(...)`` and ``.get_updates_request(...)``."""
    return StandinRequest(state, long_poll_cap=long_poll_cap), StandinRequest(state, long_poll_cap=long_poll_cap)
