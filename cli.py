"""Run malpl from a checkout without installing it: ``python cli.py check``."""

from malpl.cli import main

if __name__ == "__main__":
    main()
