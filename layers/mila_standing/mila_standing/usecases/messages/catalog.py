"""The message catalogs: gettext ``.po`` files a translator edits without touching code (R13.1).

English is the source language: the texts in the code are the English messages (gettext's
msgids, which ``pybabel extract`` finds); every other language has its catalog
``locales/<lang>/LC_MESSAGES/<domain>.po``. A catalog is compiled in memory when a language is
first needed (Babel reads the ``.po`` and writes the ``.mo`` into a buffer), so the ``.po`` in the
repository is the only copy and a compiled file can never be out of date.

``Words(lang, strict=True)`` refuses a text its catalog does not translate (the tests render every
notice that way); a deployed function falls back to the English text instead of failing a notice,
and logs which text is missing.
"""

from __future__ import annotations

import gettext
import io
import logging
from functools import cache
from pathlib import Path
from typing import Any

from ...domain.languages import LANGUAGES

SOURCE_LANGUAGE = "en"  # the language of the code's texts (the msgids)
MESSAGES, TRANSPARENCY = "messages", "transparency"  # the catalogs' domains: notices, the Art. 9 page
LOCALES = Path(__file__).parent / "locales"
log = logging.getLogger(__name__)


class MissingText(LookupError):
    """A text the language's catalog does not translate (or only as a fuzzy guess)."""


def catalog_path(lang: str, domain: str = MESSAGES, locales: Path = LOCALES) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{domain}.po"


class _Untranslated(gettext.NullTranslations):
    """The catalog's fallback (gettext's ``add_fallback``): asked only for a text the catalog lacks."""

    def gettext(self, message: str) -> str:
        raise MissingText(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        raise MissingText(singular)


@cache
def _translations(lang: str, domain: str, locales: Path) -> Any:
    """The language's catalog compiled in memory (None for the source language)."""
    if lang == SOURCE_LANGUAGE:
        return None
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with catalog_path(lang, domain, locales).open("rb") as po:
        catalog = read_po(po, locale=lang, domain=domain)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)  # a fuzzy entry is a guess, not a translation
    compiled.seek(0)
    translations = Translations(compiled, domain=domain)
    translations.add_fallback(_Untranslated())
    return translations


class Words:
    """The texts of one language: ``_`` and ``ngettext`` as gettext's, with named values.

    The two method names are the keywords ``pybabel extract`` looks for, so every text the code
    passes to them is in the catalog template (``messages.pot``)."""

    def __init__(self, lang: str, domain: str = MESSAGES, strict: bool = False, locales: Path = LOCALES):
        if lang not in LANGUAGES:
            raise ValueError(f"no catalog for language {lang!r}; languages: {', '.join(LANGUAGES)}")
        self.lang, self.domain, self.strict = lang, domain, strict
        self._catalog = _translations(lang, domain, locales)

    def _(self, text: str, **values: Any) -> str:
        if self._catalog is None:
            return _fill(text, values)
        try:
            return _fill(self._catalog.gettext(text), values)
        except MissingText:
            return _fill(self._missing(text), values)

    def ngettext(self, singular: str, plural: str, n: int, **values: Any) -> str:
        values = {"n": n, **values}
        if self._catalog is None:
            return _fill(singular if n == 1 else plural, values)
        try:
            return _fill(self._catalog.ngettext(singular, plural, n), values)
        except MissingText:
            return _fill(self._missing(singular) if n == 1 else plural, values)

    def _missing(self, text: str) -> str:
        if self.strict:
            raise MissingText(f"{catalog_path(self.lang, self.domain).name} of {self.lang!r} lacks {text!r}")
        log.warning("a text is not translated", extra={"lang": self.lang, "text": text[:80]})
        return text


def _fill(text: str, values: dict[str, Any]) -> str:
    return text % values if values else text
