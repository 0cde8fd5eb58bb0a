//! Ready-made actors.
