"""``python -m driftlab`` is the ``driftlab`` command."""

from .cli import main

main()
