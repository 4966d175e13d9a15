"""HTTP transport: an aiohttp server on loopback that speaks the Bot API wire protocol.

Where :class:`~tests.standin.request.StandinRequest` skips the network, this server lets a bot run
unmodified with only ``base_url`` changed, so PTB's real ``HTTPXRequest`` (form encoding,
multipart uploads, timeouts, connection pooling) is exercised too. Run it as a script for manual
trials::

    python -m tests.standin.server --port 8081 --token 123:ABC

and push user messages with e.g. ``curl 'http://127.0.0.1:8081/_standin/message?user_id=42&text=/start'``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable, Sequence
from types import TracebackType

from aiohttp import web

from tests.standin.botapi import BotAPIState
from tests.standin.updates import callback_update, message_update
from tests.standin.wire import Call, JSONDict, UploadedFile

# Telegram accepts uploads up to 50 MB; aiohttp's 1 MiB default would reject real documents.
_MAX_BODY = 50 * 1024 * 1024


def _say(line: str) -> None:
    # Flushed so the trace stays live when stdout is piped to tee or a log file.
    print(line, flush=True)


def _error(status: int, description: str) -> web.Response:
    return web.json_response({"ok": False, "error_code": status, "description": description}, status=status)


def _call_json(call: Call) -> JSONDict:
    params = {
        key: {"filename": value.filename, "mime_type": value.mime_type, "size": value.size}
        if isinstance(value, UploadedFile)
        else value
        for key, value in call.params.items()
    }
    return {"method": call.method, "params": params, "at": call.at, "ok": call.ok, "error_code": call.error_code}


class StandinServer:
    """The stand-in Bot API served at ``base_url``; use as ``async with StandinServer() as server``.

    ``long_poll_cap`` bounds how long getUpdates waits for updates whatever ``timeout`` PTB asks
    for, so stopping a polling bot never waits out a full 10 s poll.
    """

    def __init__(
        self,
        *,
        token: str = "123:ABC",
        state: BotAPIState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        long_poll_cap: float = 3.0,
        verbose: bool = False,
        echo: Callable[[str], None] = _say,
    ) -> None:
        self._token = token
        self._state = state if state is not None else BotAPIState()
        self._host = host
        self._requested_port = port
        self._port: int | None = None
        self._long_poll_cap = long_poll_cap
        self._verbose = verbose
        self._echo = echo
        self._closing = False
        self._runner: web.AppRunner | None = None

    @property
    def state(self) -> BotAPIState:
        return self._state

    @property
    def token(self) -> str:
        return self._token

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("StandinServer is not started")
        return self._port

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What PTB's ``base_url`` wants: it appends the token and then ``/method`` itself."""
        return f"{self.url}/bot"

    async def start(self) -> None:
        app = web.Application(client_max_size=_MAX_BODY)
        app.router.add_route("*", "/bot{token}/{method}", self._bot_api)
        app.router.add_post("/_standin/updates", self._push_raw)
        app.router.add_route("*", "/_standin/message", self._push_message)
        app.router.add_route("*", "/_standin/callback", self._push_callback)
        app.router.add_get("/_standin/calls", self._list_calls)
        # A short shutdown grace: open long polls are woken explicitly in stop().
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, self._host, self._requested_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._closing = False
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is None:
            return
        self._closing = True
        self._state.notify()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> StandinServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def wait_for_call(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        timeout: float = 10.0,  # noqa: ASYNC109 - a deadline parameter is the point of this helper
        *,
        since: int = 0,
    ) -> Call:
        """See :meth:`BotAPIState.wait_for_call`."""
        return await self._state.wait_for_call(method, predicate, timeout, since=since)

    def push_update(self, update: JSONDict) -> int:
        return self._state.push_update(update)

    # ------------------------------------------------------------------ handlers

    async def _bot_api(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self._token:
            return _error(401, "Unauthorized")
        method = request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except ValueError as exc:
            return _error(400, f"Bad Request: {exc}")
        status, body = await self._state.handle_async(
            method, params, files, max_wait=self._long_poll_cap, should_stop=lambda: self._closing
        )
        if self._verbose:
            # Method and chat only: message texts may hold real learner data in manual trials.
            self._echo(f"{method} chat_id={params.get('chat_id', '-')} -> {status}")
        return web.json_response(body, status=status)

    @staticmethod
    async def _read_params(request: web.Request) -> tuple[dict[str, object], dict[str, UploadedFile]]:
        # Telegram merges query-string and body parameters, so accept both at once.
        params: dict[str, object] = dict(request.query)
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        if request.content_type == "application/json":
            try:
                data = await request.json()
            except ValueError as exc:
                raise ValueError("can't parse JSON object") from exc
            if not isinstance(data, dict):
                raise ValueError("can't parse JSON object")
            params.update(data)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        filename=value.filename, mime_type=value.content_type, content=value.file.read()
                    )
                elif isinstance(value, bytes):
                    params[key] = value.decode("utf-8", "replace")
                else:
                    params[key] = value
        return params, files

    async def _push_raw(self, request: web.Request) -> web.Response:
        try:
            update = await request.json()
        except ValueError:
            return _error(400, "Bad Request: body must be an Update object")
        if not isinstance(update, dict):
            return _error(400, "Bad Request: body must be an Update object")
        return web.json_response({"ok": True, "update_id": self._state.push_update(update)})

    @staticmethod
    async def _form(request: web.Request) -> dict[str, str]:
        fields = dict(request.query)
        if request.body_exists:
            fields.update({key: str(value) for key, value in (await request.post()).items()})
        return fields

    async def _push_message(self, request: web.Request) -> web.Response:
        fields = await self._form(request)
        try:
            update = message_update(int(fields["user_id"]), fields["text"])
        except (KeyError, ValueError):
            return _error(400, "Bad Request: need user_id (int) and text")
        return web.json_response({"ok": True, "update_id": self._state.push_update(update)})

    async def _push_callback(self, request: web.Request) -> web.Response:
        fields = await self._form(request)
        try:
            user_id = int(fields["user_id"])
            message_id = int(fields["message_id"])
            stored = self._state.message(user_id, message_id) or {}
            update = callback_update(
                user_id,
                fields["data"],
                message_id=message_id,
                message_text=str(stored.get("text", "...")),
                reply_markup=stored.get("reply_markup"),
            )
        except (KeyError, ValueError):
            return _error(400, "Bad Request: need user_id (int), message_id (int) and data")
        return web.json_response({"ok": True, "update_id": self._state.push_update(update)})

    async def _list_calls(self, _request: web.Request) -> web.Response:
        return web.json_response([_call_json(call) for call in list(self._state.calls)], dumps=_dumps)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=repr)


async def _serve(args: argparse.Namespace) -> None:
    server = StandinServer(
        token=args.token, host=args.host, port=args.port, long_poll_cap=args.long_poll_cap, verbose=True
    )
    async with server:
        print(f"Stand-in Bot API: base_url={server.base_url} token={server.token}", flush=True)
        print(f"  push a message: curl '{server.url}/_standin/message?user_id=42&text=/start'", flush=True)
        print(f"  call log:       curl '{server.url}/_standin/calls'", flush=True)
        # Serve until Ctrl-C cancels this task.
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Local stand-in for the Telegram Bot API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default="123:ABC")
    parser.add_argument("--long-poll-cap", type=float, default=10.0, help="max seconds a getUpdates call waits")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        print("stopped", flush=True)


if __name__ == "__main__":
    main()
