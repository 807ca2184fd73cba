"""Bulk writes that Django's ORM makes slow at sync scale."""

from __future__ import annotations

from django.db import connection, models

BATCH_SIZE = 1000


def bulk_update(model: type[models.Model], objs: list, names: list[str]) -> None:
    """``bulk_update``; on PostgreSQL as ``UPDATE ... FROM (VALUES ...)`` per batch, because
    Django's CASE WHEN per row costs seconds (building it and running it) for 10,000 rows."""
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, names, batch_size=BATCH_SIZE)
        return
    qn = connection.ops.quote_name
    pk = model._meta.pk
    fields = [pk, *(model._meta.get_field(name) for name in names)]
    row = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
    columns = ", ".join(qn(f.column) for f in fields)
    sets = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[1:])
    with connection.cursor() as cursor:
        for start in range(0, len(objs), BATCH_SIZE):
            chunk = objs[start : start + BATCH_SIZE]
            params = [f.get_db_prep_save(getattr(o, f.attname), connection)
                      for o in chunk for f in fields]  # fmt: skip
            cursor.execute(
                f"UPDATE {qn(model._meta.db_table)} AS t SET {sets} "
                f"FROM (VALUES {', '.join([row] * len(chunk))}) AS v({columns}) "
                f"WHERE t.{qn(pk.column)} = v.{qn(pk.column)}",
                params,
            )
