"""`baomi sweep`: screen already-published sites (WARC files, mirrors) on a Dask cluster."""
