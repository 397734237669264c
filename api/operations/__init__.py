"""The operator's commands: `tootlog replay`, `rebuild` and `verify` (each module adds its own
subcommand to the `tootlog` parser)."""
