"""The page an employer sees at /verify/CODE: whether the certificate is genuine and current, and for a valid one
the name, course, date and hours on it; nothing else about the learner. Codes are signed, so they can't be
guessed or enumerated."""

from __future__ import annotations

import html

from bot.conversation.certificate_chat import Check

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>Certificate check</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}
.ok{{color:#14622e}}.no{{color:#9b1c1c}}dt{{font-weight:600}}</style></head>
<body><h1 class="{css}">{headline}</h1>{body}<p><small>Code: {code}</small></p></body></html>
"""


def render(check: Check | None, course_title: str) -> tuple[int, str]:
    """(HTTP status, page) for a check; None means this server cannot check certificates."""
    if check is None:
        return 503, _page("no", "Certificates can't be checked here", "<p>Please ask the course team.</p>", "")
    code = check.code
    if check.status == "valid":
        rows = [("Name", check.name or "(no name printed)"), ("Course", course_title)]
        if check.completed_on:
            rows.append(("Completed", f"{check.completed_on:%d %B %Y}"))
        if check.hours:
            rows.append(("Estimated study time", f"{check.hours:g} hours"))
        details = "".join(f"<dt>{html.escape(label)}</dt><dd>{html.escape(value)}</dd>" for label, value in rows)
        return 200, _page("ok", "Valid certificate", f"<dl>{details}</dl>", code)
    if check.status == "revoked":
        body = "<p>This certificate was replaced by a corrected one and is no longer valid.</p>"
        return 200, _page("no", "Certificate replaced", body, code)
    if check.status == "erased":
        body = (
            f"<p>This code was issued by {html.escape(course_title)}, but its holder has since erased their "
            "data, so no details can be shown.</p>"
        )
        return 200, _page("no", "Genuine code, details erased", body, code)
    return 404, _page("no", "Not a valid certificate", "<p>No certificate was issued with this code.</p>", code)


def _page(css: str, headline: str, body: str, code: str) -> str:
    return _PAGE.format(css=css, headline=html.escape(headline), body=body, code=html.escape(code))
