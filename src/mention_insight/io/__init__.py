"""Reading exports and writing rows: the model pipeline's first stage and every file it writes.

- :mod:`.registry`: the input formats and :func:`open_mentions`;
- :mod:`.decoding`, :mod:`.columns`, :mod:`.delimited`, :mod:`.jsonlines`, :mod:`.documents`,
  :mod:`.spreadsheet`, :mod:`.parquet`: the pieces the readers are made of;
- :mod:`.rows`: the classified-row schema, written by ``classify`` and read back by ``report``;
- :mod:`.writer` (CSV / JSON Lines rows), :mod:`.parquet_writer` (Parquet rows) and
  :mod:`.atomic` (the one atomic writer).
"""

from .records import ColumnMap, MentionSource, Record
from .registry import FORMATS, detect_format, open_mentions

__all__ = ["FORMATS", "ColumnMap", "MentionSource", "Record", "detect_format", "open_mentions"]
