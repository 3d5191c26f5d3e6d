"""The emulator: the real handlers replayed on a local AWS (DynamoDB Local, or moto, for the
tables and streams; moto for SQS, EventBridge and Cognito), with the stream mappings, the Lambda
runtime and the nightly state machine played as AWS plays them (CONTRACT §4), and the tools built
on it: ``replay``, ``whatif``, ``generate``, ``export``. Needs moto (the ``replay`` extra); may use
the production tools (``mila_admin``), never the other way round.
"""
