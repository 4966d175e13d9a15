"""The tuning set: realistic on-shift look-ups and what each should find, for tests/test_search.py and
bench/lookups.py. The search is tuned on these, and only these (the held-out set is tests/search_heldout.py).

`QUERIES` are look-ups by anyone (no region known): each lists the acceptable answers (card or lesson ids).
`REGIONAL` are look-ups by a learner whose region is known, with the answers right as the first result.
`NOTHING_FITS` are look-ups the course has no answer for: the honest reply is none.
"""

from __future__ import annotations

from tests.search_heldout import Judged

QUERIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("what are the indicators of labor trafficking?", ("card-ind-labor", "card-ind-work-living", "l2-signs-labor")),
    ("signs of sex trafficking", ("card-ind-sex", "l2-signs-sex-mental")),
    (
        "how do I document this safely?",
        (
            "card-doc-what-to-record",
            "card-doc-protect-record",
            "l5-what-to-write",
            "l5-cures-act-notes",
            "card-doc-record-uk",
            "card-doc-record-ca",
            "card-doc-record-au",
            "card-doc-record-intl",
        ),
    ),
    ("STD", ("card-ind-sex",)),
    ("repeated STDs", ("card-ind-sex",)),
    ("pimp", ("card-ind-companion", "l1-recruit-control")),
    ("branding", ("card-ind-sex",)),
    ("branding tattoo barcode", ("card-ind-sex",)),
    ("ICD", ("card-doc-codes", "l5-icd-codes", "card-now-chart-us")),
    ("icd 10 code suspected labor trafficking", ("card-doc-codes", "l5-icd-codes", "card-now-chart-us")),
    ("code for ruled out sexual exploitation", ("card-doc-codes", "l5-icd-codes", "card-now-chart-us")),
    ("T74.51", ("card-doc-codes", "l5-icd-codes", "card-now-chart-us")),
    ("portal", ("card-doc-protect-record", "l5-who-reads-the-record")),
    ("patient portal proxy access", ("card-doc-protect-record", "l5-who-reads-the-record")),
    ("AVS", ("card-doc-protect-record", "l5-who-reads-the-record")),
    ("after visit summary safe to take home", ("card-doc-protect-record", "l5-who-reads-the-record")),
    ("interpreter", ("l3-interpreters", "card-ind-companion")),
    ("companion wants to interpret", ("l3-interpreters", "card-ind-companion")),
    ("intepreter", ("l3-interpreters", "card-ind-companion")),
    ("minor", ("card-ind-minors", "l1-minors-no-means")),
    ("16 year old trading sex", ("card-ind-minors", "l1-minors-no-means")),
    ("teen with older boyfriend", ("card-ind-minors", "l2-who-is-at-risk", "card-ind-companion")),
    (
        "hotline number",
        (
            "card-res-us",
            "card-res-uk",
            "card-res-ca",
            "card-res-au",
            "card-res-ie",
            "card-res-eu",
            "card-now-hotline-us",
            "card-now-hotline-uk",
            "card-now-hotline-ca",
            "card-now-hotline-au",
            "card-now-hotline-ie",
            "card-now-hotline-eu",
            "card-now-hotline-intl",
        ),
    ),
    ("national human trafficking hotline", ("card-res-us", "card-now-hotline-us")),
    ("UK modern slavery helpline", ("card-res-uk", "card-now-hotline-uk")),
    ("canada hotline", ("card-res-ca", "card-now-hotline-ca")),
    ("australia federal police", ("card-res-au", "card-now-hotline-au")),
    ("emergency number europe", ("card-res-intl", "card-res-eu", "card-now-hotline-eu")),
    ("how to respond", ("card-respond-pearr", "l3-respond-their-terms")),
    ("PEARR", ("card-respond-pearr", "l3-pearr")),
    ("companion won't leave the room", ("card-ind-companion", "l3-alone-safely", "card-now-scripts")),
    ("see the patient alone", ("l3-alone-safely", "card-ind-companion", "card-respond-pearr", "card-now-scripts")),
    ("photos of injuries", ("card-doc-photos", "l5-photographs")),
    ("photograph bruises consent", ("card-doc-photos", "l5-photographs")),
    (
        "mandatory reporting adult",
        (
            "card-doc-reporting",
            "l5-reporting-duties",
            "card-doc-reporting-uk",
            "card-doc-reporting-ca",
            "card-doc-reporting-au",
            "card-doc-reporting-intl",
        ),
    ),
    (
        "do I have to call police",
        (
            "card-doc-reporting",
            "l5-reporting-duties",
            "l3-respond-their-terms",
            "l5-adult-decides",
            "card-doc-reporting-uk",
            "card-doc-reporting-ca",
            "card-doc-reporting-au",
            "card-doc-reporting-intl",
        ),
    ),
    ("HIPAA disclosure", ("card-doc-reporting", "l5-hipaa-disclosures")),
    ("CPS report child", ("card-doc-reporting", "card-ind-minors", "l5-reporting-duties")),
    ("employer holds passport", ("card-ind-documents", "card-ind-work-living")),
    ("no ID pays cash", ("card-ind-documents",)),
    ("debt bondage", ("l1-labor-trafficking", "card-ind-work-living", "card-ind-documents")),
    ("chemical burns farm worker", ("card-ind-labor", "l2-signs-labor")),
    ("heat exhaustion pesticide", ("card-ind-labor", "l2-signs-labor")),
    ("PTSD depression", ("card-ind-mental-health", "l2-signs-sex-mental")),
    ("scripted story doesn't match injury", ("card-ind-history",)),
    ("lives where he works can't leave", ("card-ind-work-living", "l2-ilo-indicators")),
    ("ILO indicators forced labour", ("l2-ilo-indicators", "card-ind-work-living")),
    ("trauma informed care principles", ("l3-six-principles", "l3-what-trauma-is")),
    ("screening tool", ("l2-screening-tools",)),
    ("smuggling vs trafficking", ("l1-not-smuggling",)),
    ("T visa immigration help", ("l5-foreign-nationals", "l5-us-visas")),
    ("transgender patient name pronouns", ("l4-affirming-care",)),
    ("male victims missed", ("l4-why-missed", "l4-male-myths")),
    ("LGBTQ youth homeless", ("l4-lgbtq-rejection", "l4-lgbtq-hidden", "l2-who-is-at-risk")),
    ("survival sex", ("l4-survival-sex",)),
    ("what to write in the chart", ("card-doc-what-to-record", "l5-what-to-write")),
    (
        "safe phone number to call back",
        ("card-doc-protect-record", "card-respond-safety-plan", "l5-safe-contact", "lc-safety-contact"),
    ),
)

