//! Views of orders.
