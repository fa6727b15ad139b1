"""The task queue's own table (django_tasks_db's "Task Results") stays out of the admin.

Users follow their work on the job pages ("Việc của tôi", jobs/views.py), which say in
Vietnamese what a job is, how far it got and why it failed; the queue's rows (a task's module
path, its arguments, a Python traceback) are the worker's business and were the one English page
of the admin. The worker and `sweep_jobs` keep both tables in step.
"""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

# django_tasks_db registers its admin before this module is imported (INSTALLED_APPS order).
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)
