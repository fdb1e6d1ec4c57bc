"""Exercises, quizzes, attempts."""
