"""Running mention_insight on an existing distributed engine (:mod:`.dask`)."""
