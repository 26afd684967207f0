"""Command-line tools: sync, outbox, requeue, issue-link (the `db` group lives in db.py)."""

import datetime
import signal
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select, update

from . import db
from .models import DEAD, OUTBOX_STATES, PENDING, OutboxItem, Rating, utcnow
from .sync import OdooClient, OdooLoginError, Policy, drain
from .tokens import issue_token


@click.command("sync")
@with_appcontext
@click.option("--loop", is_flag=True, help="Keep going: sync, wait, sync again, until stopped.")
@click.option("--batch-size", type=click.IntRange(1, 10000), help="Ratings per call (FEEDBACK_SYNC_BATCH_SIZE).")
@click.option("--interval", type=click.FloatRange(0.01), help="Seconds between rounds with --loop.")
@click.option("--max-rounds", type=click.IntRange(1), hidden=True, help="Stop after this many rounds (tests).")
def sync_command(loop, batch_size, interval, max_rounds):
    """Send recorded ratings to Odoo (once, or with --loop until stopped)."""
    config = current_app.config
    policy = Policy.from_config(config)
    if batch_size:
        policy.batch_size = batch_size
    interval = interval or config["FEEDBACK_SYNC_INTERVAL"]
    try:
        client = OdooClient.from_config(config)
    except OdooLoginError as exc:
        raise click.ClickException(str(exc)) from None
    stop = threading.Event()
    if loop and threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    rounds = 0
    while True:
        rounds += 1
        session = db.session()
        try:
            report = drain(session, client, policy)
        except OdooLoginError as exc:
            raise click.ClickException(str(exc) + "; sync stopped.") from None
        finally:
            session.close()  # hold no connection or transaction between rounds
        click.echo(time.strftime("%Y-%m-%d %H:%M:%S ") + str(report))
        if not loop:
            if report.error:
                raise click.exceptions.Exit(1)
            return
        if stop.wait(interval) or (max_rounds and rounds >= max_rounds):
            return


@click.command("outbox")
@with_appcontext
@click.option("--state", type=click.Choice(OUTBOX_STATES + ("all",)), default=None,
              help="Rows to list (default: pending and dead).")
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@click.option("--check", is_flag=True,
              help="List nothing; exit 1 when a rating has waited for Odoo longer than "
                   "FEEDBACK_SYNC_STALE_AFTER seconds (the sync worker's healthcheck).")
def outbox_command(state, limit, check):
    """Show how many ratings wait, went out, or failed, and list the rows."""
    session = db.session()
    counts = dict(session.execute(select(OutboxItem.state, func.count()).group_by(OutboxItem.state)).all())
    click.echo("  ".join("%s: %d" % (name, counts.get(name, 0)) for name in OUTBOX_STATES))
    if check:
        _check_waiting(session, datetime.timedelta(seconds=current_app.config["FEEDBACK_SYNC_STALE_AFTER"]))
        return
    states = OUTBOX_STATES if state == "all" else (state,) if state else (PENDING, DEAD)
    rows = session.execute(
        select(OutboxItem, Rating.request_ref)
        .join(Rating)
        .where(OutboxItem.state.in_(states))
        .order_by(OutboxItem.id)
        .limit(limit)
    ).all()
    for item, ref in rows:
        click.echo(
            "#%d %s %s attempts=%d next=%s%s"
            % (item.id, ref, item.state, item.attempts, item.next_attempt_at.isoformat(" "),
               " error=%s" % item.last_error if item.last_error else "")
        )


def _check_waiting(session, stale_after):
    """Fail when ratings wait longer than `stale_after`: Odoo has been down, or has failed
    them, for that long (dead rows are not counted: they wait for a person, see requeue)."""
    cutoff = utcnow() - stale_after
    # the oldest waiting row and how many wait, in one statement (one snapshot)
    oldest = session.execute(
        select(OutboxItem.created_at, OutboxItem.last_error, func.count().over())
        .where(OutboxItem.state == PENDING, OutboxItem.created_at < cutoff)
        .order_by(OutboxItem.created_at, OutboxItem.id)
        .limit(1)
    ).first()
    if oldest is None:
        click.echo("no rating has waited for Odoo longer than %s" % stale_after)
        return
    since, last_error, waiting = oldest
    raise click.ClickException(
        "%d rating(s) have waited for Odoo longer than %s, the oldest since %s UTC; its last error: %s"
        % (waiting, stale_after, since.isoformat(" "),
           last_error or "none, the sync has not tried it yet (is the sync worker running?)")
    )


@click.command("requeue")
@with_appcontext
@click.option("--id", "ids", type=int, multiple=True, help="Only these outbox rows (default: every dead row).")
def requeue_command(ids):
    """Give dead rows a fresh set of attempts.

    Their wait starts again too: the health check (`outbox --check`) must not count the
    days a row lay dead, waiting for a person, as time spent waiting for Odoo."""
    session = db.session()
    query = update(OutboxItem).where(OutboxItem.state == DEAD, OutboxItem.token.is_not(None))
    if ids:
        query = query.where(OutboxItem.id.in_(ids))
    now = utcnow()
    with db.writing(session.get_bind()):
        result = session.execute(query.values(state=PENDING, attempts=0, next_attempt_at=now, created_at=now))
        session.commit()
    click.echo("%d dead row(s) put back in the queue; run: flask --app feedback sync" % result.rowcount)


@click.command("issue-link")
@with_appcontext
@click.option("--ref", required=True, help="The request reference, e.g. REQ/2026/00001.")
@click.option("--days", type=click.IntRange(1, 3650), default=None, help="Validity (FEEDBACK_LINK_DAYS, 30).")
def issue_link_command(ref, days):
    """Print a rating link for a request, for reprints and support."""
    config = current_app.config
    try:
        token = issue_token(config["FEEDBACK_SECRET"], ref, days or config["FEEDBACK_LINK_DAYS"])
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--ref") from None
    click.echo("%s/r/%s" % (config["FEEDBACK_PUBLIC_URL"], token))


def init_app(app):
    for command in (sync_command, outbox_command, requeue_command, issue_link_command):
        app.cli.add_command(command)
