"""What an inline button means, written into and read back from its callback data.

Buttons carry everything they need (the item id and the option), so a button in an old message keeps
working after a restart. Anything that does not parse is stale or forged and gets a clear answer.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback data


@dataclass(frozen=True)
class Answer:
    """Choose option `option` (0-based) of question `item_id`."""

    item_id: str
    option: int


@dataclass(frozen=True)
class More:
    """Open the longer part ("More ▸") of lesson `item_id`."""

    item_id: str


@dataclass(frozen=True)
class GotIt:
    """ "Got it ✓" under lesson `item_id`: the learner read it (engagement, as an answer is)."""

    item_id: str


@dataclass(frozen=True)
class WhyNot:
    """After answering question `item_id` with option `option`: why the other options are not the best."""

    item_id: str
    option: int


@dataclass(frozen=True)
class NextBite:
    """Send the next lesson or question."""


@dataclass(frozen=True)
class ShowProgress:
    """Show the learner's progress."""


@dataclass(frozen=True)
class ReviewAnswer:
    """Choose option `option` of the review question sent as message `send_id`."""

    send_id: int
    option: int


@dataclass(frozen=True)
class Later:
    """Offer to put off the scheduled bite sent as `send_id`."""

    send_id: int


@dataclass(frozen=True)
class Snooze:
    """Put off the scheduled bite `send_id`: `choice` is "2h", "evening" or "tomorrow"."""

    send_id: int
    choice: str


@dataclass(frozen=True)
class Resume:
    """Start scheduled bites again."""


@dataclass(frozen=True)
class Setting:
    """A step of /settings: `field` is what to change (or "menu"), `value` the choice."""

    field: str
    value: str = ""


@dataclass(frozen=True)
class Look:
    """Open a reference card (`kind` "c") or a lesson (`kind` "l") as a look-up."""

    kind: str
    item_id: str


@dataclass(frozen=True)
class Menu:
    """Open a look-up menu: "indicators", "document", "resources" (the learner's own), or "regions"."""

    name: str


@dataclass(frozen=True)
class Region:
    """Show the resources card of a region (US, UK, IE, CA, AU, EU, INTL)."""

    code: str


@dataclass(frozen=True)
class Forget:
    """Answer the /forget question; `clear` also deletes the chat's recent messages first (/hide)."""

    confirmed: bool
    clear: bool = False


@dataclass(frozen=True)
class CertificateWithoutName:
    """Issue the certificate with no name printed on it."""


@dataclass(frozen=True)
class CertificateConfirm:
    """Yes: print the name just typed on the certificate."""


@dataclass(frozen=True)
class CertificateChange:
    """Type the certificate's name again."""


@dataclass(frozen=True)
class CertificateCorrect:
    """Correct the name on an issued certificate (the one reissue)."""


@dataclass(frozen=True)
class ShowCertificate:
    """Get the certificate (/certificate)."""


@dataclass(frozen=True)
class Practise:
    """Bring back a missed case question now (/review)."""


Action = (
    Answer
    | More
    | GotIt
    | WhyNot
    | NextBite
    | ShowProgress
    | ReviewAnswer
    | Later
    | Snooze
    | Resume
    | Setting
    | Look
    | Menu
    | Region
    | Forget
    | CertificateWithoutName
    | CertificateConfirm
    | CertificateChange
    | CertificateCorrect
    | Practise
    | ShowCertificate
)

_ANSWER = "a"
_MORE = "more"
_GOT_IT = "got"
_WHY = "why"
_REVIEW = "r"
_LATER = "later"
_SNOOZE = "snz"
_SETTING = "set"
_NEXT = "next"
_PROGRESS = "progress"
_RESUME = "resume"
_NO_NAME = "cert:noname"
SNOOZE_CHOICES = ("2h", "evening", "tomorrow")
SETTING_FIELDS = ("menu", "region", "tz", "time", "days", "pace", "quiet", "type", "done", "discreet", "skip",
                  "cancel", "notnow")  # fmt: skip
_LOOK = "look"
_MENU = "menu"
_REGION = "res"
_FORGET = "forget"
LOOK_KINDS = ("c", "l")
MENU_NAMES = ("indicators", "document", "resources", "regions")
REGION_CODES = ("US", "UK", "IE", "CA", "AU", "EU", "INTL")


