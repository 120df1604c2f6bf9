"""`python -m golden <subcommand>`: see golden/cli.py."""
import sys

from golden.cli import main

sys.exit(main())
