"""The use cases: what a stream record, a night or an ops call does to the partners' standings.

Each use case reads through the storage port (``ports.StandingStore``), asks the rule core
(``..rules``) and saves through the port again, in one unit of work per partner
(``unit_of_work``: apply the changes, judge, save conditionally on what was read, and on a
conflict read again and decide again). Use cases know the domain and the rules, never boto3, a
table's keys or the Lambda runtime; the adapters implement the ports and the Lambda platform
wires them together (``..platform.runtime``).
"""
