"""What the service stores: one rating per request reference, and its outbox row.

No personal data: the request reference identifies the request in Odoo, not
the person; the only free text is the comment the beneficiary chose to write.
The full token is kept in the outbox row only until Odoo has accepted it.
"""

import datetime
import time

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

QUESTIONS = ("respect", "time", "clarity", "promptness", "overall")
COMMENT_MAX = 1000
PENDING, SENT, DEAD = "pending", "sent", "dead"
OUTBOX_STATES = (PENDING, SENT, DEAD)


def utc_at(moment):
    """`moment` (seconds since the epoch) in UTC to the second below, without tzinfo: SQLite keeps
    no zone, so every stored time is naive UTC."""
    return datetime.datetime.fromtimestamp(int(moment), datetime.timezone.utc).replace(tzinfo=None)


def utcnow():
    """Now, as utc_at gives it."""
    return utc_at(time.time())


class Base(DeclarativeBase):
    metadata = MetaData(
        naming_convention={
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        }
    )


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="ck_rating_rating_range"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_ref: Mapped[str] = mapped_column(String(32), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    rating: Mapped[int] = mapped_column(Integer)
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(String(COMMENT_MAX), default="")
    submitted_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)

    outbox: Mapped["OutboxItem"] = relationship(back_populates="rating", uselist=False)


class OutboxItem(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'dead')", name="ck_outbox_state"),
        # the sync's batches, due the longest first (feedback.sync.due), and the listings by state
        Index("ix_outbox_due", "state", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("rating.id", ondelete="CASCADE"), unique=True)
    # The whole token, because Odoo verifies it again; emptied once Odoo has it.
    token: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    # When the row entered the queue, or was last put back by `requeue`: `outbox --check`
    # measures the wait from here (the rating's own time is rating.submitted_at).
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    odoo_id: Mapped[int | None] = mapped_column(Integer)

    rating: Mapped[Rating] = relationship(back_populates="outbox")