def encode(action: Action) -> str:
    if isinstance(action, Answer):
        data = f"{_ANSWER}:{action.item_id}:{action.option}"
    elif isinstance(action, More):
        data = f"{_MORE}:{action.item_id}"
    elif isinstance(action, GotIt):
        data = f"{_GOT_IT}:{action.item_id}"
    elif isinstance(action, WhyNot):
        data = f"{_WHY}:{action.item_id}:{action.option}"
    elif isinstance(action, ReviewAnswer):
        data = f"{_REVIEW}:{action.send_id}:{action.option}"
    elif isinstance(action, Later):
        data = f"{_LATER}:{action.send_id}"
    elif isinstance(action, Snooze):
        data = f"{_SNOOZE}:{action.send_id}:{action.choice}"
    elif isinstance(action, Setting):
        data = f"{_SETTING}:{action.field}:{action.value}"
    elif isinstance(action, Look):
        data = f"{_LOOK}:{action.kind}:{action.item_id}"
    elif isinstance(action, Menu):
        data = f"{_MENU}:{action.name}"
    elif isinstance(action, Region):
        data = f"{_REGION}:{action.code}"
    elif isinstance(action, Forget):
        data = f"{_FORGET}:{'clear' if action.clear else 'yes' if action.confirmed else 'no'}"
    elif isinstance(action, NextBite):
        data = _NEXT
    elif isinstance(action, Resume):
        data = _RESUME
    elif isinstance(action, ShowProgress):
        data = _PROGRESS
    else:
        data = _DATA_OF[type(action)]
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"button data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Action | None:
    """The action behind callback data, or None when it is not one of ours (stale, forged, oversized)."""
    if not data or len(data.encode()) > MAX_CALLBACK_BYTES:
        return None
    if data == _NEXT:
        return NextBite()
    if data == _PROGRESS:
        return ShowProgress()
    if data == _RESUME:
        return Resume()
    if data in _ACTION_OF:
        return _ACTION_OF[data]()
    kind, _, rest = data.partition(":")
    if kind in (_ANSWER, _WHY):
        item_id, _, option = rest.rpartition(":")
        if item_id and _small_number(option):
            return Answer(item_id, int(option)) if kind == _ANSWER else WhyNot(item_id, int(option))
    elif kind == _MORE and rest:
        return More(rest)
    elif kind == _GOT_IT and rest:
        return GotIt(rest)
    elif kind == _REVIEW:
        send_id, _, option = rest.partition(":")
        if _id_number(send_id) and _small_number(option):
            return ReviewAnswer(int(send_id), int(option))
    elif kind == _LATER and _id_number(rest):
        return Later(int(rest))
    elif kind == _SNOOZE:
        send_id, _, choice = rest.partition(":")
        if _id_number(send_id) and choice in SNOOZE_CHOICES:
            return Snooze(int(send_id), choice)
    elif kind == _SETTING:
        field, _, value = rest.partition(":")
        if field in SETTING_FIELDS:
            return Setting(field, value)
    elif kind == _LOOK:
        look_kind, _, item_id = rest.partition(":")
        if look_kind in LOOK_KINDS and item_id:
            return Look(look_kind, item_id)
    elif kind == _MENU and rest in MENU_NAMES:
        return Menu(rest)
    elif kind == _REGION and rest in REGION_CODES:
        return Region(rest)
    elif kind == _FORGET and rest in ("yes", "no", "clear"):
        return Forget(rest != "no", clear=rest == "clear")
    return None


# Buttons with no data of their own, by the callback data they carry.
_Plain = (
    CertificateWithoutName | CertificateConfirm | CertificateChange | CertificateCorrect | Practise | ShowCertificate
)
_ACTION_OF: dict[str, type[_Plain]] = {
    _NO_NAME: CertificateWithoutName,
    "cert:ok": CertificateConfirm,
    "cert:change": CertificateChange,
    "cert:fix": CertificateCorrect,
    "practise": Practise,
    "cert": ShowCertificate,
}
_DATA_OF = {action: data for data, action in _ACTION_OF.items()}


def _small_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 2


def _id_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 18
