"""The words of a clinician's search, as the search index reads them: tokens, stems, shorthand, phrasing, places.

`analyse` turns text into index terms: lower case, apostrophes dropped ("won't" is "wont"), each word stemmed
with the Snowball English stemmer ("leaving" and "leave" meet), diagnosis codes kept whole and also by their
category ("T76.61XA" also counts as "t76.61" and "t76"), hyphenated words also by their parts. The tables say
what shorthand, lay words and action phrasing mean in the course's own words, and which words name a region.
Pure: no state but caches.
"""

from __future__ import annotations

import functools
import re

import snowballstemmer

from bot.content.markup import plain_text

_STEMMER = snowballstemmer.stemmer("english")
_APOSTROPHES = re.compile(r"(?<=\w)['’](?=\w)")
_CODE = r"[a-z]\d{2}(?:\.\d{1,3}[a-z0-9]*)?"
_TOKEN = re.compile(rf"{_CODE}(?![a-z0-9])|[a-z0-9]+(?:[-+][a-z0-9]+)*\+?")
_IS_CODE = re.compile(rf"^{_CODE}$")


@functools.cache
def stem(word: str) -> str:
    """A word's stem; codes, numbers and words with digits stay as they are."""
    if not word.isalpha():
        return word
    stemmed = str(_STEMMER.stemWord(word))
    if stemmed == word and len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us")):
        return str(_STEMMER.stemWord(word[:-1]))  # abbreviations: Snowball leaves "STIs" and "UTIs" alone
    return stemmed


def words(text: str) -> list[str]:
    """The words of `text` as typed, lower case, markup and apostrophes removed."""
    return _TOKEN.findall(_APOSTROPHES.sub("", plain_text(text).lower()))


def terms_of(word: str) -> list[str]:
    """The index terms one word stands for: its stem, and a code's category or a hyphenated word's parts."""
    found = [stem(word.rstrip("+")) if word.endswith("+") and len(word) > 1 else stem(word)]
    if _IS_CODE.match(word):
        category, _, rest = word.partition(".")
        if rest:
            found.append(f"{category}.{rest[:2]}" if len(rest) > 2 else category)
            found.append(category)
    elif "-" in word:
        found.extend(stem(part) for part in word.split("-") if len(part) > 1)
    return list(dict.fromkeys(found))


def analyse(text: str) -> list[str]:
    """Every index term of `text`, in order, repeats kept (BM25 counts them)."""
    return [term for word in words(text) for term in terms_of(word)]


_STOPWORDS = (
    "a an and are as at be been by can could do does did for from how i if im in into is it its me my of on or "
    "our should so that the their them then there these they this to up was we what when where which who why "
    "will with would you your about any look looking find show tell need know safely safe now right just really "
    "please she he her him his hers they someone something get got go going think thinking one some very pt "
    "patient patients ed er"
)
STOPWORDS = frozenset(stem(word) for word in _STOPWORDS.split())

