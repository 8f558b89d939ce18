"""The source checker: safe fetching, extraction, comparison, archiving, scheduling.

Every network request goes through ``fetch.py``. ``jobs.py`` owns the job rows
(the database is the queue); ``claims/tasks.py`` only wraps these functions.
"""
