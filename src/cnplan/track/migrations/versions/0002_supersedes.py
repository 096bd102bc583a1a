"""v2: actuals name the entry they supersede; index for the latest actual per indicator and period.

Existing actuals are back-filled: each one supersedes the previous entry for the same indicator
and period, which is what v1 meant implicitly (the newest entry is in force).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("actuals") as batch:
        batch.add_column(sa.Column("supersedes_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_actuals_supersedes", "actuals", ["supersedes_id"], ["id"])
        batch.drop_index("ix_actuals_indicator_id")
        batch.create_index("ix_actuals_indicator_period", ["indicator_id", "period", "id"])
    op.execute(
        "UPDATE actuals SET supersedes_id = (SELECT MAX(prev.id) FROM actuals AS prev "
        "WHERE prev.indicator_id = actuals.indicator_id AND prev.period = actuals.period "
        "AND prev.id < actuals.id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("actuals") as batch:
        batch.drop_index("ix_actuals_indicator_period")
        batch.create_index("ix_actuals_indicator_id", ["indicator_id"])
        batch.drop_constraint("fk_actuals_supersedes", type_="foreignkey")
        batch.drop_column("supersedes_id")
