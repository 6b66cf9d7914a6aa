"""Pure rules and records shared by the client and the reference server. No Qt, no I/O."""
