"""The course markup: bold only, everything else escaped for Telegram HTML."""

from bot.content.markup import code, escape, markup_problem, plain_text, to_html


def test_bold_becomes_html_and_everything_else_is_escaped() -> None:
    assert to_html("**Act** & <means> > 2") == "<b>Act</b> &amp; &lt;means&gt; &gt; 2"


def test_plain_text_drops_the_markers() -> None:
    assert plain_text("a **bold** word") == "a bold word"


def test_unbalanced_bold_is_a_problem() -> None:
    assert markup_problem("**open") == "unbalanced '**' (bold must be opened and closed)"
    assert markup_problem("**closed**") is None


def test_outside_text_cannot_inject_bold() -> None:
    assert to_html(escape("**name**")) == "* *name* *"


def test_a_number_to_copy_is_telegram_code_and_plain_in_the_terminal() -> None:
    text = f"Hotline: {code('1-888-373-7888')} & more"
    assert to_html(text) == "Hotline: <code>1-888-373-7888</code> &amp; more"
    assert plain_text(text) == "Hotline: 1-888-373-7888 & more"
    assert markup_problem(text) is None
    assert markup_problem("``open") == "unbalanced '``' (a number to copy must be opened and closed)"


def test_outside_text_cannot_inject_code() -> None:
    assert to_html(escape("``name``")) == "` `name` `"
