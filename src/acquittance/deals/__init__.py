"""Deal files: TOML text to the core's values, with line numbers in every error."""
