"""A course author's own lesson files (``--python FILE``, ``--js FILE``) in place of the built-in layers."""

from .lesson import Lesson, LessonError

__all__ = ["Lesson", "LessonError"]
