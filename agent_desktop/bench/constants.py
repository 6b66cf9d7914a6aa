"""Names shared by the benchmark's parent and its child processes (kept import-light: the
start-up child must pay for exactly the app's imports, not the data generator's)."""

BENCH_SERVER_KEY = "bench-server"
BENCH_USER = "agent1"
