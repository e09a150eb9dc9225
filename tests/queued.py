"""Running queued jobs in a test the way a worker would, inside the test's savepoint."""

from __future__ import annotations

from flask import Flask
from procrastinate.jobs import Job
from procrastinate.tasks import Task
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


TAKE_DUE = text(
    "UPDATE procrastinate_jobs SET status = 'doing' "
    "WHERE task_name = :task AND status = 'todo' "
    "RETURNING id, status, task_name, priority, lock, queueing_lock, args, scheduled_at, "
    "queue_name, attempts"
)
FINISH = text("SELECT procrastinate_finish_job_v1(:id, :status, false)")
RETRY = text("SELECT procrastinate_retry_job_v2(:id, :retry_at, :priority, :queue, :lock)")
STATUS = text("SELECT status, attempts FROM procrastinate_jobs WHERE id = :id")


def run_queued(app: Flask, task: Task) -> list[tuple[str, int]]:
    """Run every job of ``task`` waiting in the queue (as if its retry time had come) the way a
    worker does: a job that raises is retried as the task's retry strategy decides, or fails.
    Each job's status and attempts afterwards, in the order they ran."""
    with app.app_context(), get_databases().platform_session() as session:
        rows = session.execute(TAKE_DUE, {"task": task.name}).mappings().all()
        session.commit()
    original = saas.jobs.flask_app
    saas.jobs.flask_app = lambda: app
    try:
        return [_run(app, task, Job.from_row(dict(row))) for row in rows]
    finally:
        saas.jobs.flask_app = original


def _run(app: Flask, task: Task, job: Job) -> tuple[str, int]:
    try:
        task(**job.task_kwargs)
    except Exception as exc:
        retry = task.get_retry_exception(exception=exc, job=job)
        if retry is None:
            statement, params = FINISH, {"id": job.id, "status": "failed"}
        else:
            decision = retry.retry_decision
            statement, params = (
                RETRY,
                {
                    "id": job.id,
                    "retry_at": decision.retry_at,
                    "priority": decision.priority,
                    "queue": decision.queue,
                    "lock": decision.lock,
                },
            )
    else:
        statement, params = FINISH, {"id": job.id, "status": "succeeded"}
    with app.app_context(), get_databases().platform_session() as session:
        session.execute(statement, params)
        status, attempts = session.execute(STATUS, {"id": job.id}).one()
        session.commit()
    return status, attempts