# Clinical shorthand and lay words, mapped to the words the course uses. Keys are matched as typed (lower case);
# the expansions count for less than what the clinician typed.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "std": ("sti", "infection"),
    "vd": ("sti",),
    "sti": ("infection",),
    "pimp": ("trafficker", "controller", "companion"),
    "john": ("buyer", "commercial"),
    "brand": ("tattoo", "branding"),
    "branding": ("tattoo", "brand"),
    "barcode": ("tattoo", "branding"),
    "tattoo": ("branding",),
    "icd": ("code", "icd-10-cm"),
    "icd10": ("code", "icd-10-cm"),
    "code": ("icd-10-cm", "coding"),
    "coding": ("code",),
    "dx": ("code", "diagnosis"),
    "portal": ("proxy", "record"),
    "mychart": ("portal", "proxy"),
    "avs": ("after-visit", "summary", "paperwork"),
    "paperwork": ("after-visit", "summary"),
    "interpreter": ("language", "translator"),
    "translator": ("interpreter",),
    "translate": ("interpreter",),
    "translating": ("interpreter",),
    "interpreting": ("interpreter",),
    "minor": ("child", "under", "18", "youth"),
    "kid": ("child", "minor"),
    "teen": ("minor", "child", "youth"),
    "teenager": ("minor", "child", "youth"),
    "adolescent": ("minor", "youth"),
    "yo": ("minor", "age"),
    "child": ("minor",),
    "ehr": ("record", "chart"),
    "chart": ("record", "document"),
    "charting": ("record", "document"),
    "document": ("record",),
    "documenting": ("record",),
    "documentation": ("record", "document"),
    "notes": ("record",),
    "photo": ("photograph",),
    "pic": ("photograph",),
    "picture": ("photograph",),
    "cop": ("police",),
    "cops": ("police",),
    "law": ("police", "legal"),
    "cps": ("child", "protective", "report"),
    "mandated": ("report", "reporting"),
    "mandatory": ("report", "reporting"),
    "hipaa": ("privacy", "disclosure"),
    "hotline": ("helpline", "line", "number"),
    "helpline": ("hotline", "line"),
    "phone": ("hotline", "number"),
    "ring": ("call", "hotline"),
    "call": ("hotline", "number"),
    "contact": ("hotline", "number"),
    "report": ("reporting", "police"),
    "refer": ("referral",),
    "911": ("emergency",),
    "emergency": ("danger",),
    "danger": ("emergency",),
    "labour": ("labor",),
    "work": ("labor",),
    "worker": ("labor",),
    "job": ("work", "employer"),
    "boss": ("employer",),
    "sex": ("sexual",),
    "prostitution": ("sex", "commercial"),
    "ptsd": ("mental", "trauma"),
    "depression": ("mental",),
    "suicide": ("mental", "self-harm"),
    "suicidal": ("suicide", "self-harm"),
    "si": ("suicidal", "suicide"),
    "passport": ("documents", "id"),
    "id": ("documents", "passport"),
    "visa": ("immigration", "documents"),
    "debt": ("money", "owe"),
    "owes": ("debt", "owe"),
    "cash": ("money",),
    "respond": ("pearr", "response"),
    "pearr": ("respond", "privacy", "educate"),
    "sign": ("indicator", "red", "flag"),
    "indicator": ("sign", "red", "flag"),
    "uk": ("united", "kingdom"),
    "usa": ("united", "states"),
    "canada": ("canadian",),
    "canadian": ("canada",),
    "australia": ("australian",),
    "australian": ("australia",),
    "irish": ("ireland",),
    "lgbt": ("lgbtq",),
    "trans": ("transgender",),
    "gay": ("lgbtq",),
    "boy": ("male", "men"),
    "men": ("male",),
    "hx": ("history",),
    "sx": ("symptom",),
    "tx": ("treatment",),
    "dc": ("discharge",),
    "ama": ("leaving", "against", "advice"),
    "lwbs": ("leaving", "without", "seen"),
    "elope": ("leaving",),
    "bf": ("boyfriend",),
    "gf": ("girlfriend",),
    "sa": ("sexual", "assault"),
    "sane": ("forensic", "examiner"),
    "sarc": ("sexual", "assault", "referral", "centre"),
    "pep": ("prophylaxis", "hiv"),
    "prep": ("prophylaxis", "hiv"),
    "ec": ("emergency", "contraception"),
    "top": ("abortion", "termination"),
    "tops": ("abortion", "termination"),
    "uti": ("urinary",),
    "strangled": ("strangulation", "neck"),
    "choked": ("strangulation", "neck"),
    "choking": ("strangulation", "neck"),
    "undocumented": ("immigration", "status"),
    "deportation": ("immigration", "status"),
    "deported": ("immigration", "deportation"),
    "asylum": ("immigration", "refugee"),
    "lobby": ("waiting", "room"),
    "reception": ("waiting", "room"),
    "shouting": ("aggressive", "threatening"),
    "yelling": ("aggressive", "threatening"),
    "angry": ("aggressive",),
    "threatening": ("aggressive", "security"),
    "demanding": ("aggressive", "threatening"),
    "insists": ("insist", "aggressive"),
    "violent": ("aggressive", "violence", "security"),
    "wedding": ("marriage",),
    "marry": ("marriage",),
    "married": ("marriage",),
    "huddle": ("team",),
    "debrief": ("team",),
    "steps": ("respond", "what", "do"),
    "admitted": ("disclosure", "disclose"),
    "admits": ("disclosure", "disclose"),
    "disclosed": ("disclosure", "disclose"),
    "told": ("disclosure", "disclose"),
    "sold": ("sex", "commercial", "exploitation"),
    "rape": ("sexual", "assault", "exposure"),
    "raped": ("sexual", "assault", "exposure"),
    "husband": ("companion", "partner"),
    "wife": ("companion", "partner"),
    "partner": ("companion",),
    "boyfriend": ("companion", "partner"),
    "girlfriend": ("companion", "partner"),
    "mother": ("companion", "family"),
    "mom": ("companion", "family", "mother"),
    "mum": ("companion", "family", "mother"),
    "father": ("companion", "family"),
    "dad": ("companion", "family", "father"),
    "parent": ("companion", "family"),
    "aunt": ("companion", "family", "relative"),
    "uncle": ("companion", "family", "relative"),
    "relative": ("companion", "family"),
    "cousin": ("companion", "family", "relative"),
    "friend": ("companion",),
    "excuse": ("reason", "routine", "alone"),
    "pretext": ("reason", "routine", "alone"),
}

