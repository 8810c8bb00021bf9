"""Fuzzing harness for issue 12 ("a message that breaks inspection must never pass").

Every generated message carries a canary, a check-digit-valid My Number, and goes from an
internal sender to an external recipient, so the default policy must hold it. The harness
builds the hostile structures of the issue (cases.py) and seeded mutations of the corpus
attachments (mutations.py), runs each through the relay's inspection pipeline or through
`misdelivery-guard check` in a subprocess with a wall-time and an address-space limit
(runner.py), and reports any message that passed, timed out, crashed or raised.

    python -m tests.fuzz --help
"""
