"""`python -m api.cli`, as the `ocrq` script."""
import sys

from api.cli.commands import main

sys.exit(main())
