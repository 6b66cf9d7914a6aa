"""The team lead's dashboard: queue tiles, drill-down, charts, agents table and wallboard."""
