"""The course content: its schema, and loading it from YAML with errors that point at file and line."""

from bot.content.loader import load_course
from bot.content.model import Card, Course, Lesson, Module, Objective, Option, Question, Source

__all__ = ["Card", "Course", "Lesson", "Module", "Objective", "Option", "Question", "Source", "load_course"]
