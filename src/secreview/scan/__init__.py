"""`secreview scan`: many repositories, each one unit of work, on a local pool or a Dask cluster."""
