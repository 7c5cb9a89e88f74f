"""Deal files: TOML text to the core's values, with line numbers in every error.

`schema` describes the format once, as data; `parse` enforces it, `reference`
renders docs/deal-file.md from it and `starter` writes a commented deal file
to begin from (`acquittance new deal FILE`).
"""
