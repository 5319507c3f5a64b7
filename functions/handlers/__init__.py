"""Lambda entry points: one small module per function. They wire Powertools and call services."""
