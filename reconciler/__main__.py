"""`python -m reconciler`: the same entry point as the `billing` console script."""

from reconciler.cli import run

if __name__ == "__main__":
    run()
