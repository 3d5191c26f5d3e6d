"""The Lambda platform: what makes the use cases a set of Lambda functions.

Settings read once at a cold start (``settings``), the composition root that builds the adapters
and hands them to the use cases (``runtime``), the clock (``clock``), Powertools' logger and
metrics (``observability``), the one place that tells a transient failure from bad input
(``failures``), the stream batch with its partial failures (``streams``), and who called an ops
function (``caller``). The top layer: it may import every other, and none imports it.
"""