# Phrases read as one meaning before the words are split: action phrasing in particular. Each maps to the words
# the course uses for it, which count as typed.
PHRASES: dict[str, str] = {
    "after visit summary": "avs",
    "after-visit summary": "avs",
    "red flag": "indicator",
    "red flags": "indicator",
    "under 18": "minor",
    "mandated reporter": "mandated report",
    "sexually transmitted": "sti",
    "icd 10": "icd",
    "icd-10": "icd",
    "year old": "age minor",
    "years old": "age",
    "won't leave": "companion won't leave alone separate",
    "wont leave": "companion won't leave alone separate",
    "will not leave": "companion won't leave alone separate",
    "refuses to leave": "companion won't leave alone separate",
    "step out": "companion alone separate",
    "wait outside": "companion alone separate",
    "on her own": "alone",
    "on his own": "alone",
    "on their own": "alone",
    "by herself": "alone",
    "by himself": "alone",
    "get her alone": "alone separate",
    "get him alone": "alone separate",
    "get them alone": "alone separate",
    "what to say": "scripts say",
    "what do i say": "scripts say",
    "what can i say": "scripts say",
    "against advice": "ama leaving",
    "against medical advice": "ama leaving",
    "walking out": "ama leaving",
    "walk out": "ama leaving",
    "walked out": "ama leaving",
    "wants to leave": "ama leaving",
    "trying to leave": "ama leaving",
    "leave with": "ama leaving companion",
    "leaving with": "ama leaving companion",
    "take her home": "discharge leaving",
    "take him home": "discharge leaving",
    "taking her home": "discharge leaving",
    "taking him home": "discharge leaving",
    "waiting room": "waiting room trafficker security",
    "front desk": "waiting room reception",
    "what now": "what to do now steps",
    "now what": "what to do now steps",
    "next steps": "what to do now steps",
    "first steps": "what to do now steps",
    "what do i do": "what to do now steps",
    "what should i do": "what to do now steps",
    "who do i call": "who to call hotline",
    "who to call": "who to call hotline",
    "who should i call": "who to call hotline",
    "who can i call": "who to call hotline",
    "self harm": "self-harm",
    "morning after pill": "emergency contraception",
    "sexual assault nurse examiner": "sane",
    "mental health": "mental",
    "code word": "word safety plan contact",
    "have to call": "duty report mandatory call",
    "have to report": "duty report mandatory",
    "have to tell": "duty report mandatory tell",
    "need to report": "duty report mandatory",
    "required to": "duty mandatory",
    "must i": "duty mandatory",
    "answers for": "companion answers for speaks",
    "answers all": "companion answers for speaks",
    "answers every": "companion answers for speaks",
    "speaks for": "companion speaks for",
    "talks for": "companion speaks for",
    "does all the talking": "companion speaks for talking",
    "to interpret": "interpreter companion interpret",
    "to translate": "interpreter companion interpret",
    "discharge herself": "ama leaving discharge",
    "discharge himself": "ama leaving discharge",
    "self-discharge": "ama leaving discharge",
    "self discharge": "ama leaving discharge",
}
# Patterns too loose for a phrase: "taking the 15 year old home".
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![a-z])tak(?:e|es|ing) ((?:[a-z0-9']+ ){1,4})home(?![a-z])"), "discharge leaving home"),
    (re.compile(r"(?<![a-z])won'?t let (?:me|us) (?:see|talk|speak)"), "companion won't leave alone separate"),
)

# Words that name a region where a clinician works; "US" counts only when typed in capitals.
REGION_WORDS: dict[str, tuple[str, ...]] = {
    "UK": (
        "northern ireland", "united kingdom", "uk", "u.k.", "britain", "british", "england", "scotland", "scottish",
        "wales", "welsh", "nhs", "nrm", "gp",
    ),
    "IE": ("ireland", "garda", "gardai", "gardaí", "hse"),
    "US": ("united states", "usa", "u.s.", "america", "american", "hipaa", "icd-10-cm"),
    "CA": ("canada", "canadian", "ontario", "quebec", "british columbia", "alberta", "manitoba", "nova scotia"),
    "AU": ("australia", "australian", "aussie", "afp", "nsw", "queensland", "triple zero"),
    # Countries, not their adjectives: "a Spanish-speaking patient" names a language, not where you work.
    "EU": ("europe", "european", "eu", "italy", "germany", "portugal", "france", "spain", "greece"),
    "INTL": ("international", "internationally", "abroad", "elsewhere", "worldwide", "global"),
}  # fmt: skip

# Stems of the words that make a query about calling someone or reporting.
_CALLING = "call hotline helpline line phone number ring tty report police refer referral notify"
CALLING = frozenset(stem(word) for word in _CALLING.split(" "))
_AGE = re.compile(r"(?<![a-z0-9])(\d{1,2})\s*(?:yo|y/o|y\.o\.|yrs?|-?years?-old)(?![a-z])")
_MARK = re.compile("\ue000(\\d+)\ue001")  # where a phrase was read, in the query being read


@functools.cache
def _stemmed_synonyms() -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for word, meanings in SYNONYMS.items():
        table[stem(word)] = (*table.get(stem(word), ()), *meanings)
    return table


def expand(word: str) -> tuple[str, ...]:
    """What a typed word also means, in the course's words ("STDs" as much as "STD")."""
    return SYNONYMS.get(word) or _stemmed_synonyms().get(stem(word), ())


@functools.cache
def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])")


