"""``python -m lstm_sentiment`` runs the CLI."""

from lstm_sentiment.cli import main

raise SystemExit(main())
