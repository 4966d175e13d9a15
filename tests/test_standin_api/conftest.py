"""Shared pieces of the stand-in's own tests: a controllable clock, a Bot and a server on the stand-in."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from telegram import Bot

from tests.standin import (
    BotAPIState,
    StandinRequest,
    StandinServer,
)
from tests.test_standin_api.helpers import TOKEN, EpochClock


@pytest.fixture
def api_clock() -> EpochClock:
    return EpochClock()


@pytest.fixture
def state(api_clock: EpochClock) -> BotAPIState:
    return BotAPIState(clock=api_clock)


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest_asyncio.fixture
async def bot(state: BotAPIState) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, request=StandinRequest(state), get_updates_request=StandinRequest(state)) as bot:
        yield bot


@pytest_asyncio.fixture
async def server() -> AsyncIterator[StandinServer]:
    async with StandinServer(token=TOKEN, long_poll_cap=3.0) as server:
        yield server
