"""English (en, en-GB …)."""

from __future__ import annotations

import re

from ..language import LanguageProfile, phrases, register

_OPTIONS = r"(?: (?:options|answers|choices|statements|responses))?"

_STOP_WORDS = """a about above after again against all also am an and any are as at be because been before being
            below between both but by can could did do does doing down during each few for from further had
            has have having he her here hers herself him himself his how i if in into is it its itself just
            may me might more most must my no nor not now of off on once only or other our ours out over own
            same shall she should so some such than that the their theirs them then there these they this
            those through to too under until up very was we were what when where which while who whom whose
            why will with would you your yours one two following option options answer answers statement
            statements correct true false select choose apply best likely first case"""

PROFILE = register(
    LanguageProfile(
        code="en",
        stop_words=frozenset(_STOP_WORDS.split()),
        stemmer="english",
        all_of_the_above=phrases(
            rf"all (?:of )?(?:the )?(?:above|preceding|previous){_OPTIONS}",
            rf"all (?:three|four|five) (?:of the )?(?:above|preceding|previous){_OPTIONS}",
            rf"all of these{_OPTIONS}",
        ),
        none_of_the_above=phrases(
            rf"none of (?:the )?(?:above|preceding|previous){_OPTIONS}",
            rf"none of these{_OPTIONS}",
            r"neither of (?:the )?(?:above|these)",
        ),
        negative_words=re.compile(
            r"\b(?:not|no|never|none|except|cannot|least|false|incorrect|untrue|[a-z]+n['’]t)\b", re.IGNORECASE
        ),
        subordinators=frozenset(
            {"if", "when", "whenever", "although", "though", "because", "since", "unless", "while", "whereas", "once"}
        ),
        right_openers=re.compile(
            r"^(?:correct|right|exactly|well done|excellent|that(?:'s| is) (?:right|correct))\b"
        ),
        wrong_openers=re.compile(
            r"^(?:incorrect|wrong|sorry|not (?:quite|correct|right)|that(?:'s| is) not (?:right|correct))\b"
        ),
        yes_no_openers=(re.compile(r"^yes\s*[.,;:!]"), re.compile(r"^no\s*[.,;:!—–-]")),
    )
)
