"""Rules for C code; each also reviews C++ files (see `CRule`)."""
