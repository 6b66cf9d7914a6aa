"""The reference REST backend: the embedded demo default and the sync contract (DESIGN.md §3).

Imports `agent_desktop.domain` only. Entry points: `app.create_app`, `embedded.EmbeddedServer`,
`python -m agent_desktop.server --demo`.
"""
