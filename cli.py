"""Run malpl from a checkout without installing it: ``python cli.py check``."""

from malpl import main

if __name__ == "__main__":
    main()
