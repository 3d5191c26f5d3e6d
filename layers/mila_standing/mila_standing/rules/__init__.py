"""The rule core (docs/rules.md R1-R14): plain data in, decisions out, the clock passed in.

Each function mutates the ``Standing`` it is given (the domain model, ``..domain``) and returns
the notices it decided. No AWS, no I/O, no other layer but the domain: the use cases load a
standing, call one of these, and save. One module per rule family:

    windows       R1, R3 (and R6.1 strikes)    warnings      R2.2, R2.3, R5.2 (R14.2)
    city          R4                           suspensions   R2.4, R5.3 (R14.4)
    no_shows      R6                           restrictions  R7, R12.3, R12.4 (R14.5, R14.10)
    dispatch      R9                           judgement     notices, statements of reasons (R12.1)
    reviews       a partner's review rights (PWD-11)   commission    R10 (cents, half up)
"""

from . import reviews
from .city import city_figures, combine_city_figures, qualifying_rate
from .commission import commission, half_up
from .dispatch import dispatch_eligible, dispatch_score
from .judgement import CityFigures, Judgement, Notice, city_maximum, new_notice, record_decision, statement
from .no_shows import NO_SHOW_WARNING, no_show_ladder
from .restrictions import (
    CONDUCT_CATEGORIES,
    DECISION_PENDING,
    FRAUD_CATEGORIES,
    REINSTATED,
    SEVERITY,
    STATUS_OF_ACTION,
    OpsRefusal,
    change_status,
    decide,
    reinstate,
    report_incident,
    restrict,
)
from .suspensions import night_windows, nightly
from .warnings import (
    CANCELLATION_WARNING,
    RATING_WARNING,
    above_city_average,
    evaluate,
    in_rating_band,
    warning_due,
)
from .windows import (
    CancellationFigures,
    RatingFigures,
    active_strikes,
    apply_outcome,
    apply_rating,
    cancellation_figures,
    keep_strikes,
    outcome_entry,
    rating_figures,
    strike_dates,
)

__all__ = [
    "CANCELLATION_WARNING",
    "CONDUCT_CATEGORIES",
    "DECISION_PENDING",
    "FRAUD_CATEGORIES",
    "NO_SHOW_WARNING",
    "RATING_WARNING",
    "REINSTATED",
    "SEVERITY",
    "STATUS_OF_ACTION",
    "CancellationFigures",
    "CityFigures",
    "Judgement",
    "Notice",
    "OpsRefusal",
    "RatingFigures",
    "above_city_average",
    "active_strikes",
    "apply_outcome",
    "apply_rating",
    "cancellation_figures",
    "change_status",
    "city_figures",
    "city_maximum",
    "combine_city_figures",
    "commission",
    "decide",
    "dispatch_eligible",
    "dispatch_score",
    "evaluate",
    "half_up",
    "in_rating_band",
    "keep_strikes",
    "new_notice",
    "night_windows",
    "nightly",
    "no_show_ladder",
    "outcome_entry",
    "qualifying_rate",
    "rating_figures",
    "record_decision",
    "reinstate",
    "report_incident",
    "restrict",
    "reviews",
    "statement",
    "strike_dates",
    "warning_due",
]
