"""Helpers every app may use; imports no portal app."""
