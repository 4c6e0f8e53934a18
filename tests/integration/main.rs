//! The one integration test binary (ripgrep style): every test that crosses crate
//! boundaries or runs the built binary lives in a module here.
