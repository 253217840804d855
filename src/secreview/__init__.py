"""secreview: a security code reviewer that reports defects by CWE and CWE-1000 pillar."""

__version__ = "0.1.0"
