"""Messages people read (R13.1, R13.2): every new notice gets its words before it is stored.

The rule core decides and gives reasons, without words; here a notice's type, its statement of
reasons, the partner's language (``Standing.locale``, from the partners record) and the city's
policy become ``message: {"locale", "subject", "body"}`` for the partner, or, for an ops-facing
notice, ``ops_message`` of the same shape in the policy's ``ops_locale`` (and no ``message``: it
cannot be mistaken for one the partner may be sent). The unit of work calls ``compose`` for every
notice it saves, so a notice is stored, shown and published with its message.

The texts are gettext catalogs (``catalog.py``, ``locales/``); numbers and dates are Babel's
(``people.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ...domain.policy import CityPolicy
from ...domain.standing import Standing
from ...rules import Notice
from ...rules.judgement import OPS
from .catalog import MissingText, Words
from .letter import Facts
from .ops_notices import ops_message
from .partner_decisions import closed, excluded, news, reinstated, review_answered, suspended
from .partner_warnings import cancellation_warning, no_show_warning, rating_warning

PARTNER_MESSAGES: dict[str, Callable[[Words, Facts], dict[str, str]]] = {
    "RATING_WARNING": rating_warning,
    "CANCELLATION_WARNING": cancellation_warning,
    "NO_SHOW_WARNING": no_show_warning,
    "SUSPENDED": suspended,
    "EXCLUDED": excluded,
    "CLOSED": closed,
    "REINSTATED": reinstated,
    "REVIEW_ANSWERED": review_answered,
}

__all__ = ["PARTNER_MESSAGES", "MissingText", "compose"]
log = logging.getLogger(__name__)


def compose(notice: Notice, standing: Standing, policy: CityPolicy, strict: bool = False) -> Notice:
    """Give ``notice`` its words (in place; returned for convenience). ``strict``: a text missing
    from a catalog raises ``MissingText`` (the tests), instead of falling back to English."""
    facts = Facts.of(notice, standing, policy)
    if notice.audience == OPS:
        notice.message, notice.ops_message = None, ops_message(Words(policy.ops_locale, strict=strict), facts)
    else:
        write = PARTNER_MESSAGES.get(notice.type)
        if write is None:  # a type added to the rules without words (or for ops: rules.judgement.OPS_FACING)
            log.warning("a notice type has no words of its own", extra={"type": notice.type})
            write = news
        notice.message, notice.ops_message = write(Words(standing.locale, strict=strict), facts), None
    return notice
