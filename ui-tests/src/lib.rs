//! trybuild cases for tractor: see `tests/ui.rs`, `pass/` and `fail/`.
