"""A partner's profile in their standing (R8.2, R14.8): city, verification, login name, language (R13.1)."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.models import Partner
from ..domain.standing import Standing
from ..rules import Notice, evaluate
from .changes import AChange, Judge


@dataclass
class ProfileChange(AChange):
    """The partners record arrived: the standing takes its city, verification, login name and
    language (R13.1)."""

    partner: Partner

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        partner = self.partner
        before = (
            standing.city,
            standing.verified,
            standing.profile_known,
            standing.user_pool_username,
            standing.fingerprints,
            standing.locale,
        )
        standing.city = partner.city
        standing.verified = partner.verified
        standing.profile_known, standing.profile_removed = True, False
        standing.user_pool_username = partner.user_pool_username
        standing.fingerprints = partner.fingerprints()
        standing.locale = partner.locale  # R13.1: the language of the partner's messages
        if before == (
            standing.city,
            standing.verified,
            standing.profile_known,
            standing.user_pool_username,
            standing.fingerprints,
            standing.locale,
        ):
            return []
        # Eligibility or the city may have changed (R9 follows when read); warnings wait for a
        # window change or the nightly check (R14.2).
        return evaluate(standing, judge(standing), ratings=False, cancellations=False)


@dataclass
class ForgetProfile(AChange):
    """The partner has no valid partners record any more (deleted, or its latest image is
    invalid): default policy, no home city, not dispatch-eligible (R14.8)."""

    def apply(self, standing: Standing, judge: Judge) -> list[Notice]:
        if standing.profile_removed:
            return []
        standing.profile_known, standing.profile_removed = False, True
        standing.city = None
        standing.verified = False
        standing.fingerprints = {}  # a deleted account holds no identity any more (R8.1)
        return evaluate(standing, judge(standing), ratings=False, cancellations=False)
