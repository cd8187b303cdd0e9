"""The round's tables, one module per workbook sheet; :func:`exports.assembly.round_sheets` puts
them together. Each builder takes a round and returns plain :class:`~exports.tables.Table` objects
computed from the SQL of :mod:`exports.aggregate`."""
