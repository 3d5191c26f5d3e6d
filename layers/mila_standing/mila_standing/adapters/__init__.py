"""The adapters: the only code that talks to the outside world (boto3), behind the use cases' ports.

``table`` is the standing table's item format (every key, every item), shared by the two
implementations of the storage port: ``dynamodb`` (the table on DynamoDB) and ``memory`` (the same
items in a Python dict, for tests and quick replays). ``notices`` publishes to EventBridge and
follows logins in Cognito; ``source_tables`` writes to the platform's jobs table (the secret scrub)
and the failure queue. Adapters import the use cases' ports, the rules' value types and the domain,
never the Lambda platform.
"""
