"""The domain model: what the rules are about, in SPEC's words, with no behaviour of storage or AWS.

A partner's ``Standing`` (status, windows, streaks, strikes, pending decision) and its window
entries (``standing``); the platform's source items as SPEC R14.13 validates them (``models``);
the policy file with its exact thresholds (``policy``, R14.7); the one time format (``times``)
and exact figures (``numbers``). Nothing here imports another layer of the package: every other
layer may import this one.
"""