REGIONAL: tuple[Judged, ...] = (
    # Getting the patient alone, the companion
    Judged(
        "partner refuses to step out of the exam room",
        "US",
        ("card-now-scripts", "l3-alone-safely", "card-ind-companion"),
    ),
    Judged("how can I separate her from her boyfriend", "CA", ("card-now-scripts", "l3-alone-safely")),
    Judged("excuse to see him without his employer", "AU", ("card-now-scripts", "l3-alone-safely")),
    Judged("words to use to ask the companion to wait outside", "UK", ("card-now-scripts", "l3-alone-safely")),
    Judged("mother answers every question for the teen", "US", ("card-ind-companion", "l2-signs-in-the-room")),
    Judged("employer wants to interpret for the worker", "CA", ("l3-interpreters", "card-ind-companion")),
    # Leaving, a trafficker on site
    Judged("patient wants to discharge herself with her partner", "UK", ("card-respond-leaving", "l3-leaving-ama")),
    Judged("left without being seen with the man who brought her", "US", ("card-respond-leaving", "l3-leaving-ama")),
    Judged("he's taking her out of the ED mid treatment", "CA", ("card-respond-leaving", "l3-leaving-ama")),
    Judged("man in the lobby demanding to see her", "US", ("card-respond-trafficker-present", "l3-trafficker-on-site")),
    Judged(
        "aggressive visitor at reception asking about patient",
        "AU",
        ("card-respond-trafficker-present", "l3-trafficker-on-site"),
    ),
    Judged("the uncle insists on taking the 15 year old home", "CA", ("l3-child-safe-discharge",)),
    # What to do now
    Judged("what should I do now", "INTL", ("card-now-steps", "card-respond-pearr")),
    Judged("steps to take if I suspect trafficking", "US", ("card-now-steps", "card-respond-pearr")),
    Judged(
        "she admitted she's being sold for sex, next steps",
        "CA",
        ("card-now-steps", "card-respond-pearr", "l3-respond-their-terms"),
    ),
    # Calling
    Judged("trafficking helpline number", "CA", ("card-now-hotline-ca", "card-res-ca")),
    Judged("phone number for advice", "US", ("card-now-hotline-us", "card-res-us")),
    Judged("confidential line to call", "IE", ("card-now-hotline-ie", "card-res-ie")),
    Judged("who do I contact", "EU", ("card-now-hotline-eu", "card-res-eu")),
    Judged("national line", "INTL", ("card-now-hotline-intl", "card-res-intl")),
    Judged("australian reporting line", "UK", ("card-now-hotline-au", "card-res-au")),
    Judged("garda number in ireland", "US", ("card-now-hotline-ie", "card-res-ie")),
    Judged("US hotline", "UK", ("card-now-hotline-us", "card-res-us")),
    Judged("helpline in germany", "EU", ("card-now-hotline-eu", "card-res-eu")),
    Judged("text number for the hotline", "US", ("card-now-hotline-us", "card-res-us")),
    Judged("crimestoppers", "UK", ("card-res-uk",)),
    Judged("is the hotline confidential", "CA", ("l5-ca-hotline", "card-res-ca")),
    # Reporting
    Judged("must I report an adult victim", "CA", ("card-doc-reporting-ca", "l5-adult-decides")),
    Judged("when do I have to tell the police", "UK", ("card-doc-reporting-uk", "l5-adult-decides")),
    Judged("reporting a child", "US", ("card-doc-reporting", "l5-reporting-duties", "card-ind-minors")),
    Judged("mandatory reporting for minors", "AU", ("card-doc-reporting-au", "l5-au-child-reporting")),
    Judged("refer to the national referral mechanism", "UK", ("card-doc-reporting-uk", "l5-nrm-uk")),
    Judged("reporting duties", "INTL", ("card-doc-reporting-intl", "l5-intl-local-duties")),
    # Charting and coding
    Judged("diagnosis code", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("code for confirmed labor trafficking child", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("T74.62XA", "US", ("card-doc-codes", "card-now-chart-us", "l5-icd-codes")),
    Judged("Z62.813", "US", ("card-doc-codes",)),
    Judged("how to code it", "AU", ("card-now-chart-au", "card-doc-record-au", "l5-coding-outside-us")),
    Judged("documenting suspected exploitation", "CA", ("card-now-chart-ca", "card-doc-record-ca")),
    Judged(
        "writing it in the record",
        "INTL",
        ("card-now-chart-intl", "card-doc-record-intl", "l5-what-to-write", "card-doc-what-to-record"),
    ),
    Judged("GP record online", "UK", ("l5-nhs-app-record-uk",)),
    Judged(
        "open notes trafficker reads the portal",
        "US",
        ("card-doc-protect-record", "l5-who-reads-the-record", "l5-cures-act-notes"),
    ),
    Judged("printed after visit summary danger", "CA", ("card-doc-protect-record", "l5-who-reads-the-record")),
    Judged("photographing bruises", "AU", ("card-doc-photos", "l5-photographs")),
    # Indicators, in shorthand
    Judged("pt with multiple STIs and abortions", "US", ("card-ind-sex", "l2-signs-sex-mental")),
    Judged("story keeps changing", "UK", ("card-ind-history",)),
    Judged("pt can't give her address", "US", ("card-ind-history",)),
    Judged("claims to be 18 but looks 14", "CA", ("card-ind-history", "card-ind-minors")),
    Judged("farmworker heat stroke", "US", ("card-ind-labor", "l2-signs-labor")),
    Judged(
        "owes a debt to the agency that brought her",
        "UK",
        ("card-ind-work-living", "card-ind-documents", "l1-labor-trafficking"),
    ),
    Judged("suicidal ideation", "US", ("card-ind-mental-health", "lc-suicide-ask")),
    Judged("15yo girl with 30yo boyfriend", "US", ("card-ind-minors", "l1-grooming")),
    Judged("homeless youth exchanging sex for food", "US", ("card-ind-minors", "l4-survival-sex")),
    # Clinical care
    Judged("HIV prophylaxis after rape", "UK", ("lc-pep-prep",)),
    Judged("choking neck injury", "US", ("lc-neck-head",)),
    Judged("morning after pill", "AU", ("lc-pregnancy-ec",)),
    Judged("gonorrhea chlamydia testing sites", "US", ("lc-infections", "l4-male-sti-sites")),
    Judged("forensic exam time limit", "CA", ("lc-forensic-window", "lc-forensic-ca")),
    Judged("sexual assault nurse examiner", "US", ("lc-forensic-us",)),
    Judged("opioid dependence trafficker controls supply", "US", ("lc-controlled-supply",)),
    Judged("pronouns", "CA", ("l4-affirming-care",)),
    Judged("male patient rectal injury exam", "US", ("l4-male-exam",)),
    # Safety, the team, status
    Judged("code word safety plan", "US", ("card-respond-safety-plan", "lc-safety-contact")),
    Judged("plan for her leaving the situation", "US", ("card-respond-safety-plan", "lc-safety-danger")),
    Judged("family pressuring her to marry", "UK", ("card-respond-forced-marriage", "l1-forced-marriage")),
    Judged("vicarious trauma staff", "US", ("card-respond-team",)),
    Judged("temporary resident permit", "CA", ("l5-ca-trp",)),
    Judged("T visa", "US", ("l5-us-visas",)),
    Judged("NRM support accommodation", "UK", ("l5-nrm-support-uk",)),
    Judged("salvation army referral pathway", "AU", ("l5-au-arp",)),
)

NOTHING_FITS: tuple[str, ...] = (
    "cafeteria opening hours",
    "how do I reset my password",
    "parking permit",
    "hello",
    "thanks",
    "patient",
    "lorem ipsum dolor",
    "knee replacement rehab protocol",
    "insulin sliding scale",
)


def tuning_set() -> tuple[Judged, ...]:
    """Every tuning look-up as judged: the anyone-queries (no region) and the regional ones."""
    return tuple(Judged(query, "", wanted) for query, wanted in QUERIES) + REGIONAL
