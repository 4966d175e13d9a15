"""coursebot: a Telegram micro-course for clinicians on the healthcare response to human trafficking."""

__version__ = "0.1.0"
