"""Replies under Telegram's length limits wherever they are sent: a text too long for one message is split into
several (cut at paragraphs, lines or spaces, bold kept), an edit or a caption is shortened, and what a learner
typed is never echoed back whole. Telegram counts UTF-16 code units of the text as shown; so does the check."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Update

from bot.content.markup import to_html
from bot.conversation.chat import CourseChat
from bot.conversation.replies import Attachment, Button, Reply
from bot.telegram import splitting
from bot.telegram.app import build_application
from bot.telegram.outgoing import send_reply
from bot.telegram.splitting import CAPTION_LIMIT, TEXT_LIMIT, shortened_html, shown_length, split_html
from tests.standin import BotAPIState, StandinRequest, message_update

ANNA = 5150
TAG = re.compile(r"</?(b|code)>")


def shown(html_text: str) -> str:
    return TAG.sub("", html_text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


words = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="*`", blacklist_categories=["Cs"]), min_size=1, max_size=12),
    st.sampled_from(("\n", "\n\n", " ", "🙂", "𝔸", "<b>", "&", "a" * 300)),
)
pieces = st.tuples(words, st.sampled_from(("", "**", "``"))).map(
    lambda pair: f"{pair[1]}{pair[0]}{pair[1]}" if pair[0].strip() and "\n" not in pair[0] else pair[0]
)
markups = st.lists(pieces, max_size=400).map("".join)


@settings(max_examples=150, deadline=None)
@given(markup=markups, limit=st.sampled_from((40, 200, 1024, TEXT_LIMIT)))
def test_every_part_fits_and_together_they_show_the_whole_text(markup: str, limit: int) -> None:
    parts = split_html(markup, limit)

    assert all(units(shown(part)) <= limit for part in parts)
    assert all(part.count("<b>") == part.count("</b>") for part in parts)
    assert all(part.count("<code>") == part.count("</code>") for part in parts)
    joined = "".join(shown(part) for part in parts)
    original = shown(split_html(markup, 10**9)[0])
    assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", original)  # only whitespace at a cut is dropped


@settings(max_examples=300, deadline=None)
@given(markup=st.one_of(markups, st.text(alphabet="ab *`<&\n", max_size=60)))
def test_a_reply_that_fits_is_rendered_as_the_general_way_renders_it(markup: str) -> None:
    # The quick way for short replies, against the general one with every character taken one at a time.
    assert split_html(markup, 10**9) == [splitting._html(splitting._runs(markup)).strip()]


def test_a_long_text_is_cut_at_paragraphs_and_bold_is_carried_across_a_cut() -> None:
    paragraph = "word " * 150
    text = "\n\n".join(f"{index}. {paragraph}" for index in range(12)) + "\n\n**bold " + "x " * 3000 + "end**"

    parts = split_html(text)

    assert len(parts) > 3
    assert all(units(shown(part)) <= TEXT_LIMIT for part in parts)
    assert parts[0].startswith("0. word")
    assert not parts[0].endswith(" ")
    assert parts[-1].startswith("<b>")
    assert parts[-1].endswith("end</b>")


def test_numbers_to_copy_are_shown_as_the_markup_renders_them_and_carried_across_a_cut() -> None:
    assert split_html("Call ``0800 121 700`` & **now**") == [to_html("Call ``0800 121 700`` & **now**")]

    parts = split_html("``" + "1" * 30 + "``", 20)

    assert parts == ["<code>" + "1" * 20 + "</code>", "<code>" + "1" * 10 + "</code>"]


def test_a_shortened_text_fits_and_ends_with_an_ellipsis() -> None:
    text = "🙂" * 3000  # each counts two

    short = shortened_html(text, TEXT_LIMIT)

    assert units(short) <= TEXT_LIMIT
    assert short.endswith("…")
    assert shortened_html("short", TEXT_LIMIT) == "short"
    assert shown_length("**a**b") == 2


async def test_a_long_reply_arrives_as_several_messages_with_the_buttons_on_the_last(course_chat: CourseChat) -> None:
    state = BotAPIState()
    state.observe_update(message_update(ANNA, "/start"))
    app = build_application(course_chat, "123:LONG", request=StandinRequest(state), rate_limiter=False)
    button = Button("Next ▶", "next")
    long = Reply("\n".join(f"Line {index}: " + "text " * 40 for index in range(120)), ((button,),), protect=True)
    async with app:
        messages = await send_reply(app.bot, ANNA, long)
        await send_reply(app.bot, ANNA, Reply("c" * 3000, attachment=Attachment("x.pdf", b"%PDF-1.4")))

    calls = state.sent_messages(ANNA)
    assert len(messages) == len(calls) - 2 > 1  # the stand-in refuses anything over Telegram's limits
    assert all("reply_markup" not in call.params for call in calls[: len(messages) - 1])
    assert calls[len(messages) - 1].params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Next ▶", "callback_data": "next"}]]
    }
    assert all(call.params.get("protect_content") for call in calls[: len(messages)])
    document, rest = calls[-2:]
    assert document.method == "sendDocument"
    assert units(document.text or "") <= CAPTION_LIMIT
    assert "".join((document.text or "", rest.text or "")).replace("c", "") == ""


async def test_only_course_content_is_kept_rendered_never_a_text_that_echoes_the_learner(
    course_chat: CourseChat,
) -> None:
    """The HTML of a text sent to many learners is kept for the next; a text with what a learner typed (here a
    command the bot does not know; elsewhere the name for a certificate) is gone once sent."""
    state = BotAPIState()
    app = build_application(course_chat, "123:LONG", request=StandinRequest(state), rate_limiter=False)
    splitting._split_kept.cache_clear()
    async with app:
        await app.process_update(Update.de_json(message_update(ANNA, "/alex_rivera_rn"), app.bot))
        echoed = splitting._split_kept.cache_info().currsize
        for learner in (ANNA, ANNA + 1):
            await app.process_update(Update.de_json(message_update(learner, "look for alpha"), app.bot))

    assert "/alex_rivera_rn" in (state.sent_messages(ANNA)[0].text or "")
    assert echoed == 0
    results = [state.sent_messages(learner)[-1].text for learner in (ANNA, ANNA + 1)]
    assert results[0] == results[1]
    assert "Best matches" in (results[0] or "")
    kept = splitting._split_kept.cache_info()
    assert (kept.currsize, kept.hits) == (1, 1), "the second learner's results came from the kept HTML"


async def test_an_unknown_command_of_four_thousand_characters_is_not_echoed_back_whole(
    course_chat: CourseChat,
) -> None:
    state = BotAPIState()
    app = build_application(course_chat, "123:LONG", request=StandinRequest(state), rate_limiter=False)
    typed = "/" + "q" * 4095
    async with app:
        await app.process_update(Update.de_json(message_update(ANNA, typed), app.bot))

    [reply] = state.sent_messages(ANNA)
    assert "I don't know the command" in (reply.text or "")
    assert "q" * 33 not in (reply.text or "")
