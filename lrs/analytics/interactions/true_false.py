"""``true-false``: how many answered true and false, the key marked."""

from __future__ import annotations

from lrs.analytics.interactions.choice import Choice


class TrueFalse(Choice):
    type = "true-false"

    def options(self, definition: dict, lang: str) -> list[tuple[str, str]]:
        from lrs.analytics.i18n import translator

        words = translator(lang)
        return [("true", words("True")), ("false", words("False"))]


INTERACTION = TrueFalse()
