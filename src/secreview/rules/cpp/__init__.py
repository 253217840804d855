"""Rules for C++ only (classes, new/delete, Qt, threads)."""
