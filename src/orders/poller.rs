//! The payment status poller: asks the provider about pending orders with backoff.
