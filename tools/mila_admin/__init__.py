"""The production tools: what an operator runs against the deployed stack and its data.

``redrive`` (the failure queue back to the functions), ``migrate`` (the standing table into the
current schema), ``import`` (a history from the platform's DynamoDB exports; export.py owns that
format, read and written) and, with go-live, ``backfill``; the ``mila-standing`` command line
(cli.py) for them and for the emulator's commands; Lambda's event filtering (filters.py), which
redrive applies as the mappings do; the scenario format (scenario.py) that ``import`` writes and
the replay reads.

Nothing here imports the emulator (``mila_replay``) or moto: installed without the ``replay``
extra, these commands run; tests/unit/test_production_imports.py and test_import_cycles.py hold
that. The emulator may import this package, never the other way round.
"""
