"""Search terms: the words of each lead's and deal's name and company, for prefix search."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bpmn_sales.persistence.models.base import Base

# Byte order on every backend, so a prefix is one index range (PostgreSQL's default collation
# may order by locale rules, where "ab" < "a-c" < "ac").
TERM = String(40).with_variant(String(40, collation="C"), "postgresql")


class SearchTerm(Base):
    """One word of a record's name or company, lower-cased (persistence/search_terms.py)."""

    __tablename__ = "search_terms"
    # A record's words, to check the other words of a search per candidate (queries/subjects).
    __table_args__ = (Index("ix_search_terms_subject", "subject_type", "subject_id", "term"),)

    subject_type: Mapped[str] = mapped_column(String(10), primary_key=True)
    term: Mapped[str] = mapped_column(TERM, primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
