"""The languages partners and ops read their messages in (R13.1, R13.2; CONTRACT §1, §3).

``de`` is the default: Mila's partners are German-speaking (the code of conduct is German). The
message catalogs (usecases/messages) hold exactly these; tests/unit/test_messages.py keeps the two
in step, so adding a language is a catalog plus its code here (README: "Adding a language").
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("de", "en")
DEFAULT_LANGUAGE = "de"


def partner_language(value: Any) -> str:
    """CONTRACT §1: ``locale`` is ``de`` or ``en``; anything else, or none, is ``de``."""
    return value if isinstance(value, str) and value in LANGUAGES else DEFAULT_LANGUAGE


def ops_language(value: Any) -> str:
    """CONTRACT §3: the policy's ``ops_locale`` must name a language of the catalogs."""
    if value not in LANGUAGES:
        raise ValueError(f"must be one of {', '.join(LANGUAGES)}, got {value!r}")
    return str(value)
