"""`python -m agent_desktop.bench`: the performance budgets of DESIGN.md §6, measured (docs/performance.md)."""
