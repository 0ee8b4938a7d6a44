//! End to end: every connector against its marketplace's simulator, served on 127.0.0.1.
//! One test binary for all of them, so the crate links once.

mod ajio;
mod amazon_edi;
mod amazon_sp;
mod auth_endpoint;
mod common;
mod connector;
mod erp;
mod flipkart;
mod fulfilment;
mod paging;
mod parties;
mod paytm;
mod shopify;
