"""The test suite as a regular package: a wheel that ships a top-level ``tests`` package (spylls 0.1.7 does)
would otherwise shadow this directory and break every ``from tests.… import``."""
