"""The standing table's items: every key format (``keys``), how a standing and its records become
items and back (``items``), what a save writes (``writes``), and the items of the first schema
(``legacy``). Pure: no boto3 here, so the DynamoDB and the in-memory store write the same items.
"""
