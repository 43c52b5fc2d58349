"""Trains in script mode (a test fixture)."""

from model.forest import fit

if __name__ == "__main__":
    fit()
