"""The `evidence` command: parses arguments and calls library functions, nothing more.

Expected failures (EvidenceError) print one line ``error: ...`` and exit non-zero
(2 for configuration, 3 when another refresh holds the lock, 1 otherwise).

    main       the parser (every subcommand, its help and example) and the error handling
    commands   one function a subcommand
    common     settings, registry, cache, judge, printing and writing
"""

from evidence.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
