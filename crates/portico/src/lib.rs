//! The `portico` binary's library: configuration, composition of the blocks, the demo data and
//! the commands. Integration tests start the same application through [`app::build`].

pub mod admin;
pub mod app;
pub mod bench_data;
pub mod config;
pub mod demo;
pub mod landing;
pub mod purge;
pub mod serve;
pub mod tls;
