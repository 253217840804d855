"""Knowledge of languages, frameworks and libraries, as data."""
