"""Model fields shared by every domain app."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

# Digits an ExactDecimalField keeps before the point: max_digits 30 less decimal_places 10.
INTEGER_DIGITS = 20


def decimal_problem(value: Decimal) -> str | None:
    """Why ``value`` cannot be stored in an ExactDecimalField, or None.

    Places past the tenth are rounded on save, so only the integer part can be too long.
    """
    if not value.is_finite():
        return "enter a finite number"
    if value.adjusted() >= INTEGER_DIGITS:
        return f"enter a number with at most {INTEGER_DIGITS} digits before the decimal point"
    return None


class ExactDecimalField(models.DecimalField):  # type: ignore[type-arg]
    """A decimal that round-trips exactly on every database.

    Django stores DecimalField in SQLite with NUMERIC affinity, which keeps 15 significant
    digits as a binary float. semantics.md forbids binary floats in storage, so on SQLite the
    column is TEXT (the sqlite3 adapter writes str(Decimal)); PostgreSQL keeps `numeric`.
    Never compare or aggregate these columns in SQL: all arithmetic happens in Python.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 30)
        kwargs.setdefault("decimal_places", 10)
        super().__init__(*args, **kwargs)

    def get_internal_type(self) -> str:
        # Any name but "DecimalField" keeps SQLite's float-based converter away.
        return "ExactDecimalField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        if connection.vendor == "sqlite":
            return "text"
        return f"numeric({self.max_digits}, {self.decimal_places})"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None or isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise ValueError(
                f"{self.model.__name__}.{self.name}: bad stored value {value!r}"
            ) from None

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        value = super().get_db_prep_value(value, connection, prepared)
        if not isinstance(value, Decimal):
            return value
        # Round here, as PostgreSQL's numeric would, so both databases store the same value.
        exponent = Decimal(1).scaleb(-self.decimal_places)
        try:
            value = value.quantize(
                exponent, context=Context(prec=self.max_digits, rounding=ROUND_HALF_UP)
            )
        except InvalidOperation:
            raise ValueError(
                f"{self.model.__name__}.{self.name}: {value} has more than "
                f"{self.max_digits - self.decimal_places} digits before the decimal point"
            ) from None
        if connection.vendor == "sqlite":
            # Normalised text so that 5, 5.0 and 5.000 are stored the same way.
            return _plain(value, self.max_digits)
        return value


def _plain(value: Decimal, max_digits: int = 30) -> str:
    # Enough precision for every digit the column keeps: the default 28 would round.
    context = Context(prec=max_digits)
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1), context=context))
    return format(value.normalize(context), "f")
