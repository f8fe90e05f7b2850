"""`python -m evidence.cli`: the same as the `evidence` command."""

import sys

from evidence.cli import main

if __name__ == "__main__":  # nothing happens at import, even of this module
    sys.exit(main())
