"""Operator tools: the `coursebot` command line and the operator commands behind it."""