class _Reading:
    """A query being read: the phrases found so far, each left in the text as a mark."""

    def __init__(self) -> None:
        self.meanings: list[str] = []

    def mark(self, meaning: str, rest: str = "") -> str:
        self.meanings.append(meaning)
        return f" \ue000{len(self.meanings) - 1}\ue001 {rest}"

    def replace(self, pattern: re.Pattern[str], meaning: str, text: str) -> str:
        # What a pattern leaves out between its words (its groups) is read on as ordinary words.
        return pattern.sub(lambda match: self.mark(meaning, " ".join(match.groups(""))), text)


def units(query: str) -> list[tuple[str, ...]]:
    """The query as units of meaning: each known phrase (as the words the course uses for it), each other word."""
    reading = _Reading()
    text = _AGE.sub(r" \1 year old ", _APOSTROPHES.sub("'", query.lower()))
    for pattern, meaning in PATTERNS:
        text = reading.replace(pattern, meaning, text)
    for phrase in sorted(PHRASES, key=len, reverse=True):
        if phrase in text:
            text = reading.replace(_phrase_pattern(phrase), PHRASES[phrase], text)
    found: list[tuple[str, ...]] = []
    for number, piece in enumerate(_MARK.split(text)):
        if number % 2:
            found.append(tuple(words(reading.meanings[int(piece)])))
        else:
            found.extend((word,) for word in words(piece))
    return found


def region_named(query: str) -> str | None:
    """The region a query names, if any: the first one mentioned (the longest name, where names overlap)."""
    lowered = query.lower()
    found: list[tuple[int, int, str]] = []  # (start, -length, region)
    for region, names in REGION_WORDS.items():
        for name in names:
            for match in re.finditer(rf"(?<![a-z]){re.escape(name)}(?![a-z])", lowered):
                found.append((match.start(), -len(name), region))
    for match in re.finditer(r"(?<![A-Za-z])U\.?S\.?(?![A-Za-z])", query):  # "us" in lower case is a pronoun
        found.append((match.start(), -len(match.group()), "US"))
    return min(found)[2] if found else None
