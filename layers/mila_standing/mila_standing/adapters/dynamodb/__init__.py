"""The standing table on DynamoDB: the storage port over boto3 (``store``), the window reads
(``windows``) and the one DynamoDB-JSON codec (``codec``)."""
