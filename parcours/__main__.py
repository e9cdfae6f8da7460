"""``python -m parcours`` runs the CLI."""

from parcours.cli import main

main()
