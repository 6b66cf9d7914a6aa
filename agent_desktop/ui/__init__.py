"""Qt widgets, models and dialogs. Reads through services; never touches SQLite or HTTP."""
