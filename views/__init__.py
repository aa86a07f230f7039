"""Viewers of an output folder (not Beam jobs): ``demarche show`` (one document as coded), ``report`` (an HTML page
of plots and tables), ``query`` (SQL with DuckDB) and ``schema`` (a table's schema for BigQuery, Avro or Arrow).
``python -m views.show ...`` works as well."""
