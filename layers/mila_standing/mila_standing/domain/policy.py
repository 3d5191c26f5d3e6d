"""The policy file (CONTRACT §3): defaults per SPEC, city overrides deep-merged, validated at load.

Thresholds are kept as exact fractions built from the file's decimal literals (R14.7): a
YAML ``4.4`` becomes ``Fraction(22, 5)``, never the binary float 4.4000000000000003.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .languages import ops_language

DEFAULT_POLICY: dict[str, Any] = {
    "version": 1,
    "defaults": {
        "decision_mode": "automatic",
        "notice_cooldown_days": 7,
        "commission_rate": Decimal("0.20"),
        "rating": {
            "window": 50,
            "min_ratings": 10,
            "minimum": Decimal("4.3"),
            "warning_margin": Decimal("0.2"),
            "notices_before_suspension": 3,
        },
        "cancellation": {
            "window": 50,
            "min_jobs": 10,
            "min_city_partners": 5,
            "default_city_average": Decimal("0.03"),
            "maximum_factor": Decimal("1.5"),
            "maximum_floor": Decimal("0.05"),
            "notices_before_suspension": 3,
        },
        "no_show": {"strikes_before_exclusion": 2, "strike_window_days": 365},
        "ops_locale": "de",  # the language of ops-facing messages (R13.2)
    },
    "cities": {},
}

CITY_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class PolicyError(ValueError):
    """An invalid policy: the message names the field."""


def _exact(value: Any) -> Fraction:
    # R14.7: go through the literal's decimal text, never through binary float arithmetic.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        raise ValueError("must be a number (not text)")
    if isinstance(value, Fraction):
        return value
    try:
        return Fraction(Decimal(str(value)))
    except (InvalidOperation, ValueError, OverflowError) as exc:
        raise ValueError("must be a finite number") from exc


def _strict_int(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError("must be a whole number")
    return value


Exact = Annotated[Fraction, BeforeValidator(_exact)]
WholeNumber = Annotated[int, BeforeValidator(_strict_int)]
OpsLanguage = Annotated[str, BeforeValidator(ops_language)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class RatingPolicy(_Strict):
    window: WholeNumber = Field(ge=1)
    min_ratings: WholeNumber = Field(ge=1)
    minimum: Exact = Field(ge=1, le=5)
    warning_margin: Exact = Field(ge=0)
    notices_before_suspension: WholeNumber = Field(ge=1)


class CancellationPolicy(_Strict):
    window: WholeNumber = Field(ge=1)
    min_jobs: WholeNumber = Field(ge=1)
    min_city_partners: WholeNumber = Field(ge=1)
    default_city_average: Exact = Field(ge=0, le=1)
    maximum_factor: Exact = Field(ge=1)
    maximum_floor: Exact = Field(ge=0, le=1)
    notices_before_suspension: WholeNumber = Field(ge=1)


class NoShowPolicy(_Strict):
    strikes_before_exclusion: WholeNumber = Field(ge=1)
    strike_window_days: WholeNumber = Field(ge=1)


class CityPolicy(_Strict):
    """Everything that applies to one city, after the deep merge."""

    decision_mode: Literal["automatic", "human_review"]
    notice_cooldown_days: WholeNumber = Field(ge=0)
    commission_rate: Exact = Field(ge=0, le=1)
    rating: RatingPolicy
    cancellation: CancellationPolicy
    no_show: NoShowPolicy
    ops_locale: OpsLanguage  # the language of ops-facing messages (R13.2)
    version: str = "1"

    @property
    def rating_band_key(self) -> str:
        """The thresholds that decide whether a rating window is in the band (R2.1): a standing
        remembers under which ones it last was (in or out), so the nightly check need not read
        the window of a partner out of the band with no streak."""
        r = self.rating
        return f"{r.window}/{r.min_ratings}/{r.minimum}/{r.warning_margin}"


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def describe(error: ValidationError, prefix: str = "") -> str:
    """A validation error as people read it: each field's path and what is wrong with it."""
    reasons = []
    for item in error.errors():
        field = ".".join(str(p) for p in item["loc"]) or "record"
        message = "is required" if item["type"] == "missing" else item["msg"].removeprefix("Value error, ")
        reasons.append(f"{prefix}{field}: {message}")
    return "; ".join(reasons)


def _sections(raw: Any) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The file's version, defaults and cities, each of the right kind, or a PolicyError naming it."""
    if not isinstance(raw, dict):
        raise PolicyError("policy: the file must be a mapping with 'version', 'defaults', 'cities'")
    unknown = set(raw) - {"version", "defaults", "cities"}
    if unknown:
        raise PolicyError(f"policy: unknown field {sorted(unknown)[0]!r}")
    version = raw.get("version")
    if version is None or isinstance(version, bool) or not isinstance(version, int | str):
        raise PolicyError("version: required, a whole number or a string")
    defaults = raw.get("defaults") or {}
    cities = raw.get("cities") or {}
    if not isinstance(defaults, dict):
        raise PolicyError("defaults: must be a mapping")
    if not isinstance(cities, dict):
        raise PolicyError("cities: must be a mapping of city slug to overrides")
    for where, section in [("defaults", defaults), *((f"cities.{c}", o) for c, o in cities.items())]:
        if isinstance(section, dict) and "version" in section:
            raise PolicyError(f"{where}.version: unknown field (the version is set once, at the top)")
    return str(version), defaults, cities


class Policy:
    """The whole policy file, each city's merged policy validated up front."""

    def __init__(self, raw: dict[str, Any]):
        self.raw = raw  # as written (file and overlay merged), for handing on unchanged
        self.version, defaults, cities = _sections(raw)
        self._defaults_raw = deep_merge(DEFAULT_POLICY["defaults"], defaults)
        self.defaults = self._validate(self._defaults_raw, "defaults.")
        self._cities: dict[str, CityPolicy] = {}
        for city, override in cities.items():
            if not isinstance(city, str) or not CITY_SLUG.match(city):
                raise PolicyError(f"cities.{city}: a city must be a lower-case slug")
            if not isinstance(override, dict):
                raise PolicyError(f"cities.{city}: must be a mapping of overrides")
            self._cities[city] = self._validate(deep_merge(self._defaults_raw, override), f"cities.{city}.")

    def _validate(self, raw: dict[str, Any], prefix: str) -> CityPolicy:
        try:
            return CityPolicy.model_validate({**raw, "version": self.version})
        except ValidationError as exc:
            raise PolicyError(describe(exc, prefix)) from None

    def for_city(self, city: str | None) -> CityPolicy:
        """R14.8: a partner without a known city is judged under the default policy."""
        if city is None:
            return self.defaults
        return self._cities.get(city, self.defaults)

    @property
    def cities(self) -> list[str]:
        return sorted(self._cities)

    @classmethod
    def from_mapping(cls, raw: Any) -> Policy:
        return cls(raw)

    @classmethod
    def load(cls, path: str | Path, overlay: dict[str, Any] | None = None) -> Policy:
        """The file, with an overlay (a scenario's policy line) deep-merged over it. Errors in the
        file name the file; errors from the overlay are left for the caller to place."""
        try:
            raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise PolicyError(f"policy file {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise PolicyError(f"policy file {path}: not valid YAML ({exc})") from None
        try:
            policy = cls(raw)
        except PolicyError as exc:
            raise PolicyError(f"policy file {path}: {exc}") from None
        return cls(deep_merge(raw, overlay)) if overlay else policy
