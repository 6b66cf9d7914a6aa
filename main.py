"""Agent Desktop launcher: `python main.py --help`."""

from agent_desktop.app import main

if __name__ == "__main__":
    raise SystemExit(main())
