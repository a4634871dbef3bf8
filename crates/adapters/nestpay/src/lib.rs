//! NestPay gateway adapter (being written).
