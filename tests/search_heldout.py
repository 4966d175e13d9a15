"""The held-out look-ups: never used to tune the search, only to measure it (bench/lookups.py, tests/test_search.py).

How it was made: written in one sitting for issue 15, before any change to the search and before any of these
queries was run, in the words a nurse, physician or social worker types mid-shift (shorthand, fragments, a few
typos), spread over the seven learner regions and over what the issue found weak: action phrasing ("won't leave
the room", "walking out AMA"), places on the ward ("in the waiting room"), calling and reporting, charting and
coding, and clinical shorthand. Each query names the learner's region and the card or lesson that should come
first, judged by reading the content: where a card and a lesson answer the very same question, either counts.
It was committed before any tuning; the search is tuned only on tests/search_queries.py, and no query here is
there. Do not add a query here to fix a miss: add its kind to the tuning set instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Judged:
    query: str
    region: str  # the learner's region (US, UK, IE, CA, AU, EU, INTL)
    first: tuple[str, ...]  # the card or lesson ids that are right as the first answer


HELD_OUT: tuple[Judged, ...] = (
    # Getting the patient alone, and the companion
    Judged("boyfreind won't leave the room", "US", ("card-now-scripts", "l3-alone-safely", "card-ind-companion")),
    Judged(
        "how do I get the patient alone without the husband noticing", "UK", ("card-now-scripts", "l3-alone-safely")
    ),
    Judged("what can I say to get the companion out of the room", "CA", ("card-now-scripts", "l3-alone-safely")),
    Judged("companion answers all the questions for her", "UK", ("card-ind-companion", "l2-signs-in-the-room")),
    Judged("her husband offers to translate", "INTL", ("l3-interpreters", "card-ind-companion")),
    Judged("family member interpreting", "US", ("l3-interpreters", "card-ind-companion")),
    # Leaving, and a trafficker on site
    Judged("she wants to leave with him before we finish treatment", "US", ("card-respond-leaving", "l3-leaving-ama")),
    Judged("patient walking out AMA with her pimp", "US", ("card-respond-leaving", "l3-leaving-ama")),
    Judged("leaving before discharge with the man who brought her", "AU", ("card-respond-leaving", "l3-leaving-ama")),
    Judged(
        "guy in the waiting room keeps asking where she is",
        "UK",
        ("card-respond-trafficker-present", "l3-trafficker-on-site"),
    ),
    Judged("companion shouting at triage staff", "CA", ("card-respond-trafficker-present", "l3-trafficker-on-site")),
    Judged(
        "the man with her is threatening the nurses", "US", ("card-respond-trafficker-present", "l3-trafficker-on-site")
    ),
    Judged("aunt wants to take the 14 year old home now", "US", ("l3-child-safe-discharge",)),
    Judged("can I discharge a child to the adult who brought them", "UK", ("l3-child-safe-discharge",)),
    # What to do now
    Judged("what do I do right now I think she is being trafficked", "US", ("card-now-steps", "card-respond-pearr")),
    Judged("first steps suspected trafficking in ED", "INTL", ("card-now-steps", "card-respond-pearr")),
    Judged(
        "patient just disclosed she is forced to work what now",
        "UK",
        ("card-now-steps", "card-respond-pearr", "l3-respond-their-terms"),
    ),
    Judged(
        "she told me everything, now what", "AU", ("card-now-steps", "card-respond-pearr", "l3-respond-their-terms")
    ),
    # Calling: hotlines and helplines
    Judged("number for the trafficking hotline", "US", ("card-now-hotline-us", "card-res-us")),
    Judged("helpline", "UK", ("card-now-hotline-uk", "card-res-uk")),
    Judged("who can I phone for advice", "IE", ("card-now-hotline-ie", "card-res-ie")),
    Judged("which number do I call about exploitation", "AU", ("card-now-hotline-au", "card-res-au")),
    Judged("who do I ring about modern slavery", "UK", ("card-now-hotline-uk", "card-res-uk")),
    Judged("text the hotline", "US", ("card-now-hotline-us", "card-res-us")),
    Judged("TTY number for deaf patient", "US", ("card-now-hotline-us", "card-res-us")),
    Judged("emergency number", "EU", ("card-now-hotline-eu", "card-res-eu")),
    Judged("canadian hotline", "US", ("card-now-hotline-ca", "card-res-ca")),
    Judged("UK helpline number", "US", ("card-now-hotline-uk", "card-res-uk")),
    Judged("anti trafficking line italy", "EU", ("card-now-hotline-eu", "card-res-eu")),
    Judged("garda confidential number", "INTL", ("card-now-hotline-ie", "card-res-ie")),
    Judged("contact the AFP", "AU", ("card-now-hotline-au", "card-res-au")),
    Judged("does the canadian hotline tell police", "CA", ("l5-ca-hotline", "card-res-ca")),
    # Reporting
    Judged(
        "do I have to report this to police", "US", ("card-doc-reporting", "l5-adult-decides", "l5-reporting-duties")
    ),
    Judged(
        "mandated reporter trafficking adult patient",
        "US",
        ("card-doc-reporting", "l5-adult-decides", "l5-reporting-duties"),
    ),
    Judged("do I need her consent for an NRM referral", "UK", ("card-doc-reporting-uk", "l5-nrm-uk", "card-res-uk")),
    Judged("safeguarding referral modern slavery", "UK", ("card-doc-reporting-uk", "l5-safeguarding-lead-uk")),
    Judged("duty to report 16 year old ontario", "CA", ("l5-ca-16-17", "card-doc-reporting-ca", "card-ind-minors")),
    Judged("child protection report", "AU", ("card-doc-reporting-au", "l5-au-child-reporting")),
    Judged("report to police without consent", "AU", ("card-doc-reporting-au", "l5-adult-decides", "card-res-au")),
    Judged("how do I refer a victim", "INTL", ("card-doc-reporting-intl", "card-res-intl")),
    Judged("how to report trafficking", "IE", ("card-res-ie", "card-now-hotline-ie", "card-doc-reporting-intl")),
    Judged("can I tell police under HIPAA", "US", ("card-doc-reporting", "l5-hipaa-disclosures")),
    # Charting and coding
    Judged("which ICD code if I only suspect it", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("Z04.81", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("T76.61XA", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("how do I chart suspected trafficking", "UK", ("card-now-chart-uk", "card-doc-record-uk")),
    Judged(
        "is there a diagnosis code for trafficking",
        "CA",
        ("card-now-chart-ca", "card-doc-record-ca", "l5-coding-outside-us"),
    ),
    Judged(
        "what goes in the notes",
        "AU",
        ("card-now-chart-au", "card-doc-record-au", "card-doc-what-to-record", "l5-what-to-write"),
    ),
    Judged("safeguarding alert on the record", "UK", ("card-doc-record-uk", "card-now-chart-uk")),
    Judged(
        "her boyfriend reads her mychart",
        "US",
        ("card-doc-protect-record", "l5-who-reads-the-record", "l5-cures-act-notes"),
    ),
    Judged("NHS app notes trafficker could see", "UK", ("l5-nhs-app-record-uk", "card-doc-protect-record")),
    Judged("don't print the discharge paperwork", "US", ("card-doc-protect-record", "l5-safe-contact")),
    Judged("taking pictures of bruises", "INTL", ("card-doc-photos", "l5-photographs")),
    Judged("consent for injury photos", "CA", ("card-doc-photos", "l5-photographs")),
    # Indicators, in shorthand
    Judged("pt has barcode tattoo on neck", "US", ("card-ind-sex",)),
    Judged("recurrent UTIs and multiple TOPs", "UK", ("card-ind-sex", "l2-signs-sex-mental")),
    Judged("hx doesn't fit the injuries", "US", ("card-ind-history",)),
    Judged("she looks much younger than the age she gave", "AU", ("card-ind-history", "card-ind-minors")),
    Judged("boss keeps his passport", "CA", ("card-ind-documents", "card-ind-work-living")),
    Judged(
        "construction worker owes money to the recruiter",
        "US",
        ("card-ind-work-living", "card-ind-documents", "l1-labor-trafficking", "l4-men-labor"),
    ),
    Judged("nail salon worker sleeps at the salon", "US", ("card-ind-work-living", "l2-ilo-indicators")),
    Judged("SI and self harm in trafficking survivor", "US", ("card-ind-mental-health", "lc-suicide-ask")),
    Judged(
        "14yo with much older boyfriend and new phone", "US", ("card-ind-minors", "l4-boys-alone-peers", "l1-grooming")
    ),
    Judged(
        "runaway teen trading sex for a place to sleep",
        "CA",
        ("card-ind-minors", "l4-survival-sex", "l1-minors-no-means"),
    ),
    # Clinical care
    Judged("PEP after assault how many hours", "US", ("lc-pep-prep",)),
    Judged("strangulaton no marks", "AU", ("lc-neck-head",)),
    Judged("emergency contraception", "UK", ("lc-pregnancy-ec",)),
    Judged("what STI tests to offer", "INTL", ("lc-infections", "l4-male-sti-sites")),
    Judged("SANE exam without police", "US", ("lc-forensic-us", "lc-forensic-window")),
    Judged("SARC referral", "UK", ("lc-forensic-uk",)),
    Judged("trafficker supplies her drugs", "US", ("lc-controlled-supply",)),
    Judged("trans woman manager controls her hormones", "US", ("l4-hormones-control",)),
    Judged("where to put a trans patient on the ward", "UK", ("l4-ward-placement",)),
    # Safety, the team, status
    Judged(
        "safe way to contact her after discharge",
        "US",
        ("l5-safe-contact", "lc-safety-contact", "card-doc-protect-record"),
    ),
    Judged("she wants to go back to him", "UK", ("card-respond-safety-plan", "l3-respond-their-terms")),
    Judged("forced marriage abroad next month", "UK", ("card-respond-forced-marriage", "l1-forced-marriage")),
    Judged("debrief after a hard case", "INTL", ("card-respond-team", "lc-team-huddle")),
    Judged("who should be in the huddle", "US", ("lc-team-huddle", "card-respond-team")),
    Judged("undocumented patient scared of deportation", "US", ("l5-foreign-nationals", "l5-us-visas")),
    Judged("no immigration status can she stay", "CA", ("l5-ca-trp",)),
    Judged("recovery and reflection period", "EU", ("l5-intl-reflection",)),
)
