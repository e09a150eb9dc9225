"""Running queued jobs in a test the way a worker would, inside the test's savepoint."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import text

import saas.jobs
from saas.db import get_databases

TAKE = text(
    "UPDATE procrastinate_jobs SET status = 'doing' "
    "WHERE task_name = :task AND status = 'todo' RETURNING id, args"
)
DONE = text("UPDATE procrastinate_jobs SET status = 'succeeded' WHERE id = :id")


def run_queued_reset_mail(app: Flask) -> int:
    """Send every password-reset email waiting in the queue; how many jobs ran."""
    task = saas.jobs.send_password_reset
    with app.app_context(), get_databases().platform_session() as session:
        jobs = session.execute(TAKE, {"task": task.name}).all()
        session.commit()
    original = saas.jobs.flask_app
    saas.jobs.flask_app = lambda: app
    try:
        for job_id, args in jobs:
            task(**args)
            with app.app_context(), get_databases().platform_session() as session:
                session.execute(DONE, {"id": job_id})
                session.commit()
    finally:
        saas.jobs.flask_app = original
    return len(jobs)
