"""The demo scenario (infra/scenarios/demo.jsonl) and what it must show, in four parts:

    story      who the story partners are and what happens to them: the data of the story
    builder    the scenario lines from the story (with ``plans``: each partner's month before
               dispatch), and the fixed point of dispatch and standing
    reference  the project's own rules run on the lines in memory (what the builder and report see)
    report     each story partner's expectations, checked against what the rules decided

``world`` holds the rest of the little world (names, services, appointment slots, comments) and
``lines`` the scenario format's helpers. ``generate_demo.py`` next to this package is the entry point.
"""
