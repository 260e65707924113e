"""The native driver: assembles the offline runtime, serves web_demo/, drives runtimes, compares.

Nothing here is loaded into Pyodide; the code that runs everywhere is python_core.
"""

from .checking import Report, check
from .lessons.checking import LessonsReport, check_lessons

__all__ = ["LessonsReport", "Report", "check", "check_lessons"]
