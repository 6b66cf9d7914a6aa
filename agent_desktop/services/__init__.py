"""The application: sync, inbox, conversations, search, sign-in. No Qt widgets here."""
